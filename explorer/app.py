"""nicip-graph explorer: ``nicip serve`` (or ``streamlit run explorer/app.py``).

The router only: each page is a thin file in ``pages/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# Streamlit runs this file as a script; make the project's packages importable from it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

st.set_page_config(page_title="nicip-graph", page_icon="🩻", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon="📊", default=True),
    st.Page("pages/search.py", title="Search", icon="🔎"),
    st.Page("pages/node.py", title="Code page", icon="🧭"),
    st.Page("pages/orphans.py", title="Orphans", icon="🧩"),
    st.Page("pages/conflicts.py", title="Many-to-one conflicts", icon="🔀"),
    st.Page("pages/console.py", title="Cypher console", icon="⌨️"),
]
st.navigation(pages).run()
