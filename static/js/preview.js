// Live widget preview. The widget is drawn by Microsoft's chat components inside a same-origin frame
// (static/preview/widget.js, fed the draft's values as JSON); this page drives it through the frame's
// window.chatPreview: the state and width switches, the step form's values as the author types (drawn
// in the same frame as the keystroke, nothing waits for the server), the checks the
// server computes (contrast, logo, title length), the logo load check and the embed snippet builder.
(function () {
  "use strict";

  var CHECKED_FIELDS = { title: 1, theme_color: 1, logo_url: 1 };
  var MANAGEMENT = /-(TOTAL_FORMS|INITIAL_FORMS|MIN_NUM_FORMS|MAX_NUM_FORMS)$/;
  var ROW_FIELD = /^(.+)-(\d+)-([^-]+)$/;
  var inputSeq = 0;

  function previewOf(el) { return el.closest("[data-pv]"); }

  function frameApi(pv) {
    var frame = pv && pv.querySelector("[data-pv-frame]");
    try {
      return (frame && frame.contentWindow && frame.contentWindow.chatPreview) || null;
    } catch (error) {
      return null;
    }
  }

  // --- the step form's values, in the shape the draft stores them ---------------------------------
  function stepValues(form) {
    var values = {};
    var rows = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      var name = el.name;
      if (!name || el.disabled || el.type === "submit" || el.type === "button" || el.type === "file") return;
      if (name === "csrfmiddlewaretoken" || MANAGEMENT.test(name)) return;
      var value;
      if (el.type === "checkbox") value = el.checked;
      else if (el.type === "radio") { if (!el.checked) return; value = el.value; }
      else if (el.tagName === "SELECT" && el.multiple) {
        value = Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
      } else value = el.value;
      var row = ROW_FIELD.exec(name);
      if (row) {
        var set = rows[row[1]] || (rows[row[1]] = {});
        (set[row[2]] || (set[row[2]] = {}))[row[3]] = value;
      } else {
        values[name] = value;
      }
    });
    Object.keys(rows).forEach(function (name) {
      values[name] = Object.keys(rows[name])
        .sort(function (a, b) { return a - b; })
        .map(function (index) { return rows[name][index]; })
        .filter(function (row) { return row.DELETE !== true; });
    });
    return values;
  }

  function syncElement() { return document.querySelector("[data-pv-sync]"); }

  function syncedPreview() {
    var sync = syncElement();
    return sync ? document.getElementById(sync.getAttribute("data-pv-for") || "pv") : null;
  }

  function pushForm() {
    var sync = syncElement();
    var form = document.getElementById("step-form");
    var pv = syncedPreview();
    var api = frameApi(pv);
    if (!sync || !form || !api) return;
    api.setStep(sync.getAttribute("data-pv-step"), stepValues(form), { sync: true });
    // A new logo URL starts without the warning: the frame reports again when it loads an https one,
    // and loads nothing for an empty or refused one (whose own check the server gives).
    var logo = form.querySelector('[name="logo_url"]');
    if (logo && pv.pvLogoUrl !== logo.value) {
      pv.pvLogoUrl = logo.value;
      pv.pvLogoFailed = false;
      showLogoCheck(pv);
    }
  }

  // --- states and width -------------------------------------------------------------------------
  function applySwitches(pv) {
    var api = frameApi(pv);
    if (!api) return;
    var state = pv.querySelector("[data-pv-state]:checked");
    var device = pv.querySelector("[data-pv-device]:checked");
    if (device) api.setDevice(device.value);
    if (state) api.setState(state.value);
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement)) return;
    var pv = previewOf(input);
    if (!pv) return;
    if (input.hasAttribute("data-pv-state")) pv.setAttribute("data-state", input.value);
    if (input.hasAttribute("data-pv-device")) pv.setAttribute("data-device", input.value);
    if (input.hasAttribute("data-pv-state") || input.hasAttribute("data-pv-device")) applySwitches(pv);
  });

  // A frame that finished loading gets the switches and, for the step page, the form as typed so far
  // (the frame page itself holds the saved values).
  window.addEventListener("chat-preview-ready", function (event) {
    var frame = event.detail && event.detail.frame;
    var pv = frame && previewOf(frame);
    if (!pv) return;
    applySwitches(pv);
    if (pv === syncedPreview()) pushForm();
    var builder = pv.closest("[data-snippet-builder]");
    if (builder && builder.pvUpdate) builder.pvUpdate();
  });

  // --- typing: redraw in the frame at once; ask the server only for the checks -------------------
  var TYPING_DELAY_MS = 40;
  var pending = null;
  function requestChecks(control) {
    var sync = syncElement();
    if (!sync || !window.htmx || !CHECKED_FIELDS[control.name]) return;
    var typed = control.tagName === "TEXTAREA" || /^(text|url|email|number|search|tel)$/.test(control.type);
    clearTimeout(pending);
    if (typed) {
      pending = setTimeout(function () { htmx.trigger(sync, "pv-input"); }, TYPING_DELAY_MS);
    } else {
      htmx.trigger(sync, "pv-input");
    }
  }

  function onInput(event) {
    var control = event.target;
    if (!control || !control.name || !control.form || control.form.id !== "step-form" || !syncElement()) return;
    inputSeq += 1;
    pushForm();
    requestChecks(control);
  }
  document.addEventListener("input", onInput, true);

  // Rows added or removed with a button change the form without an input event.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest("button, [role=button]");
    if (!button || !button.closest("#step-form") || !syncElement()) return;
    setTimeout(pushForm, 0);
  });

  // Checks computed before the latest keystroke would show stale warnings: drop them, the request
  // for the latest values is already on its way.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute("data-pv-sync")) elt.pvSentSeq = inputSeq;
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-pv-sync") && elt.pvSentSeq !== inputSeq) {
      event.detail.shouldSwap = false;
    }
  });

  // The checks could not be fetched: say that they are stale (the widget itself does not need the server).
  function checksFailed(event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-pv-sync")) return;
    var pv = syncedPreview();
    var note = pv && pv.querySelector('[data-check="checks_stale"]');
    if (note) note.hidden = false;
  }
  ["htmx:responseError", "htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, checksFailed);
  });

  // A save answered through htmx keeps the panel (hx-preserve) when the draft is the one it shows: the
  // frame gets the new step's form, and checks that could not be fetched before are asked for again.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.target || event.target.id !== "step-page") return;
    pushForm();
    var pv = syncedPreview();
    var stale = pv && pv.querySelector('[data-check="checks_stale"]');
    if (stale && !stale.hidden && window.htmx) htmx.trigger(syncElement(), "pv-input");
  });

  // --- logo: warn when the URL does not answer with an image (the frame reports it) ---------------
  function showLogoCheck(pv) {
    var warning = pv.querySelector('[data-check="logo_failed"]');
    if (warning) warning.hidden = !pv.pvLogoFailed;
  }
  window.addEventListener("chat-preview-logo", function (event) {
    var frame = event.detail && event.detail.frame;
    var pv = frame && previewOf(frame);
    if (!pv) return;
    pv.pvLogoFailed = !!event.detail.failed;
    showLogoCheck(pv);
  });
  // New checks from the server come with the logo warning hidden; keep what the frame last said.
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-pv]").forEach(showLogoCheck);
    showControls();
  });
  // The state and width switches are drawn here: without this script they would do nothing. The
  // panel names them in data-pv-controls as [[legend, name, [[value, label], ...]], ...].
  function showControls() {
    document.querySelectorAll("[data-pv-controls][hidden]").forEach(function (controls) {
      var pv = previewOf(controls);
      if (!pv) return;
      JSON.parse(controls.getAttribute("data-pv-controls") || "[]").forEach(function (group) {
        var fieldset = document.createElement("fieldset");
        var legend = document.createElement("legend");
        fieldset.className = "pv-switch";
        legend.className = "pv-legend";
        legend.textContent = group[0];
        fieldset.appendChild(legend);
        group[2].forEach(function (option) {
          var input = document.createElement("input");
          var label = document.createElement("label");
          input.type = "radio";
          input.className = "btn-check";
          input.name = pv.id + "-" + group[1];
          input.id = input.name + "-" + option[0];
          input.value = option[0];
          input.setAttribute("data-pv-" + group[1], "");
          input.checked = option[0] === pv.getAttribute("data-" + group[1]);
          label.className = "btn btn-sm btn-outline-secondary";
          label.htmlFor = input.id;
          label.textContent = option[1];
          fieldset.append(input, label, " ");
        });
        controls.appendChild(fieldset);
      });
      controls.hidden = false;
    });
  }
  showControls();  // the script comes after the page's preview panels

