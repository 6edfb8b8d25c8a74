"""Read-only Cypher: the server refuses writes; a time limit and a row limit apply."""

import streamlit as st

from explorer.common import download, draw, guarded, recorder, require_data
from explorer.views import result_graph, result_table
from loader import queries
from loader.queries import coerce

st.title("Cypher console")
rec = recorder()
require_data(rec)
store = rec.store
timeout = rec.timeout_s or 10.0
row_limit = 1000

named = queries.all_queries()
example = st.selectbox(
    "Start from a named query",
    ["(write your own)", *named],
    format_func=lambda n: n if n not in named else f"{n}: {named[n].title}",
)
text_default = (
    named[example].text
    if example in named
    else "MATCH (n:NicipCode)-[r:MAPS_TO]->(c:SnomedConcept)\nRETURN n, r, c LIMIT 25"
)
text = st.text_area("Cypher (read-only)", value=text_default, height=200, key=f"text-{example}")
params = {}
if example in named:
    if named[example].description:
        st.caption(named[example].description)
    for p in named[example].params:
        value = st.text_input(
            f"${p.name} ({p.type}): {p.doc}",
            value="" if p.default is None else str(p.default),
            key=f"param-{example}-{p.name}",
        )
        if value != "":
            params[p.name] = guarded(lambda p=p, value=value: coerce(p, value))
st.caption(f"Runs read-only, stops after {timeout:g} s, shows at most {row_limit:,} rows.")
if st.button("Run", type="primary"):
    result = guarded(
        lambda: queries.ad_hoc(store, text, params, timeout_s=timeout, row_limit=row_limit)
    )
    if result.truncated:
        st.warning(f"Stopped at the row limit of {row_limit:,} rows.")
    graph = result_graph(result)
    frame = result_table(result)
    st.dataframe(frame, hide_index=True, width="stretch")
    download(frame, "query-result")
    if graph is not None:
        draw(graph, height=460)
