"""Streamlit rendering helpers shared by pages: page CSS, KPI tiles, banners.

Only presentation lives here; numbers come from ``lib.metrics`` already
computed. Every ledger value is HTML-escaped before it reaches markup.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import streamlit as st

from lib import theme
from lib.i18n import t
from lib.web.escape import md_escape


def sizes(screen: bool) -> dict[str, int]:
    """Type sizes for the big screen or a desk."""
    return theme.SCREEN if screen else theme.DESK


def inject_css(screen: bool) -> None:
    """Page CSS: tighter chrome, large type in screen mode, phone-friendly tiles."""
    s = sizes(screen)
    # Screen mode: no chrome, a dark theme tuned for a TV read from across the room.
    screen_css = f"""
      [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
      [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
      [data-testid="stSidebarNav"], footer {{display: none !important;}}
      [data-testid="stMainBlockContainer"] {{padding: 0.6rem 1.4rem 0 !important; max-width: 100% !important;}}
      [data-testid="stApp"], [data-testid="stMain"] {{background: {theme.SCREEN_BG} !important; color: {theme.SCREEN_FG};}}
      /* Light text for what we write (markdown, st.html, headings, labels), never inside a
         control: a button keeps its own colours, set below for the dark ground. */
      [data-testid="stMain"] :is([data-testid="stMarkdownContainer"], [data-testid="stHtml"], [data-testid="stHeading"],
        [data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"])
        :is(h1, h2, h3, p, label, span, td, th, li):not(button *) {{color: {theme.SCREEN_FG};}}
      [data-testid="stMain"] button:is([data-variant="segmented_control"], [data-variant="pills"]) {{
        background: {theme.SCREEN_TILE}; color: {theme.SCREEN_FG}; border-color: rgba(255,255,255,0.35);}}
      [data-testid="stMain"] button:is([data-variant="segmented_control"], [data-variant="pills"]):is([aria-checked="true"], [aria-pressed="true"]) {{
        background: {theme.SCREEN_ACCENT}; color: #fff; border-color: {theme.SCREEN_ACCENT};}}
      [data-testid="stMain"] [data-testid="stCaptionContainer"] {{font-size: {s['table_px'] - 6}px;}}  /* no fine print on a TV */
      .cb-kpi {{--cb-tile: {theme.SCREEN_TILE};}}
      .cb-kpi .label, .cb-kpi .sub, .cb-table th {{opacity: 1 !important; color: {theme.SCREEN_MUTED} !important;}}
      .cb-table td {{border-bottom-color: rgba(255,255,255,0.18);}}
      [data-testid="stAlert"] p, [data-testid="stAlert"] span, [data-testid="stAlertContainer"] p {{color: #10151f !important;}}
      .cb-clock {{font-size: {s['kpi_label_px'] + 10}px; font-weight: 700; margin-left: auto; font-variant-numeric: tabular-nums;}}
    """ if screen else ""
    st.html(f"""<style>
      [data-testid="stMainBlockContainer"] {{padding-top: 2.2rem; padding-bottom: 1rem;}}
      .cb-kpis {{display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 12px; margin: 4px 0 10px;}}
      .cb-kpi {{border-radius: 10px; padding: 10px 16px; background: var(--cb-tile, rgba(128,128,128,0.08));
               border-left: 6px solid var(--cb-accent, #1565c0);}}
      .cb-kpi .label {{font-size: {s['kpi_label_px']}px; opacity: 0.85;}}
      .cb-kpi .value {{font-size: {s['kpi_value_px']}px; font-weight: 700; line-height: 1.15; font-variant-numeric: tabular-nums;}}
      .cb-kpi .sub {{font-size: {max(14, s['kpi_label_px'] - 4)}px; opacity: 0.8;}}
      .cb-banner {{font-size: {s['kpi_label_px']}px; display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: baseline; margin-bottom: 4px;}}
      .cb-banner .title {{font-size: {s['kpi_label_px'] + 10}px; font-weight: 700;}}
      .cb-table {{width: 100%; border-collapse: collapse; font-size: {s['table_px']}px; font-variant-numeric: tabular-nums;}}
      .cb-table th {{text-align: left; font-weight: 600; opacity: 0.8; padding: 4px 8px; border-bottom: 2px solid rgba(128,128,128,0.4); white-space: nowrap;}}
      .cb-table td.num {{white-space: nowrap;}}
      .cb-table td {{padding: 6px 8px; border-bottom: 1px solid rgba(128,128,128,0.25);}}
      .cb-table td.num, .cb-table th.num {{text-align: right;}}
      .cb-dot {{display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%; margin-right: 6px; vertical-align: baseline;}}
      .cb-scroll {{overflow-x: auto; max-width: 100%;}}
      .cb-record {{font-size: {s['table_px']}px; line-height: 1.5;}}
      .cb-record b {{font-size: {s['table_px'] + 6}px;}}
      @media (max-width: 640px) {{
        [data-testid="stMainBlockContainer"] {{padding-top: 3.6rem;}}
        .cb-kpis {{grid-template-columns: repeat(2, minmax(0, 1fr));}}
        .cb-kpi .value {{font-size: 28px;}}
        .cb-table {{font-size: 14px;}}
        .cb-table .opt {{display: none;}}
        /* .cb-cards: a wide table whose rows become cards, each cell labelled by its column */
        .cb-cards thead {{display: none;}}
        .cb-cards tr {{display: block; padding: 6px 0; border-bottom: 2px solid rgba(128,128,128,0.4);}}
        .cb-cards td {{display: flex; justify-content: space-between; gap: 12px; border: none; padding: 2px 4px; text-align: right;}}
        .cb-cards td::before {{content: attr(data-label); opacity: 0.7; text-align: left;}}
        .cb-cards td:first-child {{font-size: 16px; justify-content: flex-start;}}
        .cb-cards td:first-child::before {{content: none;}}
      }}
      {screen_css}
    </style>""")


def kpi_tiles(tiles: list[tuple[str, str, str, str]]) -> None:
    """A row of tiles: (label, value, sub-line, accent colour). Text is escaped here."""
    cells = "".join(
        f'<div class="cb-kpi" style="--cb-accent:{accent}"><div class="label">{escape(label)}</div>'
        f'<div class="value">{escape(value)}</div><div class="sub">{escape(sub)}</div></div>'
        for label, value, sub, accent in tiles
    )
    st.html(f'<div class="cb-kpis">{cells}</div>')


def banner(title: str, line: str, extra: str = "") -> None:
    """The page title with the "data as of" line."""
    st.html(
        f'<div class="cb-banner"><span class="title">{escape(title)}</span>'
        f"<span>{escape(line)}</span><span>{escape(extra)}</span></div>"
    )


def empty_state(message: str) -> None:
    """A friendly empty state instead of an empty chart."""
    st.info(message, icon="ℹ️")


def notices(items: list[str]) -> None:
    """Show what was dropped from the link, once, without blocking the board."""
    if items:
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


def rotate_pages(pages: list, current_url_path: str, seconds: int, query_params: dict[str, list[str]]) -> None:
    """In screen mode, move to the next page of ``pages`` every ``seconds``.

    A fragment re-runs alone on its timer; the first run only arms it, so the
    page is shown for the full period. Switching pages ends the fragment, so
    timers never pile up over hours on the wall.
    """
    import time

    paths = [p.url_path for p in pages]
    if current_url_path not in paths:
        return
    next_page = pages[(paths.index(current_url_path) + 1) % len(pages)]
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
