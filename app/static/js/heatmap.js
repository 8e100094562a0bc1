/* SIMASN: the heat map of a process version. Draws the diagram with bpmn-js (the BpmnJS global of the
   UMD viewer bundle), colours every user task by its grade (1 short .. 5 long median wait) and puts a
   badge with "n instans · median" above it. The same numbers are in the table below the diagram. */
(function () {
  "use strict";

  var COLOURS = ["#fef3c7", "#fde68a", "#fdba74", "#fca5a5", "#f87171"];
  var STROKES = ["#a16207", "#b45309", "#c2410c", "#b91c1c", "#7f1d1d"];

  function style() {
    if (document.getElementById("simasn-heatmap-style")) return;
    var rules = [".bpmn-diagram.heatmap{height:440px;border:1px solid #d0d7de;border-radius:6px;background:#fff;overflow:hidden}",
      ".heat-badge{background:#111827;color:#fff;font:600 12px/1.3 system-ui,sans-serif;padding:2px 6px;border-radius:4px;white-space:nowrap}",
      ".heat-legend{margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center}",
      ".heat-legend .heat-step{white-space:nowrap}",
      ".heat-swatch{display:inline-block;width:1em;height:1em;border-radius:3px;vertical-align:middle;margin-left:.5em}"];
    COLOURS.forEach(function (colour, i) {
      var grade = i + 1;
      rules.push(".heat-swatch.heat-" + grade + "{background:" + colour + ";border:2px solid " + STROKES[i] + "}");
      rules.push(".bpmn-diagram .simasn-heat-" + grade + ":not(.djs-connection) .djs-visual>:nth-child(1)" +
                 "{fill:" + colour + "!important;stroke:" + STROKES[i] + "!important;stroke-width:3px!important}");
    });
    var element = document.createElement("style");
    element.id = "simasn-heatmap-style";
    element.textContent = rules.join("\n");
    document.head.appendChild(element);
  }

  function say(container, text) {
    var status = container.parentNode.querySelector(".diagram-status");
    if (status) status.textContent = text;
  }

  function overlay(viewer, task) {
    var registry = viewer.get("elementRegistry");
    if (!registry.get(task.id)) return;
    viewer.get("canvas").addMarker(task.id, "simasn-heat-" + task.grade);
    var badge = document.createElement("div");
    badge.className = "heat-badge";
    badge.setAttribute("data-element", task.id);
    badge.textContent = task.instances + " instans · " + task.median;
    viewer.get("overlays").add(task.id, "simasn-heat", { position: { top: -22, left: 0 }, html: badge });
  }

  function render(container) {
    if (typeof window.BpmnJS !== "function") {
      container.hidden = true;
      say(container, "Penampil diagram tidak dapat dimuat; lihat angka pada tabel.");
      return;
    }
    var viewer = new window.BpmnJS({ container: container });
    fetch(container.getAttribute("data-heatmap-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        return viewer.importXML(data.xml).then(function () {
          (data.tasks || []).forEach(function (task) { overlay(viewer, task); });
          viewer.get("canvas").zoom("fit-viewport", "auto");
          container.setAttribute("data-rendered", "true");
        });
      })
      .catch(function (err) {
        container.hidden = true;
        say(container, "Diagram tidak dapat ditampilkan (" + err.message + "); lihat angka pada tabel.");
      });
  }

  function start() {
    var containers = document.querySelectorAll(".bpmn-diagram[data-heatmap-url]");
    if (!containers.length) return;
    style();
    Array.prototype.forEach.call(containers, render);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
