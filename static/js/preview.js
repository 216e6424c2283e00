// Live widget preview: state and width switches, the same-frame fast path for the header fields,
// dropping stale server fragments, the logo load check and the embed snippet builder.
(function () {
  "use strict";

  var FAST_FIELDS = { title: 1, subtitle: 1, theme_color: 1, widget_position: 1 };
  var inputSeq = 0;

  function previewOf(el) { return el.closest("[data-pv]"); }

  // --- states and width -------------------------------------------------------------------------
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement)) return;
    var pv = previewOf(input);
    if (!pv) return;
    if (input.hasAttribute("data-pv-state")) pv.setAttribute("data-state", input.value);
    if (input.hasAttribute("data-pv-device")) pv.setAttribute("data-device", input.value);
  });

  // --- fast path: update the preview in the same frame as the keystroke -------------------------
  function syncedPreview(form) {
    var sync = document.querySelector("[data-pv-sync]");
    if (!sync || !form || form.id !== "step-form") return null;
    return document.getElementById(sync.getAttribute("data-pv-for") || "pv");
  }

  function setClass(el, prefix, name) {
    Array.prototype.slice.call(el.classList).forEach(function (cls) {
      if (cls.indexOf(prefix) === 0) el.classList.remove(cls);
    });
    el.classList.add(name);
  }

  // Ask the server for the fragment: typed text after a short pause, choices at once.
  var TYPING_DELAY_MS = 40;
  var pending = null;
  function requestFragment(control) {
    var sync = document.querySelector("[data-pv-sync]");
    if (!sync || !window.htmx) return;
    var typed = control.tagName === "TEXTAREA" || /^(text|url|email|number|search|tel)$/.test(control.type);
    clearTimeout(pending);
    if (typed) {
      pending = setTimeout(function () { htmx.trigger(sync, "pv-input"); }, TYPING_DELAY_MS);
    } else {
      htmx.trigger(sync, "pv-input");
    }
  }

  function fastPath(event) {
    var control = event.target;
    if (!control || !control.name) return;
    var pv = syncedPreview(control.form);
    if (!pv) return;
    inputSeq += 1;
    requestFragment(control);
    if (!FAST_FIELDS[control.name]) return;
    var body = pv.querySelector("[data-pv-body]");
    if (!body) return;
    if (control.name === "title" || control.name === "subtitle") {
      var value = control.value.trim();
      body.querySelectorAll('[data-pv-slot="' + control.name + '"]').forEach(function (slot) {
        slot.textContent = value; // text only: author input is never parsed as HTML
      });
    } else if (control.name === "theme_color") {
      setClass(body, "pv-theme-", "pv-theme-" + control.value.replace(/[^0-9]/g, ""));
    } else if (control.name === "widget_position" && control.checked) {
      setClass(body, "pv-pos-", control.value === "192236011" ? "pv-pos-left" : "pv-pos-right");
    }
  }
  document.addEventListener("input", fastPath, true);

  // A fragment computed before the latest keystroke would undo the fast path: drop it, the
  // request for the latest values is already on its way.
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

  // --- logo: warn when the URL does not answer with an image --------------------------------------
  document.addEventListener("error", function (event) {
    var img = event.target;
    if (!(img instanceof HTMLImageElement) || !img.hasAttribute("data-pv-logo")) return;
    img.hidden = true;
    var body = img.closest("[data-pv-body]");
    var warning = body && body.querySelector('[data-check="logo_failed"]');
    if (warning) warning.hidden = false;
  }, true);

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

    function update() {
      var parts = base.map(function (pair) {
        return pair[1] === null ? pair[0] : pair[0] + '="' + escapeAttr(pair[1]) + '"';
      });
      var body = pv && pv.querySelector("[data-pv-body]");
      form.querySelectorAll("[data-attribute]").forEach(function (input) {
        var name = input.getAttribute("data-attribute");
        var value = input.type === "checkbox" ? (input.checked ? "true" : "") : input.value.trim();
        if (input.getAttribute("data-kind") === "color" && value && !/^#[0-9a-fA-F]{6}$/.test(value)) value = "";
        if (value) parts.push(name + '="' + escapeAttr(value) + '"');
        if (!pv || !body) return;
        if (name === "data-hide-chat-button") pv.classList.toggle("pv-no-launcher", !!value);
        if (name === "data-render-mobile") pv.setAttribute("data-device", value ? "mobile" : "desktop");
        if (name === "data-color-override") {
          if (value) body.style.setProperty("--pv-theme", value); else body.style.removeProperty("--pv-theme");
        }
        if (name === "data-font-family-override") {
          if (value) pv.style.setProperty("--pv-font", value); else pv.style.removeProperty("--pv-font");
        }
      });
      text.value = "<script " + parts.join(" ") + "></" + "script>";
    }
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
