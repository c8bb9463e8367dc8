"""Streamlit rendering helpers shared by pages: page CSS, KPI tiles, banners.

Only presentation lives here; numbers come from ``lib.metrics`` already
computed. Every ledger value is HTML-escaped before it reaches markup.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

import streamlit as st

from lib import freshness, theme
from lib.figures.parcel_map import parse_flag
from lib.i18n import t
from lib.web import state
from lib.web.escape import md_escape
from lib.web.rotation import Rotation

_log = logging.getLogger(__name__)


class PageEnded(Exception):
    """Raised by :func:`end_page`; ``app.py`` catches it around the page."""


def end_page() -> None:
    """End the page here, but let the shell finish (share box, notices).

    ``st.stop()`` would end the whole run: after it Streamlit refuses every
    further call, so the shell could not say what the link brought.
    """
    raise PageEnded


def sizes(screen: bool) -> dict[str, int]:
    """Type sizes for the big screen or a desk."""
    return theme.SCREEN if screen else theme.DESK


def inject_css(screen: bool) -> None:
    """Page CSS (:func:`lib.theme.page_css`); on the big screen also the script that scales the canvas."""
    st.html(theme.page_css(screen))
    if screen:
        fit_canvas()


def fit_canvas() -> None:
    """Scale the fixed design canvas to the window, letterboxed: the same layout on any TV.

    The script sets ``--cb-scale`` and the offsets on the document once and on
    every resize; the canvas CSS (:func:`lib.theme.page_css`) does the rest.
    Streamlit sizes charts and component frames from ``getBoundingClientRect``,
    which a CSS transform scales; inside the canvas it is answered in canvas
    pixels instead (positions kept), so a chart is laid out for the canvas,
    not for the screen. The unscaled answer stays at ``window.cbScreenRect``.
    """
    width, height = theme.CANVAS
    st.html(
        '<span id="cb-fit"></span><script>(function(){'
        'if(!window.cbScreenRect){const orig=Element.prototype.getBoundingClientRect; window.cbScreenRect=orig;'
        'Element.prototype.getBoundingClientRect=function(){const r=orig.call(this), s=window.cbScale||1;'
        'if(s===1||!this.closest||!this.closest(\'[data-testid="stMain"]\')||this.matches(\'[data-testid="stMain"]\')) return r;'
        'return new DOMRect(r.x, r.y, r.width/s, r.height/s);};}'
        f'function fit(){{const s=Math.min(innerWidth/{width},innerHeight/{height}); window.cbScale=s;'
        'const r=document.documentElement.style; r.setProperty("--cb-scale", s);'
        f'r.setProperty("--cb-dx", ((innerWidth-{width}*s)/2)+"px"); r.setProperty("--cb-dy", ((innerHeight-{height}*s)/2)+"px");}}'
        'fit(); if(!window.cbFit){window.cbFit=fit; addEventListener("resize", function(){window.cbFit();});}'
        '})();</script>',
        unsafe_allow_javascript=True,
    )


def kpi_tiles(tiles: list[tuple[str, str, str, str]]) -> None:
    """A row of tiles: (label, value, sub-line, accent colour). Text is escaped here."""
    cells = "".join(
        f'<div class="cb-kpi" style="--cb-accent:{accent}"><div class="label">{escape(label)}</div>'
        f'<div class="value">{escape(value)}</div><div class="sub" title="{escape(sub)}">{escape(sub)}</div></div>'
        for label, value, sub, accent in tiles
    )
    st.html(f'<div class="cb-kpis">{cells}</div>')


def banner(title: str, line: str, extra: str = "", alert: str = "") -> None:
    """The page title with the "data as of" line; ``alert`` (stale data) replaces ``extra`` in amber."""
    tail = f'<span class="cb-stale" role="alert">{escape(alert)}</span>' if alert else f'<span class="muted">{escape(extra)}</span>'
    st.html(f'<div class="cb-banner"><span class="title">{escape(title)}</span><span>{escape(line)}</span>{tail}</div>')


def freshness_text(fresh: freshness.Freshness, lang: str) -> str:
    """The banner's "last import" part (:func:`lib.freshness.freshness_line`)."""
    return freshness.freshness_line(fresh, lang)


def stale_text(fresh: freshness.Freshness, lang: str) -> str:
    """The amber band's sentence, "" when the data is fresh (:func:`lib.freshness.stale_text`)."""
    return freshness.stale_text(fresh, lang)


def desk_notice(message: str, screen: bool, kind: str = "info") -> None:
    """A notice for a person at a desk; the wall screen logs it instead (kiosk: no permanent notices)."""
    if screen:
        _log.info("wall screen notice (not shown): %s", message)
    else:
        getattr(st, kind)(message, icon=":material/warning:" if kind == "warning" else "ℹ️")


