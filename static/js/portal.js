// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // htmx's settings, read by htmx when the page has loaded (this script runs before that). No eval and no
  // scripts from responses, as the content security policy allows neither; no history cache, so a page
  // that is gone is loaded again; 409 (a stale save, answered with the conflict) is swapped like a 200.
  if (window.htmx) {
    Object.assign(window.htmx.config, {
      includeIndicatorStyles: false,
      allowEval: false,
      allowScriptTags: false,
      attributesToSettle: ["class", "width", "height"],
      historyCacheSize: 0,
      refreshOnHistoryMiss: true,
      responseHandling: [
        { code: "204", swap: false },
        { code: "[23]..", swap: true },
        { code: "409", swap: true, error: false },
        { code: "[45]..", swap: false, error: true },
      ],
    });
  }

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
    form.unsavedTyping = form.hasAttribute("data-unsaved");  // a form shown with values not saved yet
    form.addEventListener("input", function () { form.unsavedTyping = true; });
    form.addEventListener("change", function () { form.unsavedTyping = true; });
    form.addEventListener("submit", function () { form.unsavedTyping = false; });
    document.querySelectorAll('button[form="' + form.id + '"]').forEach(function (button) {
      button.addEventListener("click", function () { form.unsavedTyping = false; });
    });
    window.addEventListener("beforeunload", function (event) {
      if (form.unsavedTyping && form.isConnected) { event.preventDefault(); event.returnValue = ""; }
    });
    window.addEventListener("pagehide", function () { keepTyping(form); });
    restoreTyping(form);
  }

  // Typing not saved when the page goes (the browser's Back or Forward, a reload, a link) is kept in this
  // tab's session storage and filled in again when the step is shown next, marked as not saved, with the
  // version and base it was typed on: saving it then merges with anything saved since, or shows what
  // both changed, as any stale save does. Controls the page no longer has (a row added since) are left out.
  // Kept per person (data-kept-for): someone else signing in on this tab never gets it.
  var KEPT = "studio-unsaved:";
  function keptKey(form) { return KEPT + form.getAttribute("data-kept-for") + ":" + form.getAttribute("action"); }
  function formValues(form) {
    var values = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrfmiddlewaretoken") values.push([name, value]);
    });
    return values;
  }
  function keepTyping(form) {
    if (!form.unsavedTyping || !form.isConnected || !window.sessionStorage) return;
    try {
      sessionStorage.setItem(keptKey(form), JSON.stringify(formValues(form)));
    } catch (error) { /* storage full or refused: nothing kept */ }
  }
  // What typing was typed on (hidden), not typed: set only once something typed differs from the page.
  var TYPED_ON = ["version", "base"];
  function typedOnly(pairs) {
    return JSON.stringify(pairs.filter(function (pair) { return TYPED_ON.indexOf(pair[0]) === -1; }));
  }
  function controlState(control) {
    return control.type === "checkbox" || control.type === "radio" ? control.checked : control.value;
  }
  function restoreTyping(form) {
    if (!window.sessionStorage || form.hasAttribute("data-unsaved")) return;
    var key = keptKey(form);
    var kept = sessionStorage.getItem(key);
    if (!kept) return;
    sessionStorage.removeItem(key);
    var shown = typedOnly(formValues(form));
    var values = {};
    JSON.parse(kept).forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    // As many rows as were there (rows added or removed in the page), then every row's values by name.
    form.querySelectorAll("[data-row-group]").forEach(function (group) {
      var count = parseInt((values[group.getAttribute("data-row-group") + "-TOTAL_FORMS"] || [])[0], 10);
      if (isNaN(count)) return;
      var rows = rowsOf(group);
      rows.slice(count).forEach(function (row) { row.remove(); });
      for (var added = rows.length; added < count; added++) addRow(group);
      renumber(group);
    });
    Array.prototype.forEach.call(form.elements, function (control) {
      var typed = values[control.name] || [];
      if (!control.name || ["submit", "button", "hidden"].indexOf(control.type) !== -1) return;
      var before = controlState(control);
      if (control.type === "checkbox" || control.type === "radio") {
        control.checked = typed.indexOf(control.value) !== -1;
      } else if (control.multiple) {
        Array.prototype.forEach.call(control.options, function (o) { o.selected = typed.indexOf(o.value) !== -1; });
      } else if (typed.length) {
        control.value = typed[0];
      }
      if (controlState(control) !== before) clearError(control);  // the error was about the saved value
    });
    if (typedOnly(formValues(form)) === shown) return;  // nothing differs from the step as saved
    // Saved against what it was typed on, so that the save is checked against what was saved since.
    TYPED_ON.forEach(function (name) {
      var control = form.querySelector('input[name="' + name + '"]');
      if (control && values[name]) control.value = values[name][0];
    });
    form.unsavedTyping = true;
    var note = document.createElement("div");
    note.className = "alert alert-warning";
    note.setAttribute("role", "status");
    note.textContent = form.getAttribute("data-restored-message") + " ";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-secondary ms-1";
    discard.textContent = form.getAttribute("data-discard-label");
    discard.addEventListener("click", function () {
      form.unsavedTyping = false;
      window.location.reload();
    });
    note.appendChild(discard);
    form.insertAdjacentElement("beforebegin", note);
    form.dispatchEvent(new Event("change", { bubbles: true }));
    form.dispatchEvent(new Event("input", { bubbles: true }));
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!window.sessionStorage || !form.hasAttribute) return;
    if (form.hasAttribute("data-dirty-guard")) sessionStorage.removeItem(keptKey(form));
    if (form.hasAttribute("data-sign-out")) {
      Object.keys(sessionStorage).forEach(function (key) {
        if (key.indexOf(KEPT) === 0) sessionStorage.removeItem(key);
      });
    }
  });

  // Changing the display language loads the page again: a step with unsaved typing is saved first
  // (as Save draft would), and the language changes once that save went through. A refused save (a
  // conflict, say) is shown as usual and the language stays.
  document.addEventListener("submit", function (event) {
    var language = event.target;
    if (!language.classList || !language.classList.contains("language-form")) return;
    // Back to the page shown now: htmx may have moved to another step since the bar was drawn.
    var next = language.querySelector('[name="next"]');
    if (next) next.value = window.location.pathname + window.location.search;
    var form = document.getElementById("step-form");
    var save = form && form.querySelector('button[name="nav"][value="save"]');
    if (!form || !form.unsavedTyping || !save || !window.htmx) return;
    event.preventDefault();
    form.addEventListener("htmx:afterRequest", function (done) {
      if (done.detail.successful && done.detail.xhr.status === 200) language.submit();
    }, { once: true });
    save.click();
  });

  function init(root) {
    root.querySelectorAll("[data-row-group]").forEach(function (group) {
      rowsOf(group).forEach(applyRowConditions);
    });
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


  // Repeating rows (domains, messages, questions): add, remove and reorder in the page. The buttons
  // still post a row action when this script is absent; here they act on the DOM, and renumber()
  // keeps the formset's field names, ids and management form in step with the rows' order.
  function rowsOf(group) {
    return Array.prototype.slice.call(group.querySelector("[data-rows]").children).filter(function (el) {
      return el.hasAttribute("data-row");
    });
  }

  function renumber(group) {
    var prefix = group.getAttribute("data-row-group");
    // Names, control ids and their wrappers' ids (div_id_…) all carry the row's index.
    var pattern = new RegExp("^((?:div_)?(?:id_)?)" + prefix + "-(\\d+|__prefix__)-");
    var rows = rowsOf(group);
    rows.forEach(function (row, index) {
      row.setAttribute("data-row-index", String(index));
      row.querySelectorAll("[name],[id],[for],[aria-describedby]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value && pattern.test(value)) {
            el.setAttribute(attr, value.replace(pattern, "$1" + prefix + "-" + index + "-"));
          }
        });
        var described = el.getAttribute("aria-describedby");
        if (described) {
          el.setAttribute("aria-describedby", described.split(" ").map(function (id) {
            return id.replace(new RegExp("^(.*?)" + prefix + "-(\\d+|__prefix__)-"), "$1" + prefix + "-" + index + "-");
          }).join(" "));
        }
      });
      row.querySelectorAll("[data-row-number]").forEach(function (el) { el.textContent = String(index + 1); });
      row.querySelectorAll('button[name="row_action"]').forEach(function (button) {
        var verb = button.value.split(":")[0];
        button.value = verb + ":" + prefix + ":" + index;
      });
      var up = row.querySelector('[data-row-move="up"]');
      var down = row.querySelector('[data-row-move="down"]');
      if (up) up.hidden = index === 0;
      if (down) down.hidden = index === rows.length - 1;
    });
    var total = group.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    if (total) total.value = String(rows.length);
    var empty = group.querySelector("[data-rows-empty]");
    if (empty) empty.hidden = rows.length > 0;
    var max = parseInt(group.getAttribute("data-max-rows") || "0", 10);
    group.querySelectorAll("[data-row-add],[data-identify]").forEach(function (button) {
      button.disabled = max > 0 && rows.length >= max;
    });
    // "At most N rows" goes away once enough rows are removed, here and in the step's error summary.
    var over = max > 0 && rows.length > max;
    var limit = group.querySelector("[data-rows-limit]");
    if (limit) limit.hidden = !over;
    document.querySelectorAll('#step-problems [data-rows-limit="' + group.id + '"]').forEach(function (item) {
      item.hidden = !over;
    });
    updateIdentify(group);
    rows.forEach(applyRowConditions);
  }

  function updateIdentify(group) {
    var names = rowsOf(group).map(function (row) {
      var input = row.querySelector('[name$="-name"]');
      return input ? input.value.trim().toLowerCase() : "";
    });
    group.querySelectorAll("[data-identify]").forEach(function (button) {
      button.hidden = names.indexOf(button.getAttribute("data-identify").toLowerCase()) !== -1;
    });
  }

  // Row fields shown only while another field of the same row has a value:
  // data-row-show-when="options:answer_type=192350002;...".
  function applyRowConditions(row) {
    var rules = row.getAttribute("data-row-show-when");
    if (!rules) return;
    rules.split(";").forEach(function (rule) {
      var target = rule.split(":")[0];
      var condition = rule.slice(target.length + 1).split("=");
      var control = row.querySelector('[name$="-' + condition[0] + '"]');
      var holder = row.querySelector('[data-row-field="' + target + '"]');
      if (control && holder) holder.hidden = control.value !== condition[1];
    });
  }

  function addRow(group, values) {
    var template = group.querySelector("template[data-row-template]");
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__number__/g, "0");
    var row = holder.firstElementChild;
    while (row && !row.hasAttribute("data-row")) row = row.nextElementSibling;
    group.querySelector("[data-rows]").appendChild(row);
    Object.keys(values || {}).forEach(function (name) {
      var control = row.querySelector('[name$="-' + name + '"]');
      if (!control) return;
      if (control.type === "checkbox") control.checked = !!values[name]; else control.value = values[name];
    });
    renumber(group);
    return row;
  }

  function rowAction(button) {
    var group = button.closest("[data-row-group]");
    var form = button.form;
    var row = button.closest("[data-row]");
    var focus = null;
    if (button.hasAttribute("data-row-add")) {
      focus = addRow(group).querySelector("input,select,textarea");
    } else if (button.hasAttribute("data-identify")) {
      var added = addRow(group, { name: button.getAttribute("data-identify"), text: button.getAttribute("data-question-text") });
      focus = added.querySelector("input,select,textarea");
    } else if (button.hasAttribute("data-row-remove")) {
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber(group);
      focus = next ? next.querySelector("input,select,textarea") : group.querySelector("[data-row-add]");
    } else if (button.hasAttribute("data-row-move")) {
      var up = button.getAttribute("data-row-move") === "up";
      var other = up ? row.previousElementSibling : row.nextElementSibling;
      if (other) row.parentNode.insertBefore(row, up ? other : other.nextElementSibling);
      renumber(group);
      focus = row.querySelector('[data-row-move="' + (up ? "up" : "down") + '"]:not([hidden])') || row.querySelector("[data-row-remove]");
    }
    if (focus) focus.focus();
    if (form) form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest('[data-row-group] button[name="row_action"]');
    if (!button || button.disabled) return;
    event.preventDefault();
    rowAction(button);
  });
  document.addEventListener("input", function (event) {
    var group = event.target.closest && event.target.closest("[data-row-group]");
    if (group && /-name$/.test(event.target.name || "")) updateIdentify(group);
  });
  document.addEventListener("change", function (event) {
    var row = event.target.closest && event.target.closest("[data-row]");
    if (row) applyRowConditions(row);
  });

  // Field errors come from the server after the author acted (Next, Save). Once a marked field is
  // changed and the browser finds nothing wrong with it, the stale message goes; a required field the
  // author emptied gets a message beside it when they leave it.
  function fieldBox(control) {
    return control.closest("[data-field-box], [id^='div_id_'], .theme-color, .mb-3") || control.parentNode;
  }

  function clearError(control) {
    var box = fieldBox(control);
    box.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
    box.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
    control.removeAttribute("aria-invalid");
    // Only the ids still in the page: the removed messages' go with them.
    var described = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && document.getElementById(id);
    });
    if (described.length) control.setAttribute("aria-describedby", described.join(" "));
    else control.removeAttribute("aria-describedby");
  }

  function showError(control, message) {
    clearError(control);
    control.classList.add("is-invalid");
    control.setAttribute("aria-invalid", "true");
    var feedback = document.createElement("div");
    feedback.className = "invalid-feedback d-block";
    feedback.setAttribute("data-client-error", "");
    feedback.textContent = message;
    if (control.id) {
      feedback.id = control.id + "_client_error";
      var described = control.getAttribute("aria-describedby");
      control.setAttribute("aria-describedby", (described ? described + " " : "") + feedback.id);
    }
    control.insertAdjacentElement("afterend", feedback);
  }

  function checkField(event, leaving) {
    var control = event.target;
    if (!control.form || !control.name) return;
    var guarded = control.form.hasAttribute("data-dirty-guard");
    // A length limit is said as soon as it is passed (the page has no maxlength, which would cut pasted
    // text short without a word). A step field's length counts UTF-16 units, as Dataverse does; a
    // comment's (data-count-characters) counts characters, as the portal stores it.
    var limit = parseInt(control.getAttribute("data-max-length") || "0", 10);
    if (!guarded && !limit) return;
    var message = control.form.getAttribute("data-too-long-message");
    // A line break is sent as two characters (CR LF), and the server counts what is sent.
    var sent = control.value.replace(/\r?\n/g, "\r\n");
    var length = control.hasAttribute("data-count-characters") ? Array.from(sent).length : sent.length;
    if (limit && message && length > limit) {
      showError(control, message.replace("%(limit)d", String(limit)).replace("%(length)d", String(length)));
      return;
    }
    if (guarded && control.checkValidity && !control.checkValidity()) {
      var form = control.form;
      if (leaving) {
        showError(control, control.validity.valueMissing && form.getAttribute("data-required-message")
          ? form.getAttribute("data-required-message") : control.validationMessage);
      }
      return;
    }
    var box = fieldBox(control);
    if (box.querySelector(".is-invalid, .invalid-feedback")) {
      clearError(control);
      forgetProblem(control);
    }
  }

  // A field fixed since the save leaves the error summary at the top too; a summary left with nothing to
  // list goes. The next save checks the step again.
  function forgetProblem(control) {
    var summary = document.getElementById("step-problems");
    if (!summary || !control.id) return;
    summary.querySelectorAll('a[href="#' + CSS.escape(control.id) + '"]').forEach(function (link) {
      link.closest("li").remove();
    });
    var list = summary.querySelector("ul");
    if (list && !list.children.length) summary.hidden = true;
  }
  document.addEventListener("input", function (event) {
    if (event.target.dataset) event.target.dataset.touched = "1";
    checkField(event, false);
  });
  document.addEventListener("change", function (event) { checkField(event, false); });
  document.addEventListener("focusout", function (event) {
    // Not when focus moves to a submit button: the message would shift the button under the pointer,
    // and the server answers that click with the same message anyway.
    var next = event.relatedTarget;
    if (next && next.type === "submit") return;
    if (event.target.dataset && event.target.dataset.touched) checkField(event, true);
  });

  // A step saved through htmx is answered with a #step-page: the next step's, or this one's with what
  // was typed and why it was not saved (a conflict, 409; a draft too large, 413). An error page that
  // names its problem (data-error-message: an expired page, a refused permission) is said above the
  // form, which keeps what was typed. Anything else (the sign-in page) is shown as without htmx.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "step-page") return;
    var xhr = event.detail.xhr;
    if (xhr.responseText.indexOf('id="step-page"') !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      return;
    }
    event.detail.shouldSwap = false;
    var problem = new DOMParser().parseFromString(xhr.responseText, "text/html").querySelector("[data-error-message]");
    var form = target.querySelector("#step-form");
    if (problem && form) {
      var alert = target.querySelector("[data-save-problem]") || document.createElement("div");
      alert.className = "alert alert-danger";
      alert.setAttribute("role", "alert");
      alert.setAttribute("data-save-problem", "");
      alert.textContent = problem.textContent.trim();
      form.parentNode.insertBefore(alert, form);
      alert.scrollIntoView({ block: "center" });
      return;
    }
    window.location.assign(xhr.responseURL || window.location.href);
  });
  // After the swap, focus goes where a page load would put it: the error summary of a refused save,
  // else the new step's heading.
  document.addEventListener("htmx:afterSettle", function (event) {
    var page = event.target;
    if (!page || page.id !== "step-page") return;
    var summary = page.querySelector("[data-focus-first]");
    if (summary) {
      summary.focus();
      return;
    }
    var heading = page.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    var summary = document.querySelector("[data-focus-first]");
    if (summary && document.activeElement !== summary) summary.focus();
  });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
