"""The two escaping helpers: ledger and link text never becomes Markdown or plotly markup."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib.figures import progress
from lib.figures.text import plot_text
from lib.web.escape import WORD_JOINER, md_escape

J = WORD_JOINER


@pytest.mark.parametrize(("text", "escaped"), [
    ("[x](http://evil)", rf"\[x\](http{J}\://evil)"),
    ("![x](http://e/p.png)", rf"!\[x\](http{J}\://e/p\.png)"),
    ("<a href='http://e'>x</a>", rf"\<a href='http{J}\://e'\>x\</a\>"),
    ("**bold** _em_ ~~del~~ `code`", r"\*\*bold\*\* \_em\_ \~\~del\~\~ \`code\`"),
    ("$x$ :red[y] :material/home:", r"\$x\$ \:red\[y\] \:material/home\:"),
    ("www.evil.example a@b.cn", rf"www{J}\.evil\.example a{J}@b\.cn"),
    ("# title", r"\# title"),
    ("- item", r"\- item"),
    ("1) item", r"1\) item"),
    ("> quote", r"\> quote"),
    ("line one\nline two\r\n", "line one line two "),
    ("雁塔二地块 A-1 (北)", "雁塔二地块 A-1 (北)"),  # plain text stays as it is
    ("&lt;", r"\&lt;"),
])
def test_markdown_escaping(text, escaped):
    assert md_escape(text) == escaped


@pytest.mark.parametrize(("text", "escaped"), [
    ("<a href='http://evil'>x</a>", "&lt;a href='http://evil'&gt;x&lt;/a&gt;"),
    ("<b>雁塔</b><br>", "&lt;b&gt;雁塔&lt;/b&gt;&lt;br&gt;"),
    ("$x^2$", "&#36;x^2&#36;"),
    ("%{y} 100%", "&#37;{y} 100&#37;"),
    ("a & b\nc", "a &amp; b c"),
    ("状元地块", "状元地块"),
])
def test_plotly_escaping(text, escaped):
    assert plot_text(text) == escaped


def test_block_names_reach_the_progress_overlay_legend_as_text():
    blocks = pd.DataFrame({"block_id": ["b1"], "name": ["<a href='http://evil'>x</a> $y$"],
                           "launch_date": [date(2023, 9, 16)], "deadline": [date(2023, 12, 24)]})
    daily = pd.DataFrame({"block_id": ["b1"], "stage": ["sealed"], "date": [pd.Timestamp("2023-09-17")],
                          "day_n": [2], "gained": [1], "rate": [0.5]})
    fig = progress.progress_overlay(daily, blocks=blocks, stage="sealed", asof=date(2023, 9, 17), lang="en")
    names = {tr.name for tr in fig.data if tr.showlegend}
    assert names == {"&lt;a href='http://evil'&gt;x&lt;/a&gt; &#36;y&#36;"}
