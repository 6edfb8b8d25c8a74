"""How long each explorer page takes to become usable in a real browser, and screenshots.

``python -m benchmarks.pages [--db PATH] [--runs 3] [--shots DIR]`` serves the explorer on a
store (by default a new one holding the real map and OPCS-4 table from ``../shared/data``,
or the bundled sample where that is absent), opens every page in headless Chromium and
times it from navigation until it is usable: its heading is shown, Streamlit has finished
running the page's script (its "running" indicator is gone) and, on the pages that draw a
graph, vis-network has drawn it. It prints the median of ``--runs`` and saves a screenshot
of each page. Needs ``chromium`` and the ``playwright`` package, as the browser tests do.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from statistics import median

from benchmarks import realdata

ROOT = Path(__file__).resolve().parent.parent
#: (page, path, heading, draws a graph)
PAGES = [
    ("Overview", "/", "NICIP graph overview", False),
    ("Search", "/search", "Search", False),
    ("Code page XWRIB", "/node?kind=nicip&key=XWRIB", "NICIP code XWRIB", True),
    ("Orphans", "/orphans", "Orphans", False),
    ("Many-to-one conflicts", "/conflicts", "Many-to-one conflicts", True),
    ("Migration planner", "/migration", "Migration to native SNOMED CT", False),
    ("Release diff", "/diff", "Release diff", False),
    ("Cypher console", "/console", "Cypher console", False),
]
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db: Path) -> tuple[subprocess.Popen, str]:
    """Start ``nicip serve`` on ``db`` (Neo4j settings ignored); return it and its address."""
    port = _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "loader", "--db", str(db), "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/_stcore/health", timeout=2)
            return proc, base
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the explorer did not start within 60 s")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, 15)
    proc.wait(timeout=30)


def _usable(page, heading: str, graph: bool) -> None:
    page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    if graph:
        page.frame_locator("iframe[title='st.iframe']").first.locator("canvas").first.wait_for(
            timeout=60_000
        )


def measure(db: Path, runs: int, shots: Path | None) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium on this machine (apt-get install chromium)")
    proc, base = serve(db)
    times: dict[str, list[float]] = {name: [] for name, *_ in PAGES}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(base + "/")  # the first visit starts the session
            _usable(page, PAGES[0][2], False)
            for k in range(runs):
                for name, path, heading, graph in PAGES:
                    start = time.perf_counter()
                    page.goto(base + path)
                    _usable(page, heading, graph)
                    times[name].append(time.perf_counter() - start)
                    if shots and k == runs - 1:
                        shots.mkdir(parents=True, exist_ok=True)
                        slug = name.lower().replace(" ", "-")
                        page.screenshot(path=str(shots / f"{slug}.png"), full_page=True)
            browser.close()
    finally:
        stop(proc)
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__)
    ap.add_argument("--db", type=Path, help="a loaded store (default: load the real map)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--shots", type=Path, help="save a screenshot of each page here")
    a = ap.parse_args(argv)
    db = a.db
    if db is None:
        db = Path(tempfile.mkdtemp(prefix="nicip-pages-")) / "graph.db"
        files = realdata.real_files() or [ROOT / "tests" / "data" / "sample-release"]
        subprocess.run(
            [sys.executable, "-m", "loader", "--db", str(db), "load", *map(str, files)],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
    times = measure(db, a.runs, a.shots)
    print(f"{'page':28s} {'median s':>9s} {'max s':>7s}")
    for name, values in times.items():
        print(f"{name:28s} {median(values):9.2f} {max(values):7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
