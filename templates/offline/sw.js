/* Assault Log's service worker, served at /sw.js by incidents/offline.py (version {{ version }}).
 *
 * With no signal: the quick log and My reports still open (the quick log from the copy kept
 * when it last loaded, with a fresh one-time key and today's date; My reports as the reports
 * waiting on this phone), and a report sent is kept in the phone's outbox (outbox.js) and
 * sent when the signal returns: Background Sync where the browser has it, and on the next
 * page load or `online` event otherwise. Pages are always fetched from the network first,
 * and only the blank quick log is kept: no report's contents are cached.
 */
"use strict";
importScripts({{ outbox_js|safe }});

// Named with the language too: the page kept for no signal is in the officer's language.
var STATIC = "al-static-{{ version }}-{{ language }}";
var LANGUAGE = "{{ language }}";
var PAGES = "al-pages";
var PRECACHE = {{ precache|safe }};
var OFFLINE = {{ offline_url|safe }};
var QUICK = {{ quick_url|safe }};
var LIST = {{ list_url|safe }};
// Forms whose sending is kept on the phone when there is no signal.
var KEPT = [/^\/report\/quick\/$/, /^\/report\/new\/$/, /^\/reports\/[^/]+\/edit\/\d+\/$/, /^\/reports\/[^/]+\/check\/$/];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(PRECACHE); }).then(function () {
    return self.skipWaiting();
  }));
});

// Activation only swaps the caches: the browser holds every page's requests until it ends (a
// language switch's next page among them), so the quick log is fetched after it, not within it.
// Were the worker stopped first, the next page's "signed-in" message keeps it (below).
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key.indexOf("al-static-") === 0 && key !== STATIC; }).map(function (key) {
      return caches.delete(key);
    }));
  }).then(function () { return self.clients.claim(); }).then(function () { keepQuickLogIfStale(); }));
});

// The blank quick log, kept while an officer is signed in (the page is theirs alone). Each
// copy is stored after the one before: while Chromium writes a copy over the old one, neither
// is found, so the offline quick log waits for the writing to end. A copy is read whole before
// it is written: one still arriving when the signal goes would otherwise fail mid-write and
// leave no copy at all.
var storing = Promise.resolve();

function storeQuickLog(response) {
  storing = storing.then(function () { return response.text(); }).then(function (text) {
    var copy = new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
    return caches.open(PAGES).then(function (cache) { return cache.put(QUICK, copy); });
  }).catch(function () { /* storage full, or the page cut off: the last copy stays */ });
  return storing;
}

function keepQuickLog() {
  return fetch(QUICK, { credentials: "same-origin" }).then(function (response) {
    // Signed out, the fetch is sent to sign in: keep nothing new (sign-out deleted the copy).
    return response.ok && !response.redirected ? storeQuickLog(response) : undefined;
  }).catch(function () { /* no signal: keep what we have */ });
}

// Kept once, and again in a new language; opening the quick log with signal refreshes it (the
// fetch handler).
function keepQuickLogIfStale() {
  return storing.then(function () {
    return caches.match(QUICK, { cacheName: PAGES, ignoreVary: true });
  }).then(function (kept) {
    var language = kept ? (kept.headers.get("Content-Language") || "").toLowerCase() : "";
    return language === LANGUAGE ? undefined : keepQuickLog();
  });
}

function today() {
  var now = new Date();
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
}

function uuid() {
  if (self.crypto.randomUUID) { return self.crypto.randomUUID(); }
  var bytes = self.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 15) | 64; bytes[8] = (bytes[8] & 63) | 128;
  var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
}

function html(text) {
  return new Response(text, { headers: { "Content-Type": "text/html; charset=utf-8" } });
}

// The kept quick log as a new form: its own one-time key, today's date.
function offlineQuickLog() {
  return storing.then(function () {
    return caches.match(QUICK, { cacheName: PAGES, ignoreVary: true });
  }).then(function (kept) {
    if (!kept) { return offlinePage("none"); }
    return kept.text().then(function (text) {
      return html(text
        .replace(/(name="submission_key" value=")[^"]*/, "$1" + uuid())
        .replace(/(name="occurred_on" value=")\d{4}-\d{2}-\d{2}/, "$1" + today()));
    });
  });
}

function offlinePage(variant) {
  return caches.match(OFFLINE, { cacheName: STATIC, ignoreVary: true }).then(function (page) {
    if (!page) { return Response.error(); }
    return page.text().then(function (text) { return html(text.replace('data-variant="none"', 'data-variant="' + variant + '"')); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }

  if (request.method === "POST" && request.mode === "navigate" && KEPT.some(function (pattern) { return pattern.test(url.pathname); })) {
    var copy = request.clone();
    event.respondWith(fetch(request).catch(function () {
      return copy.formData().then(function (form) { return AssaultLogOutbox.keep(url.pathname, form); }).then(function () {
        if (self.registration.sync) { self.registration.sync.register("outbox").catch(function () { /* sent on the next load */ }); }
        return Response.redirect(OFFLINE + "?v=saved&from=" + encodeURIComponent(url.pathname), 303);
      });
    }));
    return;
  }
  if (request.method !== "GET") { return; }

  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      if (url.pathname === QUICK && response.ok && !response.redirected) { storeQuickLog(response.clone()); }
      return response;
    }).catch(function () {
      if (url.pathname === QUICK) { return offlineQuickLog(); }
      if (url.pathname === OFFLINE) { return offlinePage(url.searchParams.get("v") || "none"); }
      return offlinePage(url.pathname === LIST ? "list" : "none");
    }));
    return;
  }
  if (PRECACHE.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request, { cacheName: STATIC }).then(function (cached) { return cached || fetch(request); }));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "outbox") { event.waitUntil(AssaultLogOutbox.flush()); }
});

self.addEventListener("message", function (event) {
  if (event.data === "signed-in") { event.waitUntil(keepQuickLogIfStale()); }
  if (event.data === "flush") { event.waitUntil(AssaultLogOutbox.flush()); }
});
