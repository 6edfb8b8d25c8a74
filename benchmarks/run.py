"""One benchmark run: generate, load, explore, in worker processes; then the table and JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import realdata, report
from benchmarks.measure import summary
from benchmarks.synth import write_nicip_map, write_snapshot

__all__ = ["Config", "main"]

HERE = Path(__file__).resolve().parent
SEARCHES = ["x", "xw", "xwr", "xwri", "c", "ct", "knee", "wrist", "ct of head", "6002", "U05.1"]


@dataclass
class Config:
    size: int = 360_000  # active concepts at full size
    runs: int = 5  # figure 1: pipeline load and pandas read
    naive_runs: int = 3
    full_runs: int = 3  # figure 2: full-size loads (about a minute each here)
    query_runs: int = 20
    query_budget_s: float = 5.0  # per query: stop after this (at least 5 runs)
    sizes: tuple[int, ...] = ()
    truncate: int = 0  # figure 1 on the first N rows of each file (smoke)

    @classmethod
    def smoke(cls) -> Config:
        return cls(2_000, 2, 1, 1, 3, 1.0, (1_000, 2_000), truncate=150)


def _worker(task: str, **args: Any) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.worker", task, json.dumps(args)]
    done = subprocess.run(cmd, cwd=HERE.parent, capture_output=True, text=True, check=False)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    if done.returncode or not lines:
        raise RuntimeError(f"worker {task} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(lines[-1].removeprefix("RESULT "))


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _truncated(files: list[Path], rows: int, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for f in files:
        with open(f, encoding="utf-8-sig", newline="") as src:
            head = [line for _, line in zip(range(rows + 1), src, strict=False)]
        (folder / f.name).write_text("".join(head))
        out.append(folder / f.name)
    return out


def _snapshot(folder: Path, size: int, data: Path | None) -> tuple[Any, float]:
    kw: dict[str, Any] = {}
    if data:
        kw = {
            "reserved": realdata.reserved_ids(data),
            "real_terms": realdata.terms(data),
            "opcs_targets": realdata.opcs_codes(data),
        }
    t = time.perf_counter()
    snap = write_snapshot(folder, size, **kw)
    return snap, round(time.perf_counter() - t, 1)


def _load_point(
    tmp: Path, size: int, data: Path | None, then: list[str] | None = None, run: int = 0
) -> dict:
    folder = tmp / f"rf2-{size}"
    snap, gen_s = _snapshot(folder, size, data)
    _say(f"  generated {size:,} concepts in {gen_s} s: {snap.counts}; loading")
    db = tmp / f"db-{size}-{run}" / "graph.db"  # a new, empty store for every run
    out = _worker("load", db=str(db), paths=[str(folder)], then=then)
    out.update(generation_s=gen_s, snapshot=snap.counts, db=str(db), imaging=snap.imaging)
    shutil.rmtree(folder, ignore_errors=True)
    return out


def _curve_point(size: int, load: dict[str, Any]) -> dict[str, Any]:
    b = load["first"]["breakdown"]
    return {
        "concepts": size,
        "seconds": load["first"]["seconds"],
        "read_s": b["read_and_check_files_s"],
        "writes_s": b["write_queries_s"],
        "peak_rss_mb": load["first"]["peak_rss_mb"],
        "rows": load["snapshot"],
    }


def _git() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, text=True)
        return done.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "changed_files": git("status", "--short")}


def run(cfg: Config, out: Path, plot_path: Path, workdir: Path | None = None) -> dict[str, Any]:
    results: dict[str, Any] = {
        "code": _git(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "falkordblite": metadata.version("falkordblite"),
            "falkordb": metadata.version("falkordb"),
        },
        "config": asdict(cfg),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "notes": [],
    }
    files = realdata.real_files()
    data = realdata.data_dir() if files else None
    with tempfile.TemporaryDirectory(prefix="nicip-bench-") as tmp_name:
        tmp = workdir or Path(tmp_name)
        tmp.mkdir(parents=True, exist_ok=True)
        # 1. The real map and OPCS-4 (smoke: their first rows).
        used = files or []
        if files and cfg.truncate:
            used = _truncated(files, cfg.truncate, tmp / "real")
        if files:
            _say(f"1. real map + OPCS-4 ({', '.join(f.name for f in used)})")
            results["real_map"] = _worker(
                "realmap", files=[str(f) for f in used], runs=cfg.runs, naive_runs=cfg.naive_runs
            )
        else:
            why = f"skipped: {realdata.data_dir()} does not hold {realdata.MAP} and {realdata.OPCS}"
            _say(f"1. {why}")
            results["real_map"] = {"skipped": why}
        report.write_json(results, out)  # what is measured so far, in case a later part fails
        # 2. The full-size snapshot, then the real map on top (for 3 and 4).
        _say(f"2. generated RF2 snapshot, {cfg.size:,} active concepts, {cfg.full_runs} run(s)")
        loads = []
        for k in range(cfg.full_runs):
            last = k == cfg.full_runs - 1
            then = [str(f) for f in used] if used and last else None
            loads.append(_load_point(tmp, cfg.size, data, then, run=k))
            if not last:
                shutil.rmtree(Path(loads[-1]["db"]).parent, ignore_errors=True)
        final = loads[-1]
        if not files:
            nicip = write_nicip_map(tmp / "nicip_snomed_map.csv", final["imaging"], 2787)
            results["notes"].append("no real map: figures 3 and 4 use a generated NICIP map")
            extra = _worker("load", db=final["db"], paths=[str(nicip)])
            final["then"] = extra["first"]
        # A second NICIP release on top, so the release diff has two to compare.
        first_map = Path(used[0]) if used else tmp / "nicip_snomed_map.csv"
        nxt = realdata.next_release(first_map, tmp / "nicip_next_release.csv")
        final["next"] = _worker("load", db=final["db"], paths=[str(nxt)], release="next")["first"]
        times = [x["first"]["seconds"] for x in loads]
        results["snomed_load"] = {
            "seconds": summary(times, digits=3),
            "peak_rss_mb": final["first"]["peak_rss_mb"],
            "breakdown": final["first"]["breakdown"],
            "counts": final["first"]["counts"],
            "snapshot": final["snapshot"],
            "generation_s": final["generation_s"],
            "then_seconds": final.get("then", {}).get("seconds"),
            "then_breakdown": final.get("then", {}).get("breakdown"),
            "then_counts": final.get("then", {}).get("counts"),
            "next_release_seconds": final["next"]["seconds"],
            "loadavg": [x["first"]["loadavg"] for x in loads],
            "db": final["db"] if workdir else None,
        }
        report.write_json(results, out)
        # 3 and 4. The explorer on the full graph.
        _say("3/4. explorer queries and memory on the full graph")
        results["explore"] = _worker(
            "explore",
            db=final["db"],
            runs=cfg.query_runs,
            budget_s=cfg.query_budget_s,
            searches=SEARCHES,
        )
        report.write_json(results, out)
        # The scaling curve.
        curve = []
        for size in cfg.sizes:
            if size == cfg.size:
                curve.append(_curve_point(size, final))
                continue
            _say(f"scaling: {size:,} concepts")
            curve.append(_curve_point(size, _load_point(tmp, size, data)))
        results["scaling"] = curve or None
        if curve:
            problem = report.plot(curve, plot_path)
            results["scaling_plot"] = problem or str(plot_path)
    results["figures"] = report.figures(results)
    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    report.write_json(results, out)
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--smoke", action="store_true", help="everything at tiny size (seconds)")
    ap.add_argument("--out", type=Path, default=Path("results.json"), help="the JSON file")
    ap.add_argument(
        "--sizes",
        nargs="?",
        const="10000,50000,100000,200000,360000",
        help="also the load-time curve at these sizes (comma separated concepts)",
    )
    ap.add_argument("--size", type=int, help="full size in active concepts (360000)")
    ap.add_argument("--full-runs", type=int, help="full-size loads to take the median of (3)")
    ap.add_argument("--runs", type=int, help="runs of the real-map figures (5)")
    ap.add_argument("--query-runs", type=int, help="runs of each explorer query (20)")
    ap.add_argument("--plot", type=Path, default=HERE / "scaling.png", help="the curve's PNG")
    ap.add_argument("--workdir", type=Path, help="keep the generated files and stores here")
    a = ap.parse_args(argv)
    cfg = Config.smoke() if a.smoke else Config()
    if a.sizes and not a.smoke:
        cfg.sizes = tuple(int(s) for s in a.sizes.split(","))
    for name in ("size", "full_runs", "runs", "query_runs"):
        if getattr(a, name) is not None:
            setattr(cfg, name, getattr(a, name))
    plot_path = a.plot if not a.smoke else a.out.with_suffix(".png")
    t = time.perf_counter()
    results = run(cfg, a.out, plot_path, a.workdir)
    print(report.table(results["figures"]))
    for point in results.get("scaling") or []:
        print(
            f"scaling {point['concepts']:>9,} concepts: {point['seconds']:8.1f} s "
            f"(read {point['read_s']:.1f} s, writes {point['writes_s']:.1f} s), "
            f"peak RSS {point['peak_rss_mb']}"
        )
    for note in results["notes"]:
        print(f"note: {note}")
    print(f"wrote {a.out} in {time.perf_counter() - t:.0f} s")
    return 0
