"""The figures, their targets, the printed table, the JSON and the scaling plot.

Every figure is ``{"median", "p95", "unit", "target", "pass"}`` in ``results["figures"]``
under a stable key (:data:`FIGURES`, plus one ``query: ...`` key per explorer query); a
figure that could not be measured has ``median: null`` and says why in ``skipped``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["FIGURES", "QUERY_TARGET_MS", "figures", "plot", "table", "write_json"]

QUERY_TARGET_MS = 50.0
EXPLORER_TARGET_MB = 400.0
#: key -> (label, unit, target text, test on the median, or None for no target)
FIGURES: dict[str, tuple[str, str, str, Any]] = {
    "real_map_load_s": ("1. real map + OPCS-4: pipeline load", "s", "< 1 s", lambda v: v < 1.0),
    "real_map_pandas_floor_s": ("1. same files: bare pandas read", "s", "", None),
    "real_map_naive_load_s": ("1. same files: per-row MERGE loader", "s", "", None),
    "real_map_load_vs_floor": ("1. load / pandas floor", "x", "<= 3x", lambda v: v <= 3.0),
    "real_map_naive_vs_load": ("1. per-row loader / load", "x", ">= 50x", lambda v: v >= 50.0),
    "snomed_full_load_s": ("2. full-size RF2 snapshot load", "s", "< 60 s", lambda v: v < 60.0),
    "snomed_full_load_peak_python_mb": ("2. load peak RSS, python", "MB", "", None),
    "snomed_full_load_peak_server_mb": ("2. load peak RSS, redis-server", "MB", "", None),
    "real_map_onto_full_graph_s": ("2. then real map onto the full graph", "s", "", None),
    "explorer_open_store_s": ("4. explorer: open the store, first answer", "s", "", None),
    "explorer_python_rss_mb": ("4. explorer RSS, python (views run once)", "MB", "", None),
    "explorer_server_rss_mb": ("4. explorer RSS, redis-server", "MB", "", None),
    "explorer_total_rss_mb": (
        "4. explorer RSS, python + server",
        "MB",
        f"< {EXPLORER_TARGET_MB:.0f} MB",
        lambda v: v < EXPLORER_TARGET_MB,
    ),
}


def _fig(key: str, median: float | None, p95: float | None = None, **extra: Any) -> dict:
    label, unit, target, test = FIGURES[key]
    ok = None if median is None or test is None else bool(test(median))
    return {"label": label, "median": median, "p95": p95, "unit": unit, "target": target,
            "pass": ok, **extra}  # fmt: skip


def figures(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The flat figures table from the detailed results."""
    out: dict[str, dict[str, Any]] = {}
    real = results.get("real_map") or {}
    if "skipped" in real:
        for key in FIGURES:
            if key.startswith("real_map_") and key != "real_map_onto_full_graph_s":
                out[key] = _fig(key, None, skipped=real["skipped"])
    else:
        load, floor, naive = real["load_s"], real["floor_s"], real["naive_s"]
        out["real_map_load_s"] = _fig("real_map_load_s", load["median"], load["p95"])
        out["real_map_pandas_floor_s"] = _fig(
            "real_map_pandas_floor_s", floor["median"], floor["p95"]
        )
        out["real_map_naive_load_s"] = _fig("real_map_naive_load_s", naive["median"], naive["p95"])
        out["real_map_load_vs_floor"] = _fig(
            "real_map_load_vs_floor", round(load["median"] / floor["median"], 1)
        )
        out["real_map_naive_vs_load"] = _fig(
            "real_map_naive_vs_load", round(naive["median"] / load["median"], 1)
        )
    snomed = results["snomed_load"]
    secs = snomed["seconds"]
    out["snomed_full_load_s"] = _fig("snomed_full_load_s", secs["median"], secs["p95"])
    peaks = snomed["peak_rss_mb"]
    out["snomed_full_load_peak_python_mb"] = _fig(
        "snomed_full_load_peak_python_mb", peaks["python"]
    )
    out["snomed_full_load_peak_server_mb"] = _fig(
        "snomed_full_load_peak_server_mb", peaks["server"]
    )
    out["real_map_onto_full_graph_s"] = _fig(
        "real_map_onto_full_graph_s", snomed.get("then_seconds")
    )
    explore = results["explore"]
    rss = explore["rss_after_each_view_once_mb"]
    out["explorer_open_store_s"] = _fig("explorer_open_store_s", explore["open_store_s"])
    out["explorer_python_rss_mb"] = _fig("explorer_python_rss_mb", rss["python"])
    out["explorer_server_rss_mb"] = _fig("explorer_server_rss_mb", rss["server"])
    out["explorer_total_rss_mb"] = _fig(
        "explorer_total_rss_mb", round(rss["python"] + rss["server"], 1)
    )
    for name, q in explore["queries"].items():
        out[f"query: {name}"] = {
            "label": f"3. {name}",
            "median": q["median"],
            "p95": q["p95"],
            "unit": "ms",
            "target": f"p95 < {QUERY_TARGET_MS:.0f} ms",
            "pass": q["p95"] < QUERY_TARGET_MS and "error" not in q,
            "runs": q["runs"],
            **({"error": q["error"]} if "error" in q else {}),
        }
    return out


def _num(v: Any) -> str:
    if v is None:
        return "-"
    return f"{v:,.1f}" if abs(v) >= 10 else f"{v:.3f}" if abs(v) < 1 else f"{v:.2f}"


def table(figs: dict[str, dict[str, Any]]) -> str:
    """The figures as a fixed-width table."""
    head = f"{'figure':<52} {'median':>10} {'p95':>10} {'unit':<4}  {'target':<14} result"
    lines = [head, "-" * len(head)]
    for f in figs.values():
        result = {True: "pass", False: "MISS", None: ""}[f["pass"]]
        if f.get("skipped"):
            result = "skipped"
        if f.get("error"):
            result += " (fails: socket timeout)" if "imeout" in f["error"] else " (fails)"
        lines.append(
            f"{f['label'][:52]:<52} {_num(f['median']):>10} {_num(f['p95']):>10} "
            f"{f['unit']:<4}  {f['target']:<14} {result}"
        )
    return "\n".join(lines)


def write_json(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")


def plot(curve: list[dict[str, Any]], path: Path) -> str | None:
    """The load-time curve as a PNG; None when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: no plot (pip install matplotlib)"
    xs = [p["concepts"] / 1000 for p in curve]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(xs, [p["seconds"] for p in curve], "o-", label="load, total")
    ax.plot(xs, [p["read_s"] for p in curve], "s--", label="read and check RF2")
    ax.plot(xs, [p["writes_s"] for p in curve], "^--", label="write queries")
    ax.axhline(60, color="grey", linestyle=":", label="target at full size (60 s)")
    ax.set_xlabel("active concepts (thousands)")
    ax.set_ylabel("seconds")
    ax.set_title("nicip-graph: loading a generated SNOMED CT snapshot (embedded store)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return None
