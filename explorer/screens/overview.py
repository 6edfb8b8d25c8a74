"""What is loaded: releases, counts by node kind, codes by modality, the headline issues."""

import streamlit as st

from explorer.common import download, guarded, recorder, require_data, show_cypher
from explorer.views import overview

st.title("NICIP graph overview")
rec = recorder()
require_data(rec)
data = guarded(lambda: overview(rec))
nodes = dict(data["nodes"].values.tolist())
orph = data["orphans"][0] if data["orphans"] else {}
conf = {r.kind: (r.groups, r.codes) for r in data["conflicts"].itertuples()}

c = st.columns(4)
c[0].metric("NICIP codes", f"{nodes.get('NicipCode', 0):,}")
c[1].metric("SNOMED CT concepts", f"{nodes.get('SnomedConcept', 0):,}")
c[2].metric("OPCS-4 codes", f"{nodes.get('OpcsCode', 0):,}")
c[3].metric("Release files loaded", f"{nodes.get('Release', 0):,}")

c = st.columns(4)
c[0].metric("Codes with no SNOMED CT map", f"{orph.get('nicip_without_snomed', 0):,}")
c[1].metric("Codes with no OPCS-4 code", f"{orph.get('nicip_without_opcs', 0):,}")
c[2].metric(
    "Collisions (concepts)",
    f"{conf.get('collision', (0, 0))[0]:,}",
    help="SNOMED CT concepts carrying codes for different procedures",
)
c[3].metric(
    "Laterality families",
    f"{conf.get('laterality family', (0, 0))[0]:,}",
    help="SNOMED CT concepts carrying codes that differ only by side (B/L/R)",
)

left, right = st.columns(2)
with left:
    st.subheader("Codes by modality")
    st.bar_chart(
        data["modalities"], x="modality", y="codes", horizontal=True, sort="-codes", height=320
    )
with right:
    st.subheader("Graph contents")
    both = data["nodes"].rename(columns={"label": "kind"})
    st.bar_chart(both, x="kind", y="count", horizontal=True, sort="-count", height=320)

st.subheader("Releases")
st.dataframe(data["releases"], hide_index=True, width="stretch")
download(data["releases"], "releases")
st.subheader("Relationships")
st.dataframe(data["relationships"], hide_index=True)
show_cypher(rec)
