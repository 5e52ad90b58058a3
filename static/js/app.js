// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Unsent answers survive a dropped signal or an expired session: each change is
  // kept in this tab's sessionStorage with the version of the report the form was
  // built from. Back on the same form, answers are restored only if the report has
  // not changed since (so the POST never arrived). A new form keeps its own fresh
  // one-time key: restored answers are a new submission, and a page that confirms
  // a save (data-forget) drops what was kept for the form it came from.
  function storageKey(form) { return "al-draft:" + form.getAttribute("action"); }

  function snapshot(form) {
    var values = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") { return; }
      (values[name] = values[name] || []).push(value);
    });
    return { version: form.dataset.keep, values: values };
  }

  function restore(form) {
    var saved;
    try { saved = JSON.parse(window.sessionStorage.getItem(storageKey(form)) || "null"); } catch (e) { saved = null; }
    if (!saved || saved.version !== form.dataset.keep) { return; }
    form.querySelectorAll("input, textarea, select").forEach(function (field) {
      var values = saved.values[field.name];
      if (!values || field.name === "csrfmiddlewaretoken" || field.name === "submission_key") { return; }
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = values.indexOf(field.value) !== -1;
      } else if (field.tagName === "SELECT" || field.type !== "file") {
        field.value = values[0];
      }
    });
    var notice = document.createElement("div");
    notice.className = "alert alert-info";
    notice.setAttribute("role", "status");
    notice.textContent = "We kept what you had typed before the connection or your sign-in was lost. " +
      "Check it and save. If you already saw a reference for it, look in My reports first.";
    form.parentNode.insertBefore(notice, form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so screen readers announce it first.
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }

    document.querySelectorAll("[data-forget]").forEach(function (element) {
      element.dataset.forget.split(" ").forEach(function (action) {
        try { window.sessionStorage.removeItem("al-draft:" + action); } catch (e) { /* storage off */ }
      });
    });

    document.querySelectorAll("form[data-keep]").forEach(function (form) {
      if (!summary) { restore(form); }
      var save = function () {
        try { window.sessionStorage.setItem(storageKey(form), JSON.stringify(snapshot(form))); } catch (e) { /* storage full or off */ }
      };
      form.addEventListener("input", save);
      form.addEventListener("change", save);
    });

    // One tap, one submission: the server is idempotent anyway, this just
    // stops a second request being sent on a slow connection.
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("button[type=submit]").forEach(function (button) {
          window.setTimeout(function () { button.disabled = true; }, 0);
        });
      });
    });
  });
})();
