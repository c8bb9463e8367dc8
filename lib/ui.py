"""Streamlit rendering helpers shared by pages: page CSS, KPI tiles, banners.

Only presentation lives here; numbers come from ``lib.metrics`` already
computed. Every ledger value is HTML-escaped before it reaches markup.
"""

from __future__ import annotations

from html import escape

import streamlit as st

from lib import theme
from lib.i18n import t


def sizes(screen: bool) -> dict[str, int]:
    """Type sizes for the big screen or a desk."""
    return theme.SCREEN if screen else theme.DESK


def inject_css(screen: bool) -> None:
    """Page CSS: tighter chrome, large type in screen mode, phone-friendly tiles."""
    s = sizes(screen)
    screen_css = """
      [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
      [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
      [data-testid="stSidebarNav"], footer {display: none !important;}
      .block-container, [data-testid="stMainBlockContainer"] {padding-top: 0.8rem !important; max-width: 100% !important;}
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
      .cb-table th {{text-align: left; font-weight: 600; opacity: 0.8; padding: 4px 8px; border-bottom: 2px solid rgba(128,128,128,0.4);}}
      .cb-table td {{padding: 6px 8px; border-bottom: 1px solid rgba(128,128,128,0.25);}}
      .cb-table td.num, .cb-table th.num {{text-align: right;}}
      .cb-dot {{display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%; margin-right: 6px; vertical-align: baseline;}}
      .cb-scroll {{overflow-x: auto; max-width: 100%;}}
      .cb-record {{font-size: {s['table_px']}px; line-height: 1.5;}}
      .cb-record b {{font-size: {s['table_px'] + 6}px;}}
      @media (max-width: 640px) {{
        .cb-kpis {{grid-template-columns: repeat(2, minmax(0, 1fr));}}
        .cb-kpi .value {{font-size: 28px;}}
        .cb-table {{font-size: 14px;}}
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
        st.warning(t("notice.dropped", items="；".join(items)), icon="⚠️")
