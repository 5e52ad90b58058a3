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

  // The offline app (service worker and outbox.js): registered for signed-in officers only.
  var outbox = window.AssaultLogOutbox;
  var supported = outbox && window.indexedDB && "serviceWorker" in navigator;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function savedWhen(entry) {
    var then = new Date(entry.savedAt);
    return then.toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  function entryItem(entry, refresh) {
    var item = el("li", "outbox-entry");
    item.appendChild(el("span", "d-block fw-semibold", entry.what));
    var state = {
      waiting: "Saved " + savedWhen(entry) + ". Waiting for signal.",
      "sign-in": "Saved " + savedWhen(entry) + ". Waiting for you to sign in.",
      same: "Not sent: it has the same answers as " + (entry.sameAs || "a report") + ", which you logged a few minutes before.",
      refused: "Not sent: the answers were refused. Delete it and log it again.",
      other: "Saved by someone else who was signed in on this phone: it cannot be sent as yours."
    }[entry.state] || "Saved " + savedWhen(entry) + ".";
    item.appendChild(el("span", "d-block", state));
    var actions = el("span", "d-flex flex-wrap gap-2 mt-1");
    var button = function (label, className, action) {
      var control = el("button", "btn " + className, label);
      control.type = "button";
      control.addEventListener("click", function () { action(entry.id).then(refresh); });
      actions.appendChild(control);
    };
    if (entry.state === "same") {
      button("Send it anyway", "btn-outline-primary", outbox.sendAnyway);
      button("It's the same one: delete this", "btn-outline-danger", outbox.discard);
    } else if (entry.state === "refused" || entry.state === "other") {
      button("Delete it", "btn-outline-danger", outbox.discard);
    }
    if (actions.childNodes.length) { item.appendChild(actions); }
    return item;
  }

  function showOutbox() {
    var sections = document.querySelectorAll("[data-outbox]");
    if (!supported || !sections.length) { return Promise.resolve(); }
    return outbox.all().then(function (entries) {
      sections.forEach(function (section) {
        var list = section.querySelector("[data-outbox-list]");
        list.textContent = "";
        entries.forEach(function (entry) { list.appendChild(entryItem(entry, showOutbox)); });
        section.hidden = entries.length === 0;
        section.dataset.pending = entries.some(function (entry) {
          return entry.state === "waiting" || entry.state === "sign-in";
        }) ? "1" : "";
        section.querySelector(".outbox-sign-in").hidden = !entries.some(function (entry) { return entry.state === "sign-in"; });
      });
      showSendNow();
    }).catch(function () { /* storage off */ });
  }

  // "Send now" only where it can do something: reports waiting, and a signal to send them on.
  function showSendNow() {
    document.querySelectorAll("[data-outbox]").forEach(function (section) {
      section.querySelector("[data-outbox-send]").hidden = !navigator.onLine || !section.dataset.pending;
    });
  }

  function announceSent(sent) {
    if (!sent.length) { return; }
    var region = document.querySelector("[data-outbox-sent]");
    if (!region) {
      region = el("div", "alert alert-success");
      region.setAttribute("role", "status");
      region.setAttribute("data-outbox-sent", "");
      var main = document.getElementById("main");
      main.insertBefore(region, main.firstChild);
    }
    region.textContent = "Sent from this phone: ";
    sent.forEach(function (entry, index) {
      region.appendChild(document.createTextNode((index ? "; " : "") + entry.what + (entry.reference ? ", now " : "")));
      if (entry.reference) {
        var report = el("a", "", entry.reference);
        report.href = "/reports/" + entry.reference + "/";
        region.appendChild(report);
      }
    });
    region.appendChild(document.createTextNode("."));
    if (document.querySelector(".offline")) {
      // The page kept for no signal: the real one can be opened now.
      var link = el("a", "ms-1", "Open My reports");
      link.href = "/reports/";
      region.appendChild(link);
    }
  }

  function sendWaiting() {
    if (!supported || !navigator.onLine) { return; }
    outbox.flush().then(function (sent) { announceSent(sent); return showOutbox(); });
  }

  function startOfflineApp() {
    var owner = document.querySelector('meta[name="al-owner"]');
    if (!supported) { return; }
    if (owner) {
      outbox.setOwner(owner.content).catch(function () { /* storage off */ });
      navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; }).then(function (registration) {
        if (registration.active) { registration.active.postMessage("signed-in"); }
      }).catch(function () { /* the app works online without it */ });
    }
    try {
      new BroadcastChannel("al-outbox").onmessage = function (event) {
        if (event.data && event.data.sent) { announceSent(event.data.sent); }
        showOutbox();
      };
    } catch (e) { /* re-read on load */ }
    document.querySelectorAll("[data-outbox-send]").forEach(function (control) {
      control.addEventListener("click", sendWaiting);
    });
    window.addEventListener("offline", showSendNow);
    window.addEventListener("online", function () { showSendNow(); sendWaiting(); });
    showOutbox().then(function () { if (owner) { sendWaiting(); } });

    // The "saved on this phone" page: the form's answers are kept in the outbox now.
    var from = new URLSearchParams(window.location.search).get("from");
    if (document.querySelector(".offline") && from) {
      try { window.sessionStorage.removeItem("al-draft:" + from); } catch (e) { /* storage off */ }
    }

    // Signing out asks before discarding reports not yet sent, and leaves nothing behind.
    document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.cleared) { return; }
        event.preventDefault();
        outbox.all().then(function (entries) {
          if (entries.length && !window.confirm(
            entries.length + (entries.length === 1 ? " report is" : " reports are") +
            " saved on this phone and not sent yet. Sign out and delete " + (entries.length === 1 ? "it" : "them") + "?")) {
            return false;
          }
          return outbox.forget().then(function () { return true; });
        }).catch(function () { return true; }).then(function (go) {
          if (go) { form.dataset.cleared = "1"; form.submit(); }
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    startOfflineApp();

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
