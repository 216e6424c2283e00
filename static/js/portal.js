// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Conditional fields: <div data-show-when="field"> or data-show-when="field=value" is shown only
  // when that control is checked or has that value. Without JavaScript everything stays visible.
  function controlValue(form, name) {
    var controls = form.querySelectorAll('[name="' + name + '"]');
    if (!controls.length) return null;
    var first = controls[0];
    if (first.type === "checkbox") return first.checked ? "on" : "";
    if (first.type === "radio") {
      for (var i = 0; i < controls.length; i++) if (controls[i].checked) return controls[i].value;
      return "";
    }
    return first.value;
  }

  function applyConditions(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (el) {
      var rule = el.getAttribute("data-show-when");
      var parts = rule.split("=");
      var value = controlValue(form, parts[0]);
      var visible = parts.length > 1 ? value === parts[1] : !!value;
      el.hidden = !visible;
    });
  }

  // Warn before leaving a step with typed but unsaved values; saving buttons clear the flag.
  function guard(form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    document.querySelectorAll('button[form="' + form.id + '"]').forEach(function (button) {
      button.addEventListener("click", function () { dirty = false; });
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  function init(root) {
    root.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-show-when]")) {
        applyConditions(form);
        form.addEventListener("change", function () { applyConditions(form); });
      }
      if (form.hasAttribute("data-dirty-guard") && !form.dataset.guarded) {
        form.dataset.guarded = "1";
        guard(form);
      }
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
