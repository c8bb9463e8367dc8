"""Ledger and link text made inert for plotly: the one helper every figure uses for labels, legends and hovers."""

from __future__ import annotations

from html import escape

# plotly.js reads a small HTML subset (<a href>, <b>, <br>, <sup> …) in every
# text it draws, LaTeX when a string is wrapped in $…$, and %{…} placeholders
# in hover templates. Entities are decoded for display, so these become
# entities and show as themselves.
_PLOTLY_SPECIAL = str.maketrans({"$": "&#36;", "%": "&#37;", "\n": " ", "\r": " "})


def plot_text(value: object) -> str:
    """``value`` as plotly text that shows literally: no tag, link, formula or hover placeholder."""
    return escape(str(value), quote=False).translate(_PLOTLY_SPECIAL)
