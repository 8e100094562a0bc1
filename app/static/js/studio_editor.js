/* SIMASN Studio Proses: the BPMN editor (bpmn-js Modeler, the BpmnJS global of the UMD bundle) with our side
   panel (studio_panel.js). Saving, checking, importing and publishing talk JSON with app/blueprints/studio.py;
   the problems the server finds are listed and marked on the canvas. */
(function () {
  "use strict";

  var data, modeler, canvas, registry, panel, dirty = false, checkedClean = false, marked = [];

  function $(id) { return document.getElementById(id); }

  var el = window.SimasnStudioPanel.el;  // studio_panel.js loads first (studio/edit.html)

  function status(text, kind) {
    var box = $("studio-status");
    box.textContent = text;
    box.className = "studio-status " + (kind || "");
  }

  // --- talking to the server ---------------------------------------------------------------

  function post(url, body, headers) {
    var all = { "X-CSRFToken": data.csrf, Accept: "application/json" };
    Object.keys(headers || {}).forEach(function (k) { all[k] = headers[k]; });
    return fetch(url, { method: "POST", credentials: "same-origin", headers: all, body: body })
      .then(function (response) {
        return response.json().catch(function () { return { message: "Jawaban server tidak dapat dibaca." }; })
          .then(function (json) { json.httpStatus = response.status; json.ok = response.ok; return json; });
      }, function () { return { ok: false, message: "Server tidak dapat dihubungi. Periksa jaringan lalu coba lagi." }; });
  }

  function currentXml() {
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }

  function saveDraft() {
    return currentXml().then(function (xml) {
      return post(data.urls.save, xml, { "Content-Type": "application/xml; charset=utf-8", "X-Draft-Stamp": data.stamp });
    }).then(function (answer) {
      if (!answer.ok) { refusal(answer); return null; }
      data.stamp = answer.stamp;
      dirty = false;
      showProblems(answer.problems);
      status("Draf disimpan" + (answer.problems.length ? " dengan " + answer.problems.length + " masalah." : "."), "ok");
      $("studio-draft-note").textContent = "Draf tersimpan; belum diterbitkan.";
      $("studio-download-draft").hidden = false;
      return answer;
    });
  }

  function check() {
    status("Memeriksa diagram…");
    return currentXml().then(function (xml) {
      return post(data.urls.check, xml, { "Content-Type": "application/xml; charset=utf-8" });
    }).then(function (answer) {
      if (!answer.ok) { refusal(answer); return; }
      showProblems(answer.problems);
      checkedClean = !errorsIn(answer.problems);
      updatePublish();
      status(answer.problems.length ? answer.problems.length + " masalah ditemukan; klik sebuah masalah untuk melihat elemennya."
                                    : "Tidak ada masalah. Diagram dapat diterbitkan.", answer.problems.length ? "warn" : "ok");
    });
  }

  function publish() {
    if (!window.confirm("Terbitkan diagram ini sebagai versi baru? Permohonan baru akan memakai versi ini.")) return;
    status("Menyimpan dan menerbitkan…");
    saveDraft().then(function (saved) {
      if (!saved) return null;
      if (errorsIn(saved.problems)) { status("Draf masih bermasalah; perbaiki dahulu sebelum menerbitkan.", "error"); return null; }
      return post(data.urls.publish, "");
    }).then(function (answer) {
      if (!answer) return;
      if (!answer.ok) { refusal(answer); return; }
      status(answer.message, "ok");
      window.location.assign(answer.versions_url);
    });
  }

  function importFile(file) {
    if (!file) return;
    if (file.size > data.maxBytes) {
      status("Berkas terlalu besar: paling besar " + Math.round(data.maxBytes / 1048576) + " MB. Tidak ada yang diubah.", "error");
      return;
    }
    status("Mengimpor " + file.name + "…");
    post(data.urls.import, file, { "Content-Type": "application/octet-stream", "X-Filename": file.name,
                                   "X-Draft-Stamp": data.stamp })
      .then(function (answer) {
        $("studio-import").value = "";
        if (!answer.ok) { refusal(answer); return; }
        data.stamp = answer.stamp;
        open(answer.xml).then(function () {
          dirty = false;
          showProblems(answer.problems);
          status("Berkas " + file.name + " diimpor sebagai draf" +
                 (answer.problems.length ? " dengan " + answer.problems.length + " masalah." : "."), "ok");
        });
      });
  }

  function refusal(answer) {
    var problems = [];
    Object.keys(answer.fields || {}).forEach(function (id) {
      answer.fields[id].forEach(function (message) {
        problems.push({ element_id: registry.get(id) ? id : null, message: message, severity: "error" });
      });
    });
    if (problems.length) showProblems(problems);
    status(answer.message || "Permintaan ditolak.", "error");
  }

  function errorsIn(problems) {
    return problems.some(function (p) { return p.severity === "error"; });
  }

  function updatePublish() {
    $("studio-publish").disabled = !checkedClean;
    $("studio-publish-hint").textContent = checkedClean ? "" : "Periksa diagram tanpa masalah dahulu untuk dapat menerbitkan.";
  }

  // --- problems on the list and on the canvas -------------------------------------------------

  function showProblems(problems) {
    marked.forEach(function (id) { if (registry.get(id)) canvas.removeMarker(id, "studio-problem"); });
    registry.getAll().forEach(function (e) { canvas.removeMarker(e.id, "studio-focus"); });
    marked = [];
    var list = $("studio-problems");
    list.innerHTML = "";
    $("studio-problems-empty").hidden = problems.length > 0;
    problems.forEach(function (problem) {
      var known = problem.element_id && registry.get(problem.element_id);
      if (known && marked.indexOf(problem.element_id) < 0) {
        canvas.addMarker(problem.element_id, "studio-problem");
        marked.push(problem.element_id);
      }
      var item = el("li", { className: "studio-problem-item " + problem.severity });
      var label = el("span", { className: "mono small", text: problem.element_id || "diagram" });
      var button = el("button", { type: "button", className: "link", text: problem.message });
      button.setAttribute("data-element-id", problem.element_id || "");
      button.addEventListener("click", function () { focusElement(problem.element_id); });
      item.appendChild(label);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  function focusElement(id) {
    var element = id && registry.get(id);
    if (!element) return;
    registry.getAll().forEach(function (e) { canvas.removeMarker(e.id, "studio-focus"); });
    canvas.addMarker(id, "studio-focus");
    centre(element);
    modeler.get("selection").select(element);
  }

  function centre(element) {
    // a problem is looked at closely: reading size, the element in the middle of the canvas
    var points = element.waypoints || [{ x: element.x, y: element.y },
                                       { x: element.x + element.width, y: element.y + element.height }];
    var xs = points.map(function (p) { return p.x; }), ys = points.map(function (p) { return p.y; });
    var cx = (Math.min.apply(null, xs) + Math.max.apply(null, xs)) / 2;
    var cy = (Math.min.apply(null, ys) + Math.max.apply(null, ys)) / 2;
    if (canvas.zoom() < 0.9) canvas.zoom(1);
    var box = canvas.viewbox();
    canvas.viewbox({ x: cx - box.width / 2, y: cy - box.height / 2, width: box.width, height: box.height });
  }

  // --- start -------------------------------------------------------------------------------------

  function open(xml) {
    return modeler.importXML(xml).then(function (result) {
      canvas.zoom("fit-viewport");
      panel.render(null);
      checkedClean = false;
      updatePublish();
      if (result.warnings && result.warnings.length) {
        status("Diagram dibuka dengan " + result.warnings.length + " peringatan pembacaan.", "warn");
      }
    });
  }

  function wire() {
    $("studio-save").addEventListener("click", saveDraft);
    $("studio-check").addEventListener("click", check);
    $("studio-publish").addEventListener("click", publish);
    $("studio-import").addEventListener("change", function (e) { importFile(e.target.files[0]); });
    modeler.on("selection.changed", function (e) { panel.render(e.newSelection.length === 1 ? e.newSelection[0] : null); });
    modeler.on("commandStack.changed", function () {
      dirty = true;
      checkedClean = false;
      updatePublish();
      status("Ada perubahan yang belum disimpan.", "warn");
      var selected = modeler.get("selection").get();
      var focused = document.activeElement && document.activeElement.id;
      if (selected.length === 1 && !(focused && focused.indexOf("studio-") === 0 && focused !== "studio-lane")) {
        panel.render(selected[0]);
      }
    });
    window.addEventListener("beforeunload", function (e) { if (dirty) { e.preventDefault(); e.returnValue = ""; } });
  }

  function start() {
    data = JSON.parse($("studio-data").textContent);
    var container = $("studio-canvas");
    if (typeof window.BpmnJS !== "function") {
      status("Penyunting diagram tidak dapat dimuat. Jalankan scripts/setup.sh lalu muat ulang halaman.", "error");
      return;
    }
    fetch(data.urls.moddle, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (spiff) {
      modeler = new window.BpmnJS({ container: container, keyboard: { bindTo: document },
                                    moddleExtensions: { spiffworkflow: spiff } });
      canvas = modeler.get("canvas");
      registry = modeler.get("elementRegistry");
      panel = window.SimasnStudioPanel(modeler, data.options, $("studio-panel-body"));
      window.studioEditor = { modeler: modeler, exportXml: currentXml, focus: focusElement };
      wire();
      return open(data.xml);
    }).then(function () {
      container.setAttribute("data-ready", "true");
      if (!$("studio-status").textContent) status("Diagram siap disunting.");
    }).catch(function (err) {
      status("Diagram tidak dapat dibuka: " + (err && err.message ? err.message : err), "error");
    });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
