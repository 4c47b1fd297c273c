"""Retakes the README screenshot (docs/search-results.png) from a real `rasm serve` run.

Usage: python tools/screenshot.py [--index DIR]   (needs Chromium at /usr/bin/chromium)
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default=str(ROOT / "index"))
    ap.add_argument("--query", default="Mayadeen")
    ap.add_argument("--out", default=str(ROOT / "docs" / "search-results.png"))
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rasm = shutil.which("rasm") or sys.exit("rasm is not installed: pip install -e .")
    server = subprocess.Popen([rasm, "serve", "--index", args.index, "--port", str(port)])
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        search = f"{url}/search?q={urllib.parse.quote(args.query)}"
        urllib.request.urlopen(search).read()  # warm up: time a served query, not a cold start
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(search)
            page.wait_for_selector("li.hit")
            page.screenshot(path=args.out)
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
