// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // What this file says, in the page's language: the JSON block of templates/partials/js_strings.html,
  // read once. The English here is the fallback where the block is missing (a page kept on the
  // phone from before it existed). "{name}" in a text is filled in by format() or fill().
  var TEXT = {
    earlier: "earlier",
    atTimeToday: "at {time} today",
    atTimeOnDate: "at {time} on {date}",
    answersKept: "These are the answers you started {when} and did not send. Check them and send, or start again.",
    startAgain: "Start again",
    savedWaiting: "Saved {when}. Waiting for signal.",
    savedSignIn: "Saved {when}. Waiting for you to sign in.",
    savedAt: "Saved {when}.",
    notSentSame: "Not sent: it has the same answers as {report}, which you logged a few minutes before.",
    aReport: "a report",
    notSentRefused: "Not sent: the answers were refused. Delete it and log it again.",
    savedByOther: "Saved by someone else who was signed in on this phone: it cannot be sent as yours.",
    sendAnyway: "Send it anyway",
    sameDelete: "It's the same one: delete this",
    deleteIt: "Delete it",
    sentFromPhone: "Sent from this phone: {reports}.",
    sentNow: "{what}, now {reference}",
    openMyReports: "Open My reports",
    stepOfReport: "Step {step} of report {reference}",
    sendingReport: "Sending report {reference}",
    fullReport: "A new full report of an assault",
    fullReportOn: "A new full report of an assault on {date}",
    quickLog: "An assault logged quickly",
    quickLogOn: "An assault logged quickly on {date}",
    signOutAsk: {
      one: "{count} report is saved on this phone and not sent yet. Sign out and delete it?",
      two: "{count} reports are saved on this phone and not sent yet. Sign out and delete them?",
      other: "{count} reports are saved on this phone and not sent yet. Sign out and delete them?",
      eight: "{count} reports are saved on this phone and not sent yet. Sign out and delete them?"
    }
  };
  (function () {
    var block = document.getElementById("al-strings");
    if (!block) { return; }
    try {
      var given = JSON.parse(block.textContent);
      Object.keys(given).forEach(function (key) { TEXT[key] = given[key]; });
    } catch (e) { /* the English stays */ }
  })();
  // Dates and times in the page's language too: the browser's where it has that language's
  // (Intl), else put together from the names the page gave (Chromium has no Welsh dates).
  var LOCALE = document.documentElement.lang || "en-GB";
  var INTL = (function () {
    try { return Intl.DateTimeFormat.supportedLocalesOf([LOCALE]).length > 0 || !TEXT.months; } catch (e) { return true; }
  })();
  var STYLES = {
    date: { day: "numeric", month: "short", year: "numeric" },
    day: { weekday: "long", day: "numeric", month: "long" },
    saved: { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }
  };

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function timeText(when) {
    if (INTL) { return when.toLocaleTimeString(LOCALE, { hour: "2-digit", minute: "2-digit" }); }
    return pad(when.getHours()) + ":" + pad(when.getMinutes());
  }

  // "14 Mar 2026" (date), "Saturday 14 March" (day), "14 Mar, 09:05" (saved), as the server's
  // date filter writes them in Welsh when the browser cannot.
  function dateText(when, style) {
    if (INTL) {
      return style === "saved" ? when.toLocaleString(LOCALE, STYLES.saved) : when.toLocaleDateString(LOCALE, STYLES[style]);
    }
    var short = TEXT.monthsShort[when.getMonth()];
    short = short.charAt(0).toUpperCase() + short.slice(1);
    if (style === "day") { return TEXT.weekdays[when.getDay()] + " " + when.getDate() + " " + TEXT.months[when.getMonth()]; }
    if (style === "saved") { return when.getDate() + " " + short + ", " + timeText(when); }
    return when.getDate() + " " + short + " " + when.getFullYear();
  }

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  // format() for a text some of whose values are elements (a link): a fragment to append.
  function fill(text, values) {
    var fragment = document.createDocumentFragment();
    text.split(/(\{\w+\})/).forEach(function (part) {
      var name = /^\{(\w+)\}$/.exec(part);
      var value = name && Object.prototype.hasOwnProperty.call(values, name[1]) ? values[name[1]] : part;
      if (value === "") { return; }
      fragment.appendChild(typeof value === "string" ? document.createTextNode(value) : value);
    });
    return fragment;
  }

  // The form of a text with a count: gettext's Welsh forms (one, two, eight or eleven, other),
  // which the server filled in the page's language (English has one and other alike).
  function plural(forms, count) {
    var form = count === 1 ? "one" : count === 2 ? "two" : count === 8 || count === 11 ? "eight" : "other";
    return format(forms[form] || forms.other, { count: count });
  }

  // What a report waiting on the phone is, said from what outbox.js kept about it (an entry
  // kept by an older outbox.js has only its description, in English).
  function describe(entry) {
    var about = entry.about;
    if (!about) { return entry.what || ""; }
    if (about.kind === "step") { return format(TEXT.stepOfReport, { step: about.step, reference: about.reference }); }
    if (about.kind === "check") { return format(TEXT.sendingReport, { reference: about.reference }); }
    var day = new Date(about.date + "T12:00:00");
    var date = isNaN(day.getTime()) ? "" : dateText(day, "date");
    if (about.kind === "full") { return date ? format(TEXT.fullReportOn, { date: date }) : TEXT.fullReport; }
    return date ? format(TEXT.quickLogOn, { date: date }) : TEXT.quickLog;
  }

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
    if (isNaN(then.getTime())) { return TEXT.earlier; }
    var time = timeText(then);
    if (then.toDateString() === new Date().toDateString()) { return format(TEXT.atTimeToday, { time: time }); }
    return format(TEXT.atTimeOnDate, { time: time, date: dateText(then, "day") });
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
    text.textContent = format(TEXT.answersKept, { when: whenStarted(saved.started) });
    var again = document.createElement("button");
    again.type = "button";
    again.className = "btn btn-outline-primary";
    again.textContent = TEXT.startAgain;
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
    return dateText(then, "saved");
  }

  function entryItem(entry, refresh) {
    var item = el("li", "outbox-entry");
    item.appendChild(el("span", "d-block fw-semibold", describe(entry)));
    var when = { when: savedWhen(entry) };
    var state = {
      waiting: format(TEXT.savedWaiting, when),
      "sign-in": format(TEXT.savedSignIn, when),
      same: format(TEXT.notSentSame, { report: entry.sameAs || TEXT.aReport }),
      refused: TEXT.notSentRefused,
      other: TEXT.savedByOther
    }[entry.state] || format(TEXT.savedAt, when);
    item.appendChild(el("span", "d-block", state));
    var actions = el("span", "d-flex flex-wrap gap-2 mt-1");
    var button = function (label, className, action) {
      var control = el("button", "btn " + className, label);
      control.type = "button";
      control.addEventListener("click", function () { action(entry.id).then(refresh); });
      actions.appendChild(control);
    };
    if (entry.state === "same") {
      button(TEXT.sendAnyway, "btn-outline-primary", outbox.sendAnyway);
      button(TEXT.sameDelete, "btn-outline-danger", outbox.discard);
    } else if (entry.state === "refused" || entry.state === "other") {
      button(TEXT.deleteIt, "btn-outline-danger", outbox.discard);
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
    var reports = document.createDocumentFragment();
    sent.forEach(function (entry, index) {
      if (index) { reports.appendChild(document.createTextNode("; ")); }
      if (!entry.reference) { reports.appendChild(document.createTextNode(describe(entry))); return; }
      var report = el("a", "", entry.reference);
      report.href = "/reports/" + entry.reference + "/";
      reports.appendChild(fill(TEXT.sentNow, { what: describe(entry), reference: report }));
    });
    region.textContent = "";
    region.appendChild(fill(TEXT.sentFromPhone, { reports: reports }));
    if (document.querySelector(".offline")) {
      // The page kept for no signal: the real one can be opened now.
      var link = el("a", "ms-1", TEXT.openMyReports);
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
      // The worker keeps the no-signal page in the page's language: a language switched since
      // is a new script address, so the browser installs a worker for it straight away (a
      // changed script at the same address may wait for the browser's next update check).
      var worker = "/sw.js?lang=" + encodeURIComponent(document.documentElement.lang);
      navigator.serviceWorker.register(worker).then(function () { return navigator.serviceWorker.ready; }).then(function (registration) {
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
          if (entries.length && !window.confirm(plural(TEXT.signOutAsk, entries.length))) {
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
