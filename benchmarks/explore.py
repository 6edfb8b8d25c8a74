"""Figures 3 and 4: every query the explorer runs, timed on a loaded store, and its memory.

The cases are what the pages call in :mod:`explorer.views`: search as you type (prefixes
of 1 to 4 letters, words, digits, a dotted OPCS-4 code; ``limit=15`` as the Search page),
the code page's neighbourhood for each kind, orphans, conflicts, the overview, the
``any-node`` check every page makes, and the named queries ``mapping-path``,
``many-to-one`` and ``orphan-counts``. Each named query the views ran is then timed alone.

A case that fails (the explorer's time limit) is recorded with its error and how long it
ran; the server is then left to finish before the next case.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import psutil

from benchmarks.measure import RssSampler, loadavg, summary, timed_runs

__all__ = ["explore_task"]

Case = tuple[str, Callable[[], Any]]


def _cases(rec: Any, store: Any, searches: list[str]) -> list[Case]:
    from explorer import views
    from loader import migration
    from loader.diff import diff

    nicip = [r[0] for r in store.read("MATCH (n:NicipCode) RETURN n.code ORDER BY n.code").rows]
    code = "XWRIB" if "XWRIB" in nicip else (nicip[0] if nicip else "XWRIB")
    shared = store.read(
        "MATCH (n:NicipCode)-[:MAPS_TO]->(c:SnomedConcept)<-[:MAPS_TO]-(:NicipCode) "
        "RETURN n.code, count(*) AS k ORDER BY k DESC, n.code LIMIT 1"
    ).rows
    concept = store.read(
        "MATCH (:NicipCode {code: $c})-[:MAPS_TO]->(s:SnomedConcept) RETURN s.id", {"c": code}
    ).rows
    opcs = store.read(
        "MATCH ()-[:MAPS_TO_OPCS]->(o:OpcsCode) "
        "RETURN o.code, count(*) AS n ORDER BY n DESC, o.code LIMIT 1"
    ).rows
    cases: list[Case] = [
        (f"search {t!r}", lambda t=t: views.search(rec, t, limit=15)) for t in searches
    ]
    hood = [("nicip", code), ("nicip", shared[0][0] if shared else None)]
    hood += [("snomed", concept[0][0] if concept else None), ("snomed", 71388002)]
    hood += [("snomed", 138875005), ("opcs", opcs[0][0] if opcs else "U051"), ("opcs", "U")]
    for kind, key in hood:
        if key is not None:
            fn = lambda k=kind, v=key: views.neighbourhood(rec, k, str(v))  # noqa: E731
            cases.append((f"neighbourhood {kind} {key}", fn))
    cases += [
        ("orphans (4 queries)", lambda: views.orphans(rec)),
        ("conflicts (2 queries)", lambda: views.conflicts(rec)),
        (f"mapping-path {code}", lambda: rec.run("mapping-path", {"code": code})),
        ("many-to-one", lambda: rec.run("many-to-one")),
        ("orphan-counts", lambda: rec.run("orphan-counts")),
        ("any-node (every page)", lambda: rec.run("any-node")),
        (
            "migration readiness",
            lambda: migration.with_reasons(rec.run("migration-readiness").records()),
        ),
        (f"validity of {code}", lambda: migration.valid_nicip(store, code, date(2026, 12, 1))),
        ("overview (6 queries)", lambda: views.overview(rec)),
    ]
    # The benchmark loads a made-up release labelled "next" on top of the real map.
    releases = sorted(rec.run("nicip-releases").rows, key=lambda r: r[1] == "next")
    if len(releases) >= 2:
        old, new = releases[-2][0], releases[-1][0]
        cases.append((f"release diff {old} -> {new}", lambda: diff(store, old, new)))
    return cases


def _once(fn: Callable[[], Any]) -> tuple[float, str | None]:
    t = time.perf_counter()
    try:
        fn()
    except Exception as err:
        return time.perf_counter() - t, f"{type(err).__name__}: {err}"
    return time.perf_counter() - t, None


def _wait_idle(pid: int | None, limit_s: float = 120.0) -> float:
    """Wait until the server has finished what a timed-out client left it running."""
    if not pid:
        return 0.0
    proc, start = psutil.Process(pid), time.perf_counter()
    while time.perf_counter() - start < limit_s and proc.cpu_percent(interval=0.5) > 10:
        pass
    return round(time.perf_counter() - start, 1)


def _failed(store: Any, error: str, secs: float) -> dict[str, Any]:
    """A case that fails in the explorer (past its time limit): how long it ran."""
    waited = _wait_idle(store.server_pid())
    ms = round(secs * 1000, 1)
    return {
        "median": ms,
        "p95": ms,
        "runs": 1,
        "error": f"{error} (after {secs:.1f} s)",
        "waited_for_server_idle_s": waited,
    }


def explore_task(db: str, runs: int, budget_s: float, searches: list[str]) -> dict[str, Any]:
    from explorer import views
    from loader.settings import Settings
    from loader.stores.embedded import EmbeddedStore

    t = time.perf_counter()
    store = EmbeddedStore(Path(db))
    store.read("RETURN 1")  # the server answers once it has read the file
    opened = time.perf_counter() - t
    rec = views.Recorder(store, Settings().query_timeout_s)  # as the explorer's pages
    out: dict[str, Any] = {"open_store_s": round(opened, 3), "queries": {}, "named_queries": {}}
    named: dict[str, dict[str, Any]] = {}
    try:
        pids = {"python": os.getpid(), "server": store.server_pid()}
        with RssSampler(pids) as rss:
            cases = _cases(rec, store, searches)
            first = {}
            for name, fn in cases:
                rec.ran.clear()
                first[name] = _once(fn)
                for query, _, params in rec.ran:
                    named.setdefault(query, params)
                if first[name][1]:
                    _wait_idle(store.server_pid())
            out["rss_after_each_view_once_mb"] = {
                k: round(v / 2**20, 1) for k, v in rss.sample().items()
            }
            for name, fn in cases:
                rec.ran.clear()
                secs, error = first[name]
                if error:
                    out["queries"][name] = _failed(store, error, secs)
                else:
                    times = timed_runs(fn, runs, budget_s)
                    out["queries"][name] = summary(times, scale=1000, digits=2)
                out["queries"][name]["named_queries"] = sorted({r[0] for r in rec.ran})
            # Each named query the views ran, alone, to show which one costs.
            for query, params in named.items():
                fn = lambda q=query, p=params: rec.run(q, p)  # noqa: E731
                secs, error = _once(fn)
                times = [] if error else timed_runs(fn, min(runs, 10), budget_s / 2, 3)
                out["named_queries"][query] = {
                    **(summary(times, 1000, 2) if times else {"median": None, "error": error}),
                    "params": params,
                }
        out["peak_rss_mb"] = rss.peak_mb()
        import streamlit  # noqa: F401  the served explorer also holds Streamlit

        python = rss.procs["python"].memory_info().rss
        out["python_rss_with_streamlit_mb"] = round(python / 2**20, 1)
        out["loadavg"] = loadavg()
    finally:
        store.close()
    return out
