"""Page weight of the quick log on a phone: bytes transferred and requests, first and repeat visit.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/assaultlog_bench .venv/bin/python bench/page_weight.py

Production mode: collectstatic with WhiteNoise's CompressedManifestStaticFilesStorage (hashed
names, Brotli and gzip files made at build time), gunicorn with the production config.
Chromium (Debian's /usr/bin/chromium, as in the browser tests) opens the page as a signed-in
officer in a fresh profile (first visit), then again in the same profile (repeat visit).
Bytes are what went over the wire: Chrome DevTools' encodedDataLength, headers included.
Any request to a host other than the app's is a third-party request and is listed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
PHONE = {"width": 390, "height": 844}
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
        browser.close()
    verdict = "under" if first < TARGET_BYTES else "OVER"
    print(f"\nFirst visit {first / 1024:.1f} KB: {verdict} the {TARGET_BYTES // 1024} KB target")


if __name__ == "__main__":
    main()
