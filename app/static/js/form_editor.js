// Form editor: line numbers beside each textarea, jump to a problem's line, and the Publish button
// following the live check (the server refuses an invalid form anyway).
(function () {
  "use strict";
  var READY = "Siap diterbitkan.";
  var BLOCKED = "Terbitkan tidak tersedia: perbaiki masalah di bawah dahulu.";

  function paintGutter(textarea) {
    var gutter = document.querySelector('[data-gutter-for="' + textarea.id + '"]');
    if (!gutter) return;
    var lines = textarea.value.split("\n").length;
    var numbers = [];
    for (var i = 1; i <= lines; i++) numbers.push(i);
    gutter.textContent = numbers.join("\n");
    gutter.scrollTop = textarea.scrollTop;
  }

  function jumpTo(part, line, column) {
    var textarea = document.querySelector('textarea[data-part="' + part + '"]');
    if (!textarea) return;
    var rows = textarea.value.split("\n");
    var offset = 0;
    for (var i = 0; i < line - 1 && i < rows.length; i++) offset += rows[i].length + 1;
    offset += Math.max(0, column - 1);
    textarea.focus();
    textarea.setSelectionRange(offset, offset + 1);
    var lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 18;
    textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }

  function followCheck() {
    var result = document.querySelector('#pratinjau [data-testid="preview"]');
    var button = document.getElementById("publish-button");
    var state = document.getElementById("publish-state");
    if (!result || !button) return;
    var ok = result.getAttribute("data-ok") === "true";
    button.disabled = !ok;
    if (ok) button.removeAttribute("aria-describedby"); else button.setAttribute("aria-describedby", "publish-state");
    if (state) {
      state.textContent = ok ? READY : BLOCKED;
      state.className = "small " + (ok ? "muted" : "error-text");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".fe-code textarea").forEach(function (textarea) {
      paintGutter(textarea);
      textarea.addEventListener("input", function () { paintGutter(textarea); });
      textarea.addEventListener("scroll", function () { paintGutter(textarea); });
    });
    document.addEventListener("click", function (event) {
      var target = event.target.closest("button[data-line]");
      if (target) jumpTo(target.dataset.part, +target.dataset.line, +target.dataset.column);
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target && event.detail.target.id === "pratinjau") followCheck();
    });
  });
})();
