"""The web edge: the only code that imports Streamlit (URL state, cached views, components, the session's role)."""
