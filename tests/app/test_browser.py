"""A real headless Chromium opens the served explorer and finds the drawn graphs.

Needs Debian's chromium (``.ci/run`` installs it) and the ``playwright`` package (its own
browser download is not used); skips, saying which is missing, where either is absent.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys

import pytest

from benchmarks.pages import serve, stop

from ..conftest import REAL_DATA, ROOT, SAMPLE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    db = tmp_path_factory.mktemp("browser") / "graph.db"
    nicip = [sys.executable, "-m", "loader", "--db", str(db)]
    real = (REAL_DATA / "nicip_snomed_map.csv").is_file()
    files = (
        [
            str(REAL_DATA / "nicip_snomed_map.csv"),
            str(REAL_DATA / "opcs4_codes_ukbiobank_coding240.csv"),
        ]
        if real
        else [str(SAMPLE)]
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    subprocess.run([*nicip, "load", *files], check=True, env=env, cwd=ROOT, capture_output=True)
    proc, base = serve(db)
    yield base
    stop(proc)


@pytest.fixture(scope="module")
def page(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        yield page
        browser.close()


def drawn_nodes(page) -> list[str]:
    """Labels of the nodes vis-network drew in the page's first graph frame."""
    frame = page.frame_locator("iframe[title='st.iframe']").first
    frame.locator("canvas").first.wait_for(timeout=30_000)
    handle = page.locator("iframe[title='st.iframe']").first.element_handle()
    inner = handle.content_frame()
    return inner.evaluate("network.body.data.nodes.get().map(n => n.label)")


def test_code_page_draws_the_mapping_path(served, page):
    page.goto(served + "/node?kind=nicip&key=XWRIB")
    page.get_by_role("heading", name="NICIP code XWRIB").wait_for(timeout=30_000)
    labels = drawn_nodes(page)
    firsts = sorted(label.split("\n")[0] for label in labels)
    # XWRIB, its concept, its two laterality siblings and its modality (both data sets).
    assert {"XWRIB", "XWRIL", "XWRIR", "60027007", "Plain X-ray"} <= set(firsts)


def test_conflicts_page_draws_the_collisions(served, page):
    page.goto(served + "/conflicts")
    page.get_by_role("heading", name="Many-to-one conflicts").wait_for(timeout=30_000)
    labels = {label.split("\n")[0] for label in drawn_nodes(page)}
    # 57902003 carries MTMJ* and MJTM*: a collision in the real map and in the sample.
    assert {"57902003", "MTMJB", "MJTMB"} <= labels


def test_graph_page_loads_nothing_from_outside(served, page):
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith((served, "data:", "about:", "blob:"))
            else None
        ),
    )
    page.goto(served + "/node?kind=nicip&key=XWRIB")
    page.get_by_role("heading", name="NICIP code XWRIB").wait_for(timeout=30_000)
    drawn_nodes(page)
    assert outside == []
