"""The benchmarks run end to end at tiny size and write every figure (``--smoke``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.report import FIGURES

ROOT = Path(__file__).resolve().parent.parent
QUERIES = (
    "search ",
    "neighbourhood nicip ",
    "neighbourhood snomed ",
    "neighbourhood opcs ",
    "orphans",
    "conflicts",
    "mapping-path",
    "many-to-one",
    "orphan-counts",
)


def test_smoke_run_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "target" in done.stdout and "pass" in done.stdout
    results = json.loads(out.read_text())
    figures = results["figures"]

    assert set(FIGURES) <= set(figures)
    for key, fig in figures.items():
        assert {"median", "p95", "unit", "target", "pass"} <= set(fig), key
        if not fig.get("skipped"):
            assert isinstance(fig["median"], int | float), key
    for prefix in QUERIES:
        hits = [f for k, f in figures.items() if k.startswith(f"query: {prefix}")]
        assert hits, f"no explorer query figure for {prefix!r}"
        assert all(f["p95"] >= f["median"] > 0 for f in hits), prefix

    load = results["snomed_load"]
    assert load["snapshot"]["descriptions"] > 2 * load["snapshot"]["active_concepts"]
    assert load["peak_rss_mb"]["python"] > 0 and load["peak_rss_mb"]["server"] > 0
    assert load["breakdown"]["write_queries_s"] > 0
    curve = results["scaling"]
    assert len(curve) >= 2 and all(p["seconds"] > 0 for p in curve)
