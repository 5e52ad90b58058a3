// The phone's outbox: a report sent with no signal is kept in IndexedDB, with its one-time
// key, until the server has it. Loaded by the pages (app.js) and by the service worker
// (/sw.js), which both send from it; a lock makes one send at a time, and the one-time key
// makes a report filed once however often it is sent. Nothing else about a report is kept
// on the phone, and a sent report is deleted from it at once.
(function (global) {
  "use strict";
  var NAME = "assault-log";
  var OUTBOX = "outbox";
  var META = "meta";
  var KEYED = ["submission_key"];

  function open() {
    return new Promise(function (resolve, reject) {
      var request = global.indexedDB.open(NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(OUTBOX, { keyPath: "id", autoIncrement: true });
        request.result.createObjectStore(META);
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // Run work(stores) in one transaction; resolve with what its last request gave.
  function inTransaction(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction([OUTBOX, META], mode);
        var request = work(transaction.objectStore(OUTBOX), transaction.objectStore(META));
        transaction.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        transaction.onerror = transaction.onabort = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function all() {
    return inTransaction("readonly", function (outbox) { return outbox.getAll(); }).then(function (entries) {
      return entries || [];
    });
  }

  function update(entry) { return inTransaction("readwrite", function (outbox) { return outbox.put(entry); }); }
  function remove(id) { return inTransaction("readwrite", function (outbox) { return outbox.delete(id); }); }

  // Who is signed in on this phone (an opaque tag from the page): a report is sent only
  // for the officer who saved it.
  function setOwner(owner) {
    return inTransaction("readwrite", function (outbox, meta) { return meta.put(owner, "owner"); });
  }

  // What the entry is, as data: the page that lists it says it in its own language (app.js's
  // describe). Kept here, not as text: the service worker keeps entries too, and has no page.
  function about(path, fields) {
    var value = function (name) {
      var found = fields.filter(function (field) { return field[0] === name; })[0];
      return found ? found[1] : "";
    };
    var step = path.match(/^\/reports\/([^/]+)\/edit\/(\d+)\/$/);
    if (step) { return { kind: "step", step: step[2], reference: step[1] }; }
    var check = path.match(/^\/reports\/([^/]+)\/check\/$/);
    if (check) { return { kind: "check", reference: check[1] }; }
    return { kind: path === "/report/new/" ? "full" : "quick", date: value("occurred_on") };
  }

  // Keep a form sent with no signal. Resolves with the stored entry.
  function keep(path, formData) {
    var fields = [];
    formData.forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrfmiddlewaretoken") { fields.push([name, value]); }
    });
    var entry = {
      path: path, fields: fields, savedAt: new Date().toISOString(), state: "waiting",
      about: about(path, fields), keyed: fields.some(function (field) { return KEYED.indexOf(field[0]) !== -1; })
    };
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction([OUTBOX, META], "readwrite");
        var ownerRequest = transaction.objectStore(META).get("owner");
        ownerRequest.onsuccess = function () {
          entry.owner = ownerRequest.result || "";
          var added = transaction.objectStore(OUTBOX).add(entry);
          added.onsuccess = function () { entry.id = added.result; };
        };
        transaction.oncomplete = function () { db.close(); resolve(entry); };
        transaction.onerror = transaction.onabort = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  // Tell every open page what changed (and what was sent, wherever it was sent from).
  function announce(sent) {
    var message = { sent: (sent || []).map(function (entry) { return { about: entry.about, what: entry.what, reference: entry.reference }; }) };
    try { new global.BroadcastChannel("al-outbox").postMessage(message); } catch (e) { /* no channel: pages re-read on load */ }
  }

  function send(entry, token) {
    var body = new URLSearchParams();
    entry.fields.forEach(function (field) { body.append(field[0], field[1]); });
    body.append("csrfmiddlewaretoken", token);
    if (entry.another) { body.append("another", "1"); }
    return global.fetch(entry.path, {
      method: "POST", body: body, credentials: "same-origin", headers: { "X-Sent-From": "outbox" }
    }).then(function (response) {
      var landed = new URL(response.url, global.location.href).pathname;
      if (response.redirected && landed.indexOf("/accounts/") === 0) { return "sign-in"; }
      if (response.status === 409) {
        entry.sameAs = response.headers.get("X-Same-As") || "";
        return "same";
      }
      if (response.status === 429 || response.status >= 500) { return "later"; }
      if (response.status === 403) { return "sign-in"; }
      if (response.ok && response.redirected) {
        var reference = landed.match(/^\/reports\/([^/]+)\//);
        entry.reference = reference ? reference[1] : "";
        return "sent";
      }
      return "refused";
    });
  }

  function withLock(work) {
    if (global.navigator.locks) { return global.navigator.locks.request("al-outbox", work); }
    return work();
  }

  // Send what is waiting, oldest first. Resolves with the entries sent. Stops at the first
  // that cannot go now (no signal, signed out, server busy): the rest keep their order.
  function flush() {
    return withLock(function () {
      return all().then(function (entries) {
        var pending = entries.filter(function (entry) { return entry.state === "waiting" || entry.state === "sign-in"; });
        if (!pending.length) { return []; }
        return global.fetch("/offline/token/", { credentials: "same-origin", cache: "no-store" }).then(function (response) {
          if (response.status === 401) {
            return Promise.all(pending.map(function (entry) { entry.state = "sign-in"; return update(entry); })).then(function () { return []; });
          }
          if (!response.ok) { return []; }
          return response.json().then(function (token) { return sendEach(pending, token); });
        });
      });
    }).catch(function () { return []; }).then(function (sent) { announce(sent); return sent; });
  }

  function sendEach(pending, token) {
    var sent = [];
    var next = function (index) {
      if (index >= pending.length) { return Promise.resolve(sent); }
      var entry = pending[index];
      if (entry.owner && entry.owner !== token.owner) {
        entry.state = "other";
        return update(entry).then(function () { return next(index + 1); });
      }
      return send(entry, token.csrfToken).then(function (outcome) {
        if (outcome === "sent") {
          sent.push(entry);
          return remove(entry.id).then(function () { return next(index + 1); });
        }
        if (outcome === "later") { return sent; }
        entry.state = outcome;
        return update(entry).then(function () { return outcome === "sign-in" ? sent : next(index + 1); });
      });
    };
    return next(0);
  }

  // The officer chose: "Send it anyway" (a second report) or delete it from the phone.
  function sendAnyway(id) {
    return all().then(function (entries) {
      var entry = entries.filter(function (item) { return item.id === id; })[0];
      if (!entry) { return []; }
      entry.another = true;
      entry.state = "waiting";
      return update(entry).then(flush);
    });
  }

  function discard(id) { return remove(id).then(function () { announce(); }); }

  // Signing out: nothing of this officer's stays on the phone.
  function forget() {
    var cleared = inTransaction("readwrite", function (outbox, meta) { outbox.clear(); return meta.clear(); });
    var cachesCleared = global.caches ? global.caches.delete("al-pages") : Promise.resolve();
    return Promise.all([cleared, cachesCleared]).then(function () { announce(); });
  }

  global.AssaultLogOutbox = {
    all: all, keep: keep, flush: flush, setOwner: setOwner, sendAnyway: sendAnyway, discard: discard, forget: forget
  };
})(self);
