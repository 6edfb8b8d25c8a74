"""Migration planning toward native SNOMED CT: readiness by code, by modality, by exam."""

import io
import json
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from explorer.common import download, guarded, recorder, require_data, show_cypher
from loader import exports, migration

st.title("Migration to native SNOMED CT")
rec = recorder()
require_data(rec)
store = rec.store
rows = migration.with_reasons(guarded(lambda: rec.run("migration-readiness").records()))
codes = pd.DataFrame(rows)
ready = int(codes["ready"].sum()) if len(codes) else 0

c = st.columns(4)
c[0].metric("NICIP codes", f"{len(codes):,}")
c[1].metric(
    "Ready to migrate",
    f"{ready:,}" + (f" ({ready / len(codes):.0%})" if len(codes) else ""),
    help="one-to-one, or a laterality family whose side is recorded separately",
)
c[2].metric("Blocked", f"{len(codes) - ready:,}")
c[3].metric("Codes in real collisions", f"{int((codes['readiness'] == 'collision').sum()):,}")

st.subheader("Progress by modality")
prog = migration.progress(rows)
long = pd.DataFrame(
    [(m, k, v) for m, d in prog.items() for k, v in d.items() if v],
    columns=["modality", "readiness", "codes"],
)
if not long.empty:
    st.bar_chart(
        long,
        x="modality",
        y="codes",
        color="readiness",
        horizontal=True,
        height=40 * long["modality"].nunique() + 100,
    )

st.subheader("Codes")
left, right = st.columns(2)
classes = left.multiselect(
    "Readiness",
    migration.CLASSES,
    default=[k for k in migration.CLASSES if k in set(codes.get("readiness", []))],
)
modalities = sorted(codes["modality"].dropna().unique()) if len(codes) else []
chosen = right.multiselect("Modality", modalities, default=modalities)
shown = (
    codes[codes["readiness"].isin(classes) & codes["modality"].isin(chosen)]
    if len(codes)
    else codes
)
cols = ["code", "description", "modality", "readiness", "reason"]
st.dataframe(shown[cols] if len(shown) else shown, hide_index=True, width="stretch")
download(shown[cols] if len(shown) else shown, "migration-worklist", xlsx=True)

st.subheader("Exports")
st.caption(
    "The NICIP -> SNOMED CT map with each target's equivalence judged from its "
    "readiness: laterality families are 'wider', collisions 'inexact', never "
    "'equivalent'. Retired codes are left out."
)
releases = guarded(lambda: rec.run("nicip-releases").records())
label = releases[0]["label"] if releases else None
cmap = exports.concept_map(rows, version=label, date=date.today().isoformat())
sssom = io.StringIO()
exports.sssom_tsv(
    rows,
    sssom,
    mapping_set_id="urn:nicip-graph:mapping-set:nicip-to-snomed-ct",
    version=label,
    date=date.today().isoformat(),
)
c = st.columns([1, 1, 3])
c[0].download_button(
    "FHIR R4 ConceptMap (JSON)",
    json.dumps(cmap, indent=2),
    file_name="nicip-to-snomed-ct.conceptmap.json",
    mime="application/json",
)
c[1].download_button(
    "SSSOM (TSV)",
    sssom.getvalue(),
    file_name="nicip-to-snomed-ct.sssom.tsv",
    mime="text/tab-separated-values",
)

st.subheader("Your exam list")
st.caption(
    "CSV or XLSX with a local exam code column, and optionally the NICIP code it "
    "stands for and an activity count."
)
upload = st.file_uploader("Exam list", type=["csv", "xlsx", "tsv", "txt"])
if upload is not None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        exams = guarded(lambda: migration.read_exams(path))
    joined = migration.join_exams(exams, rows)
    summary = migration.exam_summary(joined)
    c = st.columns(3)
    c[0].metric("Exams", f"{summary['exams']:,}")
    c[1].metric("Ready", f"{summary['ready']:,}")
    share = summary["activity_ready_share"]
    c[2].metric(
        "Activity ready",
        "n/a" if share is None else f"{share:.0%}",
        help="share of the exam activity whose code can migrate as it is",
    )
    table = pd.DataFrame(joined)
    st.dataframe(table, hide_index=True, width="stretch")
    download(table, "exam-list-readiness", xlsx=True)

st.subheader("Would it be accepted on a date?")
c = st.columns([2, 1, 3])
code = c[0].text_input("NICIP code or SNOMED CT id", key="valid-code")
day = c[1].date_input("Date", value=date.today(), key="valid-date")
if code.strip():
    text = code.strip()
    result = guarded(
        lambda: (
            migration.valid_snomed(store, int(text), day)
            if text.isdigit()
            else migration.valid_nicip(store, text.upper(), day)
        )
    )
    verdict = {True: st.success, False: st.error, None: st.warning}[result.valid]
    verdict(f"{text} on {day.isoformat()}: {result.reason}")

st.subheader("Where the two OPCS-4 paths disagree")
st.caption("NICIP -> OPCS-4 against NICIP -> SNOMED CT -> OPCS-4, main codes only.")
disagree = guarded(lambda: rec.frame("opcs-paths-disagree"))
if disagree.empty:
    st.info("No code has both paths disagreeing.")
else:
    st.dataframe(disagree, hide_index=True, width="stretch")
    download(disagree, "opcs-paths-disagree")
show_cypher(rec)
