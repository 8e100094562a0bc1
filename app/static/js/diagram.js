/* SIMASN: shows a request's BPMN diagram with bpmn-js (the BpmnJS global of the UMD viewer bundle).
   Completed elements get the marker "simasn-done" (green), waiting ones "simasn-active" (blue outline),
   failed ones (instance pages of process owners) "simasn-failed" (red). */
(function () {
  "use strict";

  var STYLE = [
    ".bpmn-diagram{height:360px;border:1px solid #d0d7de;border-radius:6px;background:#fff;overflow:hidden}",
    ".bpmn-diagram .simasn-done:not(.djs-connection) .djs-visual>:nth-child(1){fill:#dcfce7!important;stroke:#15803d!important}",
    ".bpmn-diagram .simasn-active:not(.djs-connection) .djs-visual>:nth-child(1){stroke:#1d4ed8!important;stroke-width:4px!important;fill:#dbeafe!important}",
    ".bpmn-diagram .simasn-failed:not(.djs-connection) .djs-visual>:nth-child(1){stroke:#b42318!important;stroke-width:4px!important;fill:#fee4e2!important}",
    ".diagram-legend{margin:.5rem 0}",
    ".legend-swatch{display:inline-block;width:1em;height:1em;border-radius:3px;vertical-align:middle;margin-left:.75em}",
    ".legend-done{background:#dcfce7;border:2px solid #15803d}",
    ".legend-active{background:#dbeafe;border:2px solid #1d4ed8}",
    ".legend-failed{background:#fee4e2;border:2px solid #b42318}"
  ].join("\n");

  function addStyle() {
    if (document.getElementById("simasn-diagram-style")) return;
    var style = document.createElement("style");
    style.id = "simasn-diagram-style";
    style.textContent = STYLE;
    document.head.appendChild(style);
  }

  function say(container, text) {
    var status = container.parentNode.querySelector(".diagram-status");
    if (status) status.textContent = text;
  }

  function mark(viewer, ids, marker) {
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    ids.forEach(function (id) {
      if (registry.get(id)) canvas.addMarker(id, marker);
    });
  }

  function render(container) {
    if (typeof window.BpmnJS !== "function") {
      container.hidden = true;
      say(container, "Penampil diagram tidak dapat dimuat; lihat langkah-langkah dalam bentuk teks.");
      return;
    }
    var viewer = new window.BpmnJS({ container: container });
    fetch(container.getAttribute("data-diagram-url"), { credentials: "same-origin",
                                                         headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        return viewer.importXML(data.xml).then(function () {
          var active = data.active || [];
          mark(viewer, (data.completed || []).filter(function (id) { return active.indexOf(id) < 0; }),
               "simasn-done");
          mark(viewer, active, "simasn-active");
          mark(viewer, data.failed || [], "simasn-failed");
          viewer.get("canvas").zoom("fit-viewport", "auto");
          container.setAttribute("data-rendered", "true");
        });
      })
      .catch(function (err) {
        container.hidden = true;
        say(container, "Diagram tidak dapat ditampilkan (" + err.message + "); lihat langkah-langkah dalam bentuk teks.");
      });
  }

  function start() {
    var containers = document.querySelectorAll(".bpmn-diagram[data-diagram-url]");
    if (!containers.length) return;
    addStyle();
    Array.prototype.forEach.call(containers, render);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
