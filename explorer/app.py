"""nicip-graph explorer: ``nicip serve`` (or ``streamlit run explorer/app.py``).

The router only: each page is a thin file in ``screens/`` (not ``pages/``, which Streamlit
would also list on its own when a page's address is opened directly).
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# Streamlit runs this file as a script; make the project's packages importable from it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

st.set_page_config(page_title="nicip-graph", layout="wide")

pages = [
    st.Page("screens/overview.py", title="Overview", default=True),
    st.Page("screens/search.py", title="Search"),
    st.Page("screens/node.py", title="Code page"),
    st.Page("screens/orphans.py", title="Orphans"),
    st.Page("screens/conflicts.py", title="Many-to-one conflicts"),
    st.Page("screens/migration.py", title="Migration planner"),
    st.Page("screens/diff.py", title="Release diff"),
    st.Page("screens/console.py", title="Cypher console"),
]
st.navigation(pages).run()
