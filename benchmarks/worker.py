"""The measured work, each task in a fresh process so its memory is its own.

``python -m benchmarks.worker TASK ARGS_JSON`` runs one task and prints ``RESULT <json>``:

- ``realmap``: figure 1, the real map and OPCS-4 table: a bare pandas read, the pipeline
  load into a fresh embedded store (store already open), and the naive per-row loader;
- ``load``: figure 2, one load into a fresh store with its peak RSS and where the time
  went; then optionally a second load on top (the real map onto the full graph);
- ``explore``: figures 3 and 4 (:mod:`benchmarks.explore`).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.explore import explore_task
from benchmarks.measure import CommandTimer, RssSampler, loadavg, summary, timed_runs

__all__ = ["run_task"]


def _store(path: Path) -> Any:
    from loader.stores.embedded import EmbeddedStore

    return EmbeddedStore(path)


def realmap(files: list[str], runs: int, naive_runs: int) -> dict[str, Any]:
    import pandas as pd

    from benchmarks.naive import naive_load
    from loader import queries
    from loader.pipeline import load

    paths = [Path(f) for f in files]
    floor = timed_runs(lambda: [pd.read_csv(p) for p in paths], runs)
    tmp = Path(tempfile.mkdtemp(prefix="nicip-bench-"))
    loads, naive, counts, naive_counts = [], [], {}, {}
    for k in range(runs):
        store = _store(tmp / f"load{k}" / "graph.db")
        t = time.perf_counter()
        counts = load(paths, store).counts
        loads.append(time.perf_counter() - t)
        store.close()
    for k in range(naive_runs):
        store = _store(tmp / f"naive{k}" / "graph.db")
        t = time.perf_counter()
        naive_counts = naive_load(paths, store)
        naive.append(time.perf_counter() - t)
        naive_counts.update(queries.counts(store))
        store.close()
    store = _store(tmp / "breakdown" / "graph.db")  # once more, to see where the time goes
    try:
        breakdown = _timed_load(store, files)["breakdown"]
    finally:
        store.close()
    return {
        "floor_s": summary(floor),
        "load_s": summary(loads),
        "load_breakdown": breakdown,
        "naive_s": summary(naive),
        "load_counts": counts,
        "naive_counts": naive_counts,
        "loadavg": loadavg(),
    }


def _breakdown(t0: float, total: float, events: list, timer: CommandTimer) -> dict[str, Any]:
    """Where one load's time went, from its progress events and the commands it sent."""
    checked = next((t for t, phase in events if phase == "checking"), t0)
    kinds = timer.by_kind(after=checked)
    groups = {"copy": 0.0, "schema": 0.0, "writes": 0.0, "reads": 0.0, "save": 0.0, "other": 0.0}
    server = 0.0
    for key, v in kinds.items():
        if key.startswith("GRAPH.COPY"):
            g = "copy"
        elif key.startswith("GRAPH.CONSTRAINT") or "CREATE INDEX" in key:
            g = "schema"
        elif key.startswith("GRAPH.QUERY"):
            g = "writes"
            server += v["server_s"]
        elif key.startswith("GRAPH.RO_QUERY"):
            g = "reads"
        elif key.startswith("SAVE"):
            g = "save"
        else:
            g = "other"
        groups[g] += v["s"]
    parse = checked - t0
    rest = total - parse - sum(groups.values())
    steps = sorted(
        (
            (k.removeprefix("GRAPH.QUERY "), v)
            for k, v in kinds.items()
            if k.startswith("GRAPH.QUERY")
        ),
        key=lambda kv: -kv[1]["s"],
    )
    return {
        "read_and_check_files_s": round(parse, 3),
        "plan_and_client_python_s": round(rest - timer.encode_s, 3),
        "param_encoding_s": round(timer.encode_s, 3),
        "param_text_mb": round(timer.encoded_bytes / 1e6, 1),
        "graph_copy_s": round(groups["copy"], 3),
        "schema_s": round(groups["schema"], 3),
        "write_queries_s": round(groups["writes"], 3),
        "write_queries_server_execution_s": round(server, 3),
        "reads_s": round(groups["reads"], 3),
        "save_s": round(groups["save"], 3),
        "other_commands_s": round(groups["other"], 3),
        "write_statements": [{"statement": k, **v} for k, v in steps[:8]],
    }


def _timed_load(store: Any, paths: list[str], release: str | None = None) -> dict[str, Any]:
    from loader.pipeline import load

    timer = CommandTimer()
    timer.install(store._redis)
    events: list[tuple[float, str]] = []

    def progress(phase: str, done: int, total: int) -> None:
        events.append((time.perf_counter(), phase))

    pids = {"python": os.getpid(), "server": store.server_pid()}
    try:
        with RssSampler(pids) as rss:
            t0 = time.perf_counter()
            report = load(paths, store, progress=progress, release=release)
            total = time.perf_counter() - t0
    finally:
        timer.uninstall()
    return {
        "seconds": round(total, 3),
        "peak_rss_mb": rss.peak_mb(),
        "counts": report.counts,
        "breakdown": _breakdown(t0, total, events, timer),
        "loadavg": loadavg(),
    }


def load_task(
    db: str, paths: list[str], then: list[str] | None = None, release: str | None = None
) -> dict[str, Any]:
    store = _store(Path(db))
    try:
        out = {"first": _timed_load(store, paths, release)}
        if then:
            out["then"] = _timed_load(store, then)
    finally:
        store.close()
    return out


TASKS = {"realmap": realmap, "load": load_task, "explore": explore_task}


def run_task(task: str, args: dict[str, Any]) -> dict[str, Any]:
    return TASKS[task](**args)


if __name__ == "__main__":
    result = run_task(sys.argv[1], json.loads(sys.argv[2]))
    print("RESULT " + json.dumps(result), flush=True)
