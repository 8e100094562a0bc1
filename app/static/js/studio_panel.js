/* SIMASN Studio Proses: the side panel of the BPMN editor, for exactly what the engine reads of the selected
   element: its name, the lane (from the lane → role mapping), the user task's form (spiffworkflow:properties),
   the service task's operator and parameters (spiffworkflow:serviceTaskOperator), timers, flow conditions and
   default flows, documentation. Every change goes through bpmn-js's modeling (undo, dirty state).
   window.SimasnStudioPanel(modeler, choices, container) -> { render(element or null) };
   window.SimasnStudioPanel.el(tag, attrs, children) builds a DOM node (also used by studio_editor.js). */
(function () {
  "use strict";

  var SPIFF = "spiffworkflow:";
  var SCHEMA = "formJsonSchemaFilename", UI_SCHEMA = "formUiSchemaFilename";
  var TIMER_KINDS = [["timeDuration", "Durasi (timeDuration)"], ["timeDate", "Tanggal (timeDate)"],
                     ["timeCycle", "Siklus (timeCycle)"]];
  var moddle, modeling, registry, choices, container;

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
    var panel = container;
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
    var options = [["", "— pilih lajur yang dipetakan —"]].concat(choices.lanes.map(function (lane) {
      return [lane.name, lane.name + " (" + lane.role + ")"];
    }));
    if (bo.name && !choices.lanes.some(function (l) { return l.name === bo.name; })) {
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
    var options = [["", "— tanpa formulir —"]].concat(choices.forms.map(function (f) { return [f, f]; }));
    if (current && choices.forms.indexOf(current) < 0) options.push([current, current + " (tidak dikenal)"]);
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
    var known = choices.operators.filter(function (o) { return o.name === name; })[0];
    var options = [["", "— pilih operator —"]].concat(choices.operators.map(function (o) { return [o.name, o.name]; }));
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
      write(v, document.getElementById("studio-timer-expression").value.trim());
    })));
    panel.appendChild(field("Ekspresi timer", textInput("studio-timer-expression", expression, function (v) {
      write(document.getElementById("studio-timer-kind").value, v);
    })));
    var help = el("ul", { className: "hint studio-timer-help" });
    choices.timer_help.forEach(function (h) {
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

  window.SimasnStudioPanel = function (modeler, panelOptions, panelContainer) {
    moddle = modeler.get("moddle");
    modeling = modeler.get("modeling");
    registry = modeler.get("elementRegistry");
    choices = panelOptions;
    container = panelContainer;
    return { render: renderPanel };
  };
  window.SimasnStudioPanel.el = el;
})();
