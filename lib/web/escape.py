"""Ledger and link text made inert for Markdown: the one helper for st.markdown, alerts, toasts and captions.

Streamlit renders Markdown (links, images, emphasis, ``$…$`` maths,
``:material/…:`` icons, ``:red[…]`` colours, bare URLs and e-mail addresses
as links) in every one of those; a team named ``[点此](http://evil)`` must
show as those characters, not a link. Pure, so the state codec can use it
without Streamlit.
"""

from __future__ import annotations

import re

# Inline syntax, escaped wherever it stands: emphasis, code, strike, links and
# images ([ ]), autolinks (< > and the "." of www.… / a@b.c), maths ($),
# Streamlit's :icon: and :colour[…] (:), entities (&), escapes themselves (\).
_INLINE = re.compile(r"([\\`*_~\[\]<>$:&.])")
# Block syntax only counts at the start of a line, and a value has one line.
_BLOCK_START = re.compile(r"^(\s*)([#+\-=|>])")
_ORDERED_START = re.compile(r"^(\s*\d+)\)")  # "1." is covered: every "." is escaped
_LINE_BREAK = re.compile(r"[\r\n]+")
# GFM turns bare URLs, www. names and e-mail addresses into links after escapes
# are resolved, so no backslash stops it: an invisible word joiner (U+2060)
# inside "http://", "www." and before "@" does.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(https?|ftp|www|mailto|xmpp)(?=[:.])|(?=@)")


def md_escape(text: object) -> str:
    """``text`` with every Markdown control character backslash-escaped and line breaks made spaces.

    Use it on every value from a ledger or a URL that reaches Markdown; the
    reader sees exactly the characters of ``text`` (plus invisible word
    joiners that keep URLs and addresses from becoming links).
    """
    plain = _AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, _LINE_BREAK.sub(" ", str(text)))
    flat = _INLINE.sub(r"\\\1", plain)
    return _ORDERED_START.sub(r"\1\\)", _BLOCK_START.sub(r"\1\\\2", flat))