// --- embed snippet builder ------------------------------------------------------------------------
  function escapeAttr(value) {
    return String(value).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function initBuilder(root) {
    var text = root.querySelector("[data-snippet-text]");
    var data = document.getElementById("embed-attributes");
    var form = root.querySelector("[data-snippet-options]");
    if (!text || !data || !form) return;
    var base = JSON.parse(data.textContent);
    var pv = root.querySelector("[data-pv]");
    var overrides = {};

    function update() {
      var parts = base.map(function (pair) {
        return pair[1] === null ? pair[0] : pair[0] + '="' + escapeAttr(pair[1]) + '"';
      });
      overrides = {};
      form.querySelectorAll("[data-attribute]").forEach(function (input) {
        var name = input.getAttribute("data-attribute");
        var value = input.type === "checkbox" ? (input.checked ? "true" : "") : input.value.trim();
        // Left out when the server would refuse it (wizard/snippet.py): a colour not #RRGGBB, a font list
        // with other characters, a text past its length.
        var kind = input.getAttribute("data-kind");
        var limit = parseInt(input.getAttribute("data-max-length") || "0", 10);
        if (kind === "color" && value && !/^#[0-9a-fA-F]{6}$/.test(value)) value = "";
        if (kind === "text" && value && !/^[\p{L}\p{N}_ ,'-]+$/u.test(value)) value = "";
        if (limit && Array.from(value).length > limit) value = "";
        if (value) parts.push(name + '="' + escapeAttr(value) + '"');
        if (name === "data-hide-chat-button") overrides.hideChatButton = !!value;
        if (name === "data-render-mobile") overrides.mobile = !!value;
        if (name === "data-color-override") overrides.color = value;
        if (name === "data-font-family-override") overrides.fontFamily = value;
      });
      text.value = "<script " + parts.join(" ") + "></" + "script>";
      if (pv) {
        pv.setAttribute("data-device", overrides.mobile ? "mobile" : "desktop");
        var mobile = pv.querySelector('[data-pv-device][value="' + (overrides.mobile ? "mobile" : "desktop") + '"]');
        if (mobile) mobile.checked = true;
        var api = frameApi(pv);
        if (api) { applySwitches(pv); api.setOverrides(overrides); }
      }
    }
    root.pvUpdate = update;
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();

    var copy = root.querySelector("[data-copy-snippet]");
    var status = root.querySelector("[data-copy-status]");
    if (copy) copy.addEventListener("click", function () {
      function selected() {
        text.focus();
        text.select();
        status.textContent = text.getAttribute("data-copy-fallback") || "Selected: press Ctrl+C (or Cmd+C) to copy.";
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text.value).then(function () {
          status.textContent = copy.getAttribute("data-copied") || "Copied.";
        }, selected);
      } else {
        selected();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-snippet-builder]").forEach(initBuilder);
  });
})();
