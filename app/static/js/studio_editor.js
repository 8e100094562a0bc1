/* SIMASN Studio Proses: the BPMN editor (bpmn-js Modeler, the BpmnJS global of the UMD bundle) with our
   own side panel for exactly what the engine reads: names, lanes, user-task forms (spiffworkflow:properties),
   service-task operators (spiffworkflow:serviceTaskOperator), timers, flow conditions and default flows,
   documentation. Saving, checking, importing and publishing talk JSON with app/blueprints/studio.py. */
(function () {
  "use strict";

  var SPIFF = "spiffworkflow:";
  var SCHEMA = "formJsonSchemaFilename", UI_SCHEMA = "formUiSchemaFilename";
  var TIMER_KINDS = [["timeDuration", "Durasi (timeDuration)"], ["timeDate", "Tanggal (timeDate)"],
                     ["timeCycle", "Siklus (timeCycle)"]];
  var data, modeler, moddle, modeling, canvas, registry, dirty = false, checkedClean = false, marked = [];

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key in node && key !== "list") node[key] = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

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

  // --- extension elements ----------------------------------------------------------------------

  function extensionValues(bo) {
    return (bo.extensionElements && bo.extensionElements.values) || [];
  }

  function findExtension(bo, type) {
    return extensionValues(bo).filter(function (v) { return v.$instanceOf(type); })[0];
  }

  function spiffProperties(bo) {
    var props = {};
    var holder = findExtension(bo, SPIFF + "Properties");
    ((holder && holder.properties) || []).forEach(function (p) { props[p.name] = p.value; });
    return props;
  }

  function replaceExtension(element, type, replacement) {
    var bo = element.businessObject;
    var values = extensionValues(bo).filter(function (v) { return !v.$instanceOf(type); });
    if (replacement) values.push(replacement);
    var extension = moddle.create("bpmn:ExtensionElements", { values: values });
    values.forEach(function (v) { v.$parent = extension; });
    modeling.updateProperties(element, { extensionElements: values.length ? extension : undefined });
  }

  function setSpiffProperties(element, changes) {
    var props = spiffProperties(element.businessObject);
    Object.keys(changes).forEach(function (name) {
      if (changes[name]) props[name] = changes[name]; else delete props[name];
    });
    var list = Object.keys(props).map(function (name) {
      return moddle.create(SPIFF + "Property", { name: name, value: props[name] });
    });
    var holder = list.length ? moddle.create(SPIFF + "Properties", { properties: list }) : null;
    replaceExtension(element, SPIFF + "Properties", holder);
  }

  function formalExpression(text) {
    return text ? moddle.create("bpmn:FormalExpression", { body: text }) : undefined;
  }

  // --- the side panel --------------------------------------------------------------------------

  function field(label, control, help) {
    var id = control.id;
    return el("div", { className: "field" }, [el("label", { htmlFor: id, text: label }), control,
      help ? el("p", { className: "hint", text: help }) : null]);
  }

  function textInput(id, value, onChange, multiline) {
    var input = el(multiline ? "textarea" : "input", { id: id, value: value || "" });
    if (multiline) input.rows = 3;
    input.addEventListener("change", function () { onChange(input.value.trim()); });
    return input;
  }

  function select(id, options, chosen, onChange) {
    var node = el("select", { id: id });
    options.forEach(function (o) {
      var option = el("option", { value: o[0], text: o[1] });
      if (o[0] === chosen) option.selected = true;
      node.appendChild(option);
    });
    node.addEventListener("change", function () { onChange(node.value); });
    return node;
  }

  function renderPanel(element) {
    var panel = $("studio-panel-body");
    panel.innerHTML = "";
    if (!element) {
      panel.appendChild(el("p", { className: "muted", text: "Pilih sebuah elemen pada diagram untuk mengubah sifatnya." }));
      return;
    }
    var bo = element.businessObject;
    panel.appendChild(el("p", { className: "small" }, [el("strong", { text: typeLabel(bo) }),
      el("span", { className: "mono muted", text: " id " + bo.id })]));
    if (bo.$instanceOf("bpmn:Lane")) laneFields(panel, element);
    else if (!bo.$instanceOf("bpmn:Process") && !bo.$instanceOf("bpmn:Collaboration")) {
      panel.appendChild(field("Nama", textInput("studio-name", bo.name, function (v) {
        modeling.updateProperties(element, { name: v || undefined });
      })));
    }
    if (bo.$instanceOf("bpmn:UserTask")) formFields(panel, element);
    if (bo.$instanceOf("bpmn:ServiceTask")) operatorFields(panel, element);
    if (timerDefinition(bo)) timerFields(panel, element);
    if (bo.$instanceOf("bpmn:SequenceFlow")) flowFields(panel, element);
    if (bo.$instanceOf("bpmn:ExclusiveGateway") || bo.$instanceOf("bpmn:InclusiveGateway")) gatewayFields(panel, element);
    if (bo.$instanceOf("bpmn:BaseElement") && !bo.$instanceOf("bpmn:Collaboration")) documentationField(panel, element);
  }

  function typeLabel(bo) {
    return bo.$type.replace("bpmn:", "").replace(/([a-z])([A-Z])/g, "$1 $2");
  }

  function laneFields(panel, element) {
    var bo = element.businessObject;
    var options = [["", "— pilih lajur yang dipetakan —"]].concat(data.options.lanes.map(function (lane) {
      return [lane.name, lane.name + " (" + lane.role + ")"];
    }));
    if (bo.name && !data.options.lanes.some(function (l) { return l.name === bo.name; })) {
      options.push([bo.name, bo.name + " (belum dipetakan ke peran)"]);
    }
    panel.appendChild(field("Nama lajur", select("studio-lane", options, bo.name || "", function (v) {
      modeling.updateProperties(element, { name: v || undefined });
    }), "Nama lajur menentukan peran yang mengerjakan tugas di dalamnya (pemetaan lajur diatur Administrator)."));
    var scope = spiffProperties(bo).scopeVariable;
    panel.appendChild(field("Variabel cakupan OPD", textInput("studio-scope", scope, function (v) {
      setSpiffProperties(element, { scopeVariable: v });
    }), "Opsional: variabel proses yang berisi OPD lajur ini, mis. opd atau opd_tujuan."));
  }

  function formFields(panel, element) {
    var props = spiffProperties(element.businessObject);
    if (props.formFromVariable) {
      panel.appendChild(el("p", { className: "hint", text: "Formulir dipilih saat berjalan dari variabel '" +
        props.formFromVariable + "' (pilihan: " + (props.formChoices || "-") + ")." }));
      return;
    }
    var current = (props[SCHEMA] || "").replace(/\.schema\.json$/, "");
    var options = [["", "— tanpa formulir —"]].concat(data.options.forms.map(function (f) { return [f, f]; }));
    if (current && data.options.forms.indexOf(current) < 0) options.push([current, current + " (tidak dikenal)"]);
    panel.appendChild(field("Formulir", select("studio-form", options, current, function (v) {
      var changes = {};
      changes[SCHEMA] = v ? v + ".schema.json" : "";
      changes[UI_SCHEMA] = v ? v + ".uischema.json" : "";
      setSpiffProperties(element, changes);
    }), "Formulir yang diisi pengguna pada tugas ini (skema JSON dan skema UI)."));
  }

  function operatorFields(panel, element) {
    var operator = findExtension(element.businessObject, SPIFF + "ServiceTaskOperator");
    var name = operator ? operator.id : "";
    var known = data.options.operators.filter(function (o) { return o.name === name; })[0];
    var options = [["", "— pilih operator —"]].concat(data.options.operators.map(function (o) { return [o.name, o.name]; }));
    if (name && !known) options.push([name, name + " (tidak terdaftar)"]);
    panel.appendChild(field("Operator", select("studio-operator", options, name, function (v) {
      writeOperator(element, v, operator ? operator.resultVariable : "", currentParams(operator));
    }), known ? known.description : "Operasi terdaftar yang dijalankan langkah ini."));
    if (!name) return;
    panel.appendChild(field("Variabel hasil", textInput("studio-result", operator.resultVariable, function (v) {
      writeOperator(element, name, v, currentParams(operator));
    })));
    var params = currentParams(operator);
    var names = (known ? known.params.map(function (p) { return p.name; }) : []);
    Object.keys(params).forEach(function (p) { if (names.indexOf(p) < 0) names.push(p); });
    names.forEach(function (param) {
      var help = known && known.params.filter(function (p) { return p.name === param; })[0];
      panel.appendChild(field("Parameter " + param, textInput("studio-param-" + param, params[param], function (v) {
        var next = currentParams(operator);
        if (v) next[param] = v; else delete next[param];
        writeOperator(element, name, operator.resultVariable, next);
      }), help ? help.help : "Ekspresi; teks ditulis dalam tanda kutip."));
    });
  }

  function currentParams(operator) {
    var params = {};
    var list = operator && operator.parameterList && operator.parameterList.parameters;
    (list || []).forEach(function (p) { params[p.id] = p.value; });
    return params;
  }

  function writeOperator(element, name, resultVariable, params) {
    if (!name) { replaceExtension(element, SPIFF + "ServiceTaskOperator", null); return; }
    var parameters = Object.keys(params).map(function (id) {
      return moddle.create(SPIFF + "Parameter", { id: id, type: "str", value: params[id] });
    });
    var operator = moddle.create(SPIFF + "ServiceTaskOperator", {
      id: name, resultVariable: resultVariable || undefined,
      parameterList: moddle.create(SPIFF + "Parameters", { parameters: parameters }) });
    replaceExtension(element, SPIFF + "ServiceTaskOperator", operator);
  }

  function timerDefinition(bo) {
    return (bo.eventDefinitions || []).filter(function (d) { return d.$instanceOf("bpmn:TimerEventDefinition"); })[0];
  }

  function timerFields(panel, element) {
    var timer = timerDefinition(element.businessObject);
    var kind = TIMER_KINDS.map(function (k) { return k[0]; }).filter(function (k) { return timer[k]; })[0] || "timeDuration";
    var expression = timer[kind] ? timer[kind].body : "";
    function write(newKind, text) {
      var changes = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
      changes[newKind] = formalExpression(text);
      modeling.updateModdleProperties(element, timer, changes);
    }
    panel.appendChild(field("Jenis timer", select("studio-timer-kind", TIMER_KINDS, kind, function (v) {
      write(v, $("studio-timer-expression").value.trim());
    })));
    panel.appendChild(field("Ekspresi timer", textInput("studio-timer-expression", expression, function (v) {
      write($("studio-timer-kind").value, v);
    })));
    var help = el("ul", { className: "hint studio-timer-help" });
    data.options.timer_help.forEach(function (h) {
      help.appendChild(el("li", {}, [el("code", { text: h.example }), document.createTextNode(" — " + h.meaning)]));
    });
    panel.appendChild(help);
  }

  function flowFields(panel, element) {
    var bo = element.businessObject, source = bo.sourceRef;
    if (!source || !(source.$instanceOf("bpmn:ExclusiveGateway") || source.$instanceOf("bpmn:InclusiveGateway"))) return;
    var isDefault = source.default === bo;
    var condition = bo.conditionExpression ? bo.conditionExpression.body : "";
    panel.appendChild(field("Kondisi", textInput("studio-condition", condition, function (v) {
      modeling.updateProperties(element, { conditionExpression: formalExpression(v) });
    }, true), 'Ekspresi aman, mis. keputusan == "setuju". Kosongkan untuk alur default.'));
    var box = el("input", { type: "checkbox", id: "studio-default", checked: isDefault });
    box.addEventListener("change", function () {
      modeling.updateProperties(registry.get(source.id), { "default": box.checked ? bo : undefined });
    });
    panel.appendChild(el("div", { className: "field inline" }, [box, el("label", { htmlFor: "studio-default",
      text: "Alur default (dipakai bila tidak ada kondisi yang terpenuhi)" })]));
  }

  function gatewayFields(panel, element) {
    var bo = element.businessObject;
    var options = [["", "— tanpa alur default —"]].concat((bo.outgoing || []).map(function (f) {
      return [f.id, (f.name || f.id) + " → " + (f.targetRef && (f.targetRef.name || f.targetRef.id))];
    }));
    panel.appendChild(field("Alur default", select("studio-gateway-default", options, bo.default ? bo.default.id : "",
      function (v) {
        var flow = (bo.outgoing || []).filter(function (f) { return f.id === v; })[0];
        modeling.updateProperties(element, { "default": flow || undefined });
      }), "Setiap alur keluar perlu kondisi, kecuali alur default."));
  }

  function documentationField(panel, element) {
    var docs = element.businessObject.documentation || [];
    panel.appendChild(field("Dokumentasi", textInput("studio-documentation", docs.length ? docs[0].text : "", function (v) {
      modeling.updateProperties(element, {
        documentation: v ? [moddle.create("bpmn:Documentation", { text: v })] : [] });
    }, true)));
  }

  // --- start -------------------------------------------------------------------------------------

  function open(xml) {
    return modeler.importXML(xml).then(function (result) {
      canvas.zoom("fit-viewport");
      renderPanel(null);
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
    modeler.on("selection.changed", function (e) { renderPanel(e.newSelection.length === 1 ? e.newSelection[0] : null); });
    modeler.on("commandStack.changed", function () {
      dirty = true;
      checkedClean = false;
      updatePublish();
      status("Ada perubahan yang belum disimpan.", "warn");
      var selected = modeler.get("selection").get();
      var focused = document.activeElement && document.activeElement.id;
      if (selected.length === 1 && !(focused && focused.indexOf("studio-") === 0 && focused !== "studio-lane")) {
        renderPanel(selected[0]);
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
      moddle = modeler.get("moddle");
      modeling = modeler.get("modeling");
      canvas = modeler.get("canvas");
      registry = modeler.get("elementRegistry");
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
