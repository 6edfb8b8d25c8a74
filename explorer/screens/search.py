"""One box for a NICIP code, SNOMED CT id, OPCS-4 code (dotted or not) or words."""

import streamlit as st
from streamlit_searchbox import st_searchbox

from explorer.common import go_to, guarded, recorder, require_data
from explorer.views import search

KIND_NAMES = {"nicip": "NICIP", "snomed": "SNOMED CT", "opcs": "OPCS-4"}

st.title("Search")
rec = recorder()
require_data(rec)


def suggest(text: str) -> list[tuple[str, tuple[str, str]]]:
    hits = guarded(lambda: search(rec, text, limit=15))
    return [(f"{KIND_NAMES[h.kind]}  {h.title}", (h.kind, h.key)) for h in hits]


picked = st_searchbox(
    suggest, placeholder="XWRIB, 60027007, U05.1, U051 or words: wrist", key="search", debounce=150
)
if picked:
    go_to(*picked)

query = st.text_input(
    "Or list every match",
    value=st.query_params.get("q", ""),
    placeholder="words or a code, then Enter",
)
if query:
    st.query_params["q"] = query
    hits = guarded(lambda: search(rec, query, limit=100))
    if not hits:
        st.warning(f"Nothing matches {query!r}.")
    for h in hits:
        cols = st.columns([1, 6])
        cols[0].write(KIND_NAMES[h.kind] + (" ✓" if h.exact else ""))
        if cols[1].button(h.title, key=f"hit-{h.kind}-{h.key}"):
            go_to(h.kind, h.key)
