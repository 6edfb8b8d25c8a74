"""What every page shares: the store (opened once per process), errors, Cypher and CSV.

Pages stay thin: they gather input, call a view in :mod:`explorer.views`, and show the
result with these helpers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from explorer.render import graph_html, legend_html
from explorer.views import Recorder
from loader.errors import NicipError
from loader.settings import Settings
from loader.stores import GraphStore, open_store


@st.cache_resource(show_spinner="Opening the graph store…")
def _store() -> tuple[GraphStore, Settings]:
    settings = Settings.resolve()
    return open_store(settings), settings


def recorder() -> Recorder:
    """A query recorder on the shared store; a store that cannot open stops the page."""
    try:
        store, settings = _store()
    except NicipError as err:
        st.error(f"The graph store could not be opened: {err}")
        st.stop()
    return Recorder(store, settings.query_timeout_s)


def guarded[T](fn: Callable[[], T]) -> T:
    """Run a view; an error a user can act on becomes one message, never a traceback."""
    try:
        return fn()
    except NicipError as err:
        st.error(str(err))
        st.stop()


def require_data(rec: Recorder) -> None:
    nodes = guarded(lambda: rec.run("any-node"))
    if not nodes.rows:
        st.info(
            "The graph is empty. Load a release first, for example "
            "`nicip load tests/data/sample-release`, then reload this page."
        )
        st.stop()


def show_cypher(rec: Recorder) -> None:
    with st.expander("Show the Cypher"):
        for name, text, params in rec.ran:
            where = f"cypher/{name}.cypher" if name else "built by the page (counts by label)"
            st.caption(where + (f" with {params}" if params else ""))
            st.code(text, language="cypher")


def download(df: pd.DataFrame, name: str, label: str = "Download CSV", xlsx: bool = False) -> None:
    """CSV (and optionally XLSX) downloads of a table; formula-like cells are neutralised."""
    import io

    from loader.exports import worklist_csv, worklist_xlsx

    records = df.to_dict("records")
    text = io.StringIO()
    worklist_csv(records, text)
    cols = st.columns([1, 1, 4]) if xlsx else [st]
    cols[0].download_button(
        label,
        text.getvalue().encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"download-{name}",
    )
    if xlsx:
        book = io.BytesIO()
        by = [c for c in ("readiness", "modality", "change") if c in df.columns]
        worklist_xlsx(records, book, summary_by=by)
        cols[1].download_button(
            "Download XLSX",
            book.getvalue(),
            file_name=f"{name}.xlsx",
            key=f"xlsx-{name}",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


def draw(graph: Any, centre: Any = None, height: int = 480) -> None:
    components.html(graph_html(graph, centre, height), height=height + 10)
    st.html(legend_html())


def go_to(kind: str, key: str) -> None:
    """Open a node's page (its state is in the URL, so the link can be shared)."""
    st.query_params.from_dict({"kind": kind, "key": key})
    st.switch_page("screens/node.py")