def empty_state(message: str) -> None:
    """A friendly empty state instead of an empty chart."""
    st.info(message, icon="ℹ️")


def notices(items: list[str], screen: bool = False) -> None:
    """Show what was dropped from the link, once, without blocking the board (a toast on the wall)."""
    if items and screen:
        toast_notices(items)
    elif items:
        st.warning(t("notice.dropped", items=md_escape("；".join(items))), icon=":material/warning:")  # link text


def toast_notices(items: list[str]) -> None:
    """Like :func:`notices`, as a toast: for what is found after the page has drawn."""
    if items:
        st.toast(t("notice.dropped", items=md_escape("；".join(items))), icon=":material/warning:")  # link text


def clock(lang: str) -> None:
    """A wall clock for the meeting room, ticking in the browser (no reruns)."""
    locale = "zh-CN" if lang == "zh" else "en-GB"
    st.html(
        '<div class="cb-clock" id="cb-clock"></div><script>(function(){'
        'const el=document.getElementById("cb-clock"); if(!el) return;'
        f'const loc="{locale}";'
        'function tick(){const d=new Date(); el.textContent=d.toLocaleDateString(loc)+" "+'
        'd.toLocaleTimeString(loc,{hour:"2-digit",minute:"2-digit"});}'
        'tick(); if(window.cbClock) clearInterval(window.cbClock); window.cbClock=setInterval(tick, 15000);'
        '})();</script>',
        unsafe_allow_javascript=True,
    )


def rotate_pages(pages: list, current_url_path: str, rotation: Rotation, query_params: dict[str, list[str]],
                 at_least: int = 0) -> None:
    """In screen mode, move on to the playlist's next page after this page's dwell.

    ``at_least`` is how long the page needs to show itself through (the
    leaderboard's pages). A fragment re-runs alone on its timer; the first run
    only arms it, so the page is shown for the full period. Switching pages
    ends the fragment, so timers never pile up over hours on the wall.
    """
    by_path = {p.url_path: p for p in pages}
    next_path = rotation.next_page(current_url_path)
    if next_path not in by_path or next_path == current_url_path:
        return
    seconds = rotation.dwell(current_url_path, at_least)
    next_page = by_path[next_path]
    armed_at = time.monotonic()

    @st.fragment(run_every=seconds)
    def _tick() -> None:
        if time.monotonic() - armed_at >= seconds - 0.5:
            st.switch_page(next_page, query_params=query_params)

    _tick()


def refresh_data(seconds: int, version_now: Callable[[], int], version_shown: int) -> None:
    """Every ``seconds``, look for new data and rerun the page only if there is some."""

    @st.fragment(run_every=seconds)
    def _check() -> None:
        if version_now() != version_shown:
            st.rerun(scope="app")

    _check()


def share_box(link: str, frozen_link: str, lang: str) -> None:
    """The share link with a copy button, and the frozen variant that keeps today's as-of day."""
    with st.popover(t("share.button", lang), icon=":material/link:", width="stretch"):
        freeze = st.toggle(t("share.freeze", lang), key="share-freeze", help=t("share.freeze_help", lang))
        st.caption(t("share.hint", lang))
        st.code(frozen_link if freeze else link, language=None, wrap_lines=True)


def shows_all(count: int, first_paint: int, label: str, *, screen: bool) -> bool:
    """Whether a long list is shown whole: a switch (``all=1`` in the link) once it is longer than ``first_paint``.

    Short lists are always whole; the wall screen, which nobody clicks, never.
    """
    if count <= first_paint:
        return True
    if screen:
        return False
    return bool(state.bound(st.toggle, "all", default=False, parse=parse_flag, serialise=lambda _: ["1"], label=label))


def chart_grid(charts: Sequence[Any], lang: str, *, screen: bool, first: int) -> None:
    """Plotly charts two to a row; past ``first`` of them, the rest behind :func:`shows_all` (the wall: never)."""
    label = t("charts.all", lang, n=len(charts), first=first)
    shown = list(charts) if shows_all(len(charts), first, label, screen=screen) else list(charts)[:first]
    for start in range(0, len(shown), 2):
        for column, fig in zip(st.columns(2, gap="small"), shown[start : start + 2], strict=False):
            with column:
                st.plotly_chart(fig, theme=None, config={"displayModeBar": False, "responsive": True})


def board_ends(count: int, lang: str) -> int | None:
    """How many rows a desk leaderboard shows at each end (None: all), with its "show all" switch."""
    ends = theme.FIRST_PAINT_BOARD_ENDS
    return None if shows_all(count, 2 * ends, t("teams.all", lang, n=count), screen=False) else ends
