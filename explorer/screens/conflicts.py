"""Many-to-one: several NICIP codes on one SNOMED CT concept, collisions first."""

import streamlit as st

from explorer.common import download, draw, guarded, recorder, require_data, show_cypher
from explorer.views import conflict_clusters, conflicts

PAGE = 12

st.title("Many-to-one conflicts")
rec = recorder()
require_data(rec)
groups, by_modality = guarded(lambda: conflicts(rec))
if groups.empty:
    st.success("No SNOMED CT concept carries more than one NICIP code.")
    show_cypher(rec)
    st.stop()

n_coll = int((groups["kind"] == "collision").sum())
n_fam = int((groups["kind"] == "laterality family").sum())
c = st.columns(3)
c[0].metric("Real collisions", n_coll, help="codes for different procedures on one concept")
c[1].metric("Laterality families", n_fam, help="codes that differ only by side (B/L/R)")
c[2].metric("Codes involved", int(groups["code_count"].sum()))

st.subheader("Codes in many-to-one groups, by modality")
st.bar_chart(
    by_modality,
    x="modality",
    y="codes",
    color="kind",
    horizontal=True,
    height=40 * by_modality["modality"].nunique() + 80,
)

show_families = st.toggle(
    "Show laterality families too",
    value=False,
    help="Families are harmless: the side is recorded apart from the concept.",
)
shown = groups if show_families else groups[groups["kind"] == "collision"]
st.caption(f"{len(shown):,} groups shown, collisions first, larger groups first")
pages = max(1, -(-len(shown) // PAGE))
page = st.columns([1, 4])[0].number_input(f"Page (of {pages})", 1, pages, 1) if pages > 1 else 1
window = shown.iloc[(page - 1) * PAGE : page * PAGE]

table = window.assign(codes=window["codes"].map(", ".join)).drop(columns=["stems"])
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "snomed_id": st.column_config.TextColumn("SNOMED CT id"),
        "snomed_term": "SNOMED CT term",
        "code_count": "codes on it",
        "codes": "NICIP codes",
    },
)
clusters = conflict_clusters(window)
if clusters:
    import networkx as nx

    st.caption("Each group drawn: NICIP codes (blue) on their SNOMED CT concept (orange).")
    draw(nx.union_all(clusters), height=420)
export = shown.assign(codes=shown["codes"].map(" ".join), stems=shown["stems"].map(" ".join))
download(export, "many-to-one")
show_cypher(rec)
