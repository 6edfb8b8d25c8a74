"""The Streamlit explorer: pages over the loader's graph (``nicip serve``)."""
