"""Page weight of the quick log on a phone: bytes transferred and requests, first and repeat visit.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/assaultlog_bench .venv/bin/python bench/page_weight.py

Production mode: collectstatic with WhiteNoise's CompressedManifestStaticFilesStorage (hashed
names, Brotli and gzip files made at build time), gunicorn with the production config.
Chromium (Debian's /usr/bin/chromium, as in the browser tests) opens the page as a signed-in
officer in a fresh profile (first visit), then again in the same profile (repeat visit).
Bytes are what went over the wire: Chrome DevTools' encodedDataLength, headers included.
Any request to a host other than the app's is a third-party request and is listed.

Then the offline shell: what the service worker fetches after the first visit to open the app
with no signal (its script, the page kept for no signal, the blank quick log and the files it
keeps; bytes as served with gzip accepted, headers excluded), what that stores on the phone,
and how long the quick log and My reports take to open with the network cut (median of 5).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
TARGET_BYTES = 100 * 1024


def visit(context: Any, url: str) -> list[dict[str, Any]]:
    """Every network request the page made, with the bytes transferred for it."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    seen: dict[str, dict[str, Any]] = {}

    def received(event: dict[str, Any]) -> None:
        response = event["response"]
        if response["url"].startswith("data:"):  # inline in the CSS: no request
            return
        headers = {name.lower(): value for name, value in response.get("headers", {}).items()}
        seen[event["requestId"]] = {
            "url": response["url"],
            "type": event.get("type", ""),
            "status": response["status"],
            "cache": "disk" if response.get("fromDiskCache") else "memory" if response.get("fromMemoryCache") else "",
            "encoding": headers.get("content-encoding", ""),
            "cache_control": headers.get("cache-control", ""),
            "bytes": 0,
        }

    def finished(event: dict[str, Any]) -> None:
        if event["requestId"] in seen:
            seen[event["requestId"]]["bytes"] = event["encodedDataLength"]

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="networkidle")
    cdp.detach()
    page.close()
    return list(seen.values())


def report(title: str, requests: list[dict[str, Any]], origin: str) -> int:
    total = sum(r["bytes"] for r in requests)
    over_network = [r for r in requests if not r["cache"]]
    print(f"\n## {title}: {len(over_network)} requests over the network, {total / 1024:.1f} KB transferred")
    print("| Resource | Type | Status | Transferred | Encoding | Cache-Control |")
    print("|---|---|---:|---:|---|---|")
    for r in requests:
        where = r["url"] if not r["url"].startswith(origin) else urlsplit(r["url"]).path
        source = f" (from {r['cache']} cache)" if r["cache"] else ""
        print(
            f"| `{where}` | {r['type']} | {r['status']} | {r['bytes'] / 1024:.1f} KB{source} "
            f"| {r['encoding'] or '-'} | {r['cache_control'] or '-'} |"
        )
    third_party = [r["url"] for r in requests if not r["url"].startswith(origin)]
    print(f"Third-party requests: {len(third_party)} {third_party or ''}")
    return total


def offline_shell(context: Any, origin: str, cookie: str, cookie_name: str) -> None:
    page = context.new_page()
    page.goto(origin + "/report/quick/")
    page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active")
    page.wait_for_function("async () => !!(await caches.match('/report/quick/'))")
    kept = page.evaluate(
        """async () => {
            const out = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) {
                    const blob = await (await cache.match(request)).blob();
                    out.push([name, new URL(request.url).pathname, blob.size]);
                }
            }
            return out;
        }"""
    )
    print("\n## Offline shell: fetched by the service worker, kept on the phone")
    print("| Resource | Cache | Over the wire | Encoding | Kept on the phone |")
    print("|---|---|---:|---|---:|")
    wire_total = 0
    for cache_name, path, size in [("-", "/sw.js", 0), *kept]:
        request = urllib.request.Request(  # noqa: S310 (our own loopback server)
            origin + path, headers={"Accept-Encoding": "gzip", "Cookie": f"{cookie_name}={cookie}"}
        )
        with urllib.request.urlopen(request) as response:  # noqa: S310
            body = response.read()
            encoding = response.headers.get("Content-Encoding", "-")
        wire_total += len(body)
        print(f"| `{path}` | {cache_name} | {len(body) / 1024:.1f} KB | {encoding} | {size / 1024:.1f} KB |")
    stored = sum(size for _, _, size in kept)
    print(f"Total: {wire_total / 1024:.1f} KB over the wire, {stored / 1024:.1f} KB kept on the phone")
    context.set_offline(True)
    for path in ("/report/quick/", "/reports/"):
        times = []
        for _ in range(5):
            page.goto(origin + path)
            timing = json.loads(page.evaluate("JSON.stringify(performance.getEntriesByType('navigation')[0])"))
            times.append(timing["loadEventEnd"] - timing["startTime"])
        print(f"With no signal, `{path}` opens in {statistics.median(times):.0f} ms (median of 5, to the load event)")
    context.set_offline(False)
    page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8703)
    parser.add_argument("--path", default="/report/quick/")
    args = parser.parse_args()
    database_url = os.environ["DATABASE_URL"]
    harness.collectstatic(database_url)
    harness.django_setup(database_url)
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    from incidents.models import User

    origin = f"http://{harness.HOST}:{args.port}"
    cookie = harness.session_cookie(User.objects.get(email="seed.officer.1@seed.invalid"))
    with harness.gunicorn(database_url, port=args.port, workers=2), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB")
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": origin}])
        first = report("First visit", visit(context, origin + args.path), origin)
        report("Repeat visit", visit(context, origin + args.path), origin)
        offline_shell(context, origin, cookie, settings.SESSION_COOKIE_NAME)
        browser.close()
    verdict = "under" if first < TARGET_BYTES else "OVER"
    print(f"\nFirst visit {first / 1024:.1f} KB: {verdict} the {TARGET_BYTES // 1024} KB target")


if __name__ == "__main__":
    main()
