"""Ledger and link text made inert for Markdown: the one helper for st.markdown, alerts, toasts and captions.

Streamlit renders Markdown (links, images, emphasis, ``$…$`` maths,
``:material/…:`` icons and ``:red[…]`` colours) in every one of those; a team
named ``[点此](http://evil)`` must show as those characters, not a link. Pure,
so the state codec can use it without Streamlit.
"""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
_LINE_BREAK = re.compile(r"[\r\n]+")


def md_escape(text: object) -> str:
    """``text`` with every Markdown control character backslash-escaped and line breaks made spaces.

    Use it on every value from a ledger or a URL that reaches Markdown; the
    reader sees exactly the characters of ``text``.
    """
    return _MD_SPECIAL.sub(r"\\\1", _LINE_BREAK.sub(" ", str(text)))
