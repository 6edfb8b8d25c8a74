"""Timing and memory helpers: medians, p95, an RSS sampler, and a timed Redis client.

``RssSampler`` samples the resident set size of some processes (this one, the embedded
store's redis-server) every 20 ms in a thread and keeps each one's peak.
``CommandTimer`` wraps the embedded store's Redis client so every command it sends
(``GRAPH.QUERY``, ``GRAPH.COPY``, ``SAVE``...) is timed, and the FalkorDB client's
parameter encoding (``CYPHER rows=[...]`` text) is timed apart.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import psutil

__all__ = ["CommandTimer", "RssSampler", "median", "p95", "summary", "timed_runs"]

MB = 1024 * 1024


def _quantile(xs: list[float], q: float) -> float:
    s = sorted(xs)
    if not s:
        return float("nan")
    pos = (len(s) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def median(xs: list[float]) -> float:
    return _quantile(xs, 0.5)


def p95(xs: list[float]) -> float:
    return _quantile(xs, 0.95)


def summary(xs: list[float], scale: float = 1.0, digits: int = 4) -> dict[str, Any]:
    """Median, p95, min and max of ``xs`` times ``scale``, with the runs themselves."""
    return {
        "median": round(median(xs) * scale, digits),
        "p95": round(p95(xs) * scale, digits),
        "min": round(min(xs) * scale, digits),
        "max": round(max(xs) * scale, digits),
        "runs": len(xs),
        "values": [round(x * scale, digits) for x in xs],
    }


def timed_runs(
    fn: Callable[[], Any], runs: int, budget_s: float | None = None, min_runs: int = 5
) -> list[float]:
    """Seconds of ``runs`` calls of ``fn``; stop early past ``budget_s`` (after ``min_runs``)."""
    times: list[float] = []
    start = time.perf_counter()
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        if budget_s and len(times) >= min_runs and time.perf_counter() - start > budget_s:
            break
    return times


class RssSampler:
    """Peak RSS (bytes) of each given process, sampled in a thread while in use."""

    def __init__(self, pids: dict[str, int | None], interval: float = 0.02) -> None:
        self.procs = {name: psutil.Process(pid) for name, pid in pids.items() if pid}
        self.peak = dict.fromkeys(self.procs, 0)
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> dict[str, int]:
        now = {}
        for name, proc in self.procs.items():
            with contextlib.suppress(psutil.Error):
                now[name] = proc.memory_info().rss
                self.peak[name] = max(self.peak[name], now[name])
        return now

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def peak_mb(self) -> dict[str, float]:
        return {name: round(v / MB, 1) for name, v in self.peak.items()}


class CommandTimer:
    """Times every command a Redis client sends, and the FalkorDB parameter encoding.

    ``install(client)`` replaces the client's ``execute_command`` (graphs bind it when
    made, so install before the store selects a graph) and wraps
    ``Graph._build_params_header``; ``events`` holds ``(start, seconds, name, detail,
    server_ms)`` per command.
    """

    def __init__(self) -> None:
        self.events: list[tuple[float, float, str, str, float]] = []
        self.encode_s = 0.0
        self.encoded_bytes = 0
        self._header_len = 0
        self._restore: list[Callable[[], None]] = []

    def install(self, client: Any) -> None:
        import falkordb.graph as fg

        send = client.execute_command
        header = fg.Graph._build_params_header

        def execute_command(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            out = send(*args, **kwargs)
            name = str(args[0]).upper()
            detail, server = "", 0.0
            if name in ("GRAPH.QUERY", "GRAPH.RO_QUERY") and len(args) > 2:
                detail = " ".join(str(args[2])[self._header_len :].split())[:90]
                server = _server_ms(out)
            self._header_len = 0
            self.events.append((t, time.perf_counter() - t, name, detail, server))
            return out

        def build(graph: Any, params: Any) -> str:
            t = time.perf_counter()
            text = header(graph, params)
            self.encode_s += time.perf_counter() - t
            self.encoded_bytes += len(text)
            self._header_len = len(text)
            return text

        client.execute_command = execute_command
        fg.Graph._build_params_header = build
        self._restore = [
            lambda: setattr(client, "execute_command", send),
            lambda: setattr(fg.Graph, "_build_params_header", header),
        ]

    def uninstall(self) -> None:
        for undo in self._restore:
            undo()

    def by_kind(self, after: float = 0.0) -> dict[str, dict[str, float]]:
        """Per command (and per write statement): count, wall seconds, server seconds."""
        out: dict[str, dict[str, float]] = defaultdict(lambda: {"n": 0, "s": 0.0, "server_s": 0.0})
        for start, secs, name, detail, server in self.events:
            if start < after:
                continue
            key = f"{name} {detail}".strip()
            out[key]["n"] += 1
            out[key]["s"] += secs
            out[key]["server_s"] += server / 1000
        return {k: {kk: round(vv, 3) for kk, vv in v.items()} for k, v in out.items()}


def _server_ms(response: Any) -> float:
    """FalkorDB's 'internal execution time' from a raw reply, in ms."""
    with contextlib.suppress(Exception):
        for stat in response[-1]:
            if "internal execution time" in str(stat):
                return float(str(stat).split(": ")[1].split(" ")[0])
    return 0.0


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)
