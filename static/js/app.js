// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Unsent answers survive a dropped signal or an expired session: each change is
  // kept in this tab's sessionStorage with the version of the report the form was
  // built from and when the officer started typing. Back on the same form, answers are
  // restored only if the report has not changed since (so the POST never arrived), with
  // when they were started and a way to start again. A new form keeps its own fresh
  // one-time key: the server asks before filing the same answers twice, and a page that
  // confirms a save (data-forget) drops what was kept for the form it came from.
  function storageKey(form) { return "al-draft:" + form.getAttribute("action"); }

  function kept(form) {
    try { return JSON.parse(window.sessionStorage.getItem(storageKey(form)) || "null"); } catch (e) { return null; }
  }

  function snapshot(form, started) {
    var values = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") { return; }
      (values[name] = values[name] || []).push(value);
    });
    return { version: form.dataset.keep, started: started, values: values };
  }

  function whenStarted(started) {
    var then = new Date(started);
    if (isNaN(then.getTime())) { return "earlier"; }
    var time = then.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    if (then.toDateString() === new Date().toDateString()) { return "at " + time + " today"; }
    return "at " + time + " on " + then.toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long" });
  }

  function restore(form, saved) {
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
    var text = document.createElement("p");
    text.textContent = "These are the answers you started " + whenStarted(saved.started) +
      " and did not send. Check them and send, or start again.";
    var again = document.createElement("button");
    again.type = "button";
    again.className = "btn btn-outline-primary";
    again.textContent = "Start again";
    again.addEventListener("click", function () {
      try { window.sessionStorage.removeItem(storageKey(form)); } catch (e) { /* storage off */ }
      form.reset();
      notice.remove();
      var first = form.querySelector("input:not([type=hidden]), textarea, select");
      if (first) { first.focus(); }
    });
    notice.appendChild(text);
    notice.appendChild(again);
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
      var saved = kept(form);
      if (saved && saved.version !== form.dataset.keep) { saved = null; }
      if (saved && !summary) { restore(form, saved); }
      var save = function () {
        var prior = kept(form);
        var started = prior && prior.version === form.dataset.keep && prior.started ? prior.started : new Date().toISOString();
        try { window.sessionStorage.setItem(storageKey(form), JSON.stringify(snapshot(form, started))); } catch (e) { /* storage full or off */ }
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
