"""Orphans in every direction: codes with no map, concepts and OPCS-4 codes nothing reaches."""

import streamlit as st

from explorer.common import download, guarded, recorder, require_data, show_cypher
from explorer.views import orphans

st.title("Orphans")
rec = recorder()
require_data(rec)
tables = guarded(lambda: orphans(rec))
titles = [f"{t} ({len(df):,})" for t, df in tables.items()]
picked = st.radio("Which orphans", titles, horizontal=False, key="orphan-kind")
title = list(tables)[titles.index(picked)]
df = tables[title]
if "modality" in df.columns and not df.empty:
    modalities = sorted(df["modality"].dropna().unique())
    chosen = st.multiselect("Modality", modalities, default=modalities)
    df = df[df["modality"].isin(chosen)]
st.caption(f"{len(df):,} rows")
st.dataframe(df, hide_index=True, width="stretch")
download(df, title.lower().replace(" ", "-").replace(",", ""))
show_cypher(rec)
