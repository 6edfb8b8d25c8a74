"""What changed between two NICIP releases: codes, descriptions and both maps."""

import pandas as pd
import streamlit as st

from explorer.common import download, guarded, recorder, require_data, show_cypher
from loader.diff import CHANGES, diff

st.title("Release diff")
rec = recorder()
require_data(rec)
releases = guarded(lambda: rec.frame("nicip-releases"))
if len(releases) < 2:
    st.info(
        "Load two NICIP releases to compare them, for example "
        "`nicip load april/ --release 2025-04-01` then "
        "`nicip load october/ --release 2025-10-01`."
    )
    st.stop()
ids = list(releases["release"])
c = st.columns(2)
new = c[1].selectbox("Newer release", ids, index=0)
old = c[0].selectbox("Older release", ids, index=1)
if old == new:
    st.warning("Choose two different releases.")
    st.stop()
d = guarded(lambda: diff(rec.store, old, new))
counts = d.counts()
cols = st.columns(4)
for i, (name, label) in enumerate(
    [
        ("added", "Codes added"),
        ("removed", "Codes removed"),
        ("retired", "Codes retired"),
        ("SNOMED CT map changed", "SNOMED CT maps changed"),
    ]
):
    cols[i].metric(label, counts.get(name, 0))

changes = pd.DataFrame(d.changes, columns=["code", "modality", "change", "old", "new"])
if changes.empty:
    st.success("The two releases say the same of every code.")
else:
    st.subheader("By modality")
    table = pd.DataFrame(d.by_modality()).fillna(0).astype(int).T
    st.dataframe(table[[c for c in CHANGES if c in table.columns]], width="stretch")
    st.subheader("Changes")
    kinds = st.multiselect(
        "Kind of change",
        sorted(changes["change"].unique()),
        default=sorted(changes["change"].unique()),
    )
    shown = changes[changes["change"].isin(kinds)]
    st.dataframe(shown, hide_index=True, width="stretch")
    download(shown, f"diff-{old}-{new}".replace(":", "_"), xlsx=True)
if d.concepts:
    st.subheader("SNOMED CT concepts changed between the two dates")
    concepts = pd.DataFrame(d.concepts)
    st.dataframe(concepts, hide_index=True, width="stretch")
    download(concepts, "changed-concepts")
show_cypher(rec)
