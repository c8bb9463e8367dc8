"""Visual constants, declared once and used by every page, figure and map."""

from __future__ import annotations

from lib import schema

#: Stage colours: what is left is warm (red → yellow), what is done is cool.
STAGE_COLOURS: dict[str, str] = {
    schema.NOT_SURVEYED: "#c62828",
    "surveyed": "#e64a19",
    "appraised": "#f57c00",
    "signed": "#fbc02d",
    "sealed": "#2e7d32",
    "handed_over": "#1565c0",
    "demolished": "#78909c",
}

#: The two rate stages as lines and bars on charts.
RATE_COLOURS: dict[str, str] = {"signed": "#f9a825", "sealed": "#2e7d32"}

STATUS_COLOURS: dict[str, str] = {
    "finished": "#2e7d32",
    "on_track": "#1565c0",
    "behind": "#ef6c00",
    "stalled": "#c62828",
    "not_started": "#757575",
}

DEADLINE_LINE = {"color": "#c62828", "width": 3, "dash": "dash"}
TODAY_LINE = {"color": "#455a64", "width": 2, "dash": "dot"}
WEEKEND_FILL = "rgba(120, 144, 156, 0.10)"

FONT_FAMILY = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'

#: The command canvas's middle band (map, curves, 前列/后进) in px at 1080.
MIDDLE_PX = 690

#: Big-screen sizes (1920×1080 read from 4 m).
SCREEN = {"kpi_value_px": 64, "kpi_label_px": 24, "table_px": 26, "chart_font_px": 20, "body_px": 22}
DESK = {"kpi_value_px": 40, "kpi_label_px": 16, "table_px": 17, "chart_font_px": 14, "body_px": 14}

GAIN_UP = "#2e7d32"
GAIN_FLAT = "#757575"
LAGGARD = "#c62828"

# --- progress curves ---------------------------------------------------------
#: One colour per block where blocks share a chart (overlaid curves), in block order. Their
#: hues keep 20° or more from the status colours (green done, blue on track, orange at
#: risk, red late), so a block's curve never reads as a verdict.
BLOCK_COLOURS: tuple[str, ...] = ("#6a1b9a", "#00838f", "#ad1457", "#827717", "#4527a0", "#00695c", "#880e4f", "#311b92")
#: BLOCK_COLOURS lightened for the dark big screen.
BLOCK_COLOURS_SCREEN: tuple[str, ...] = ("#ce93d8", "#4dd0e1", "#f48fb1", "#dce775", "#b39ddb", "#80cbc4", "#f06292", "#a48fe0")
#: Forecast status (lib.forecast.STATUSES) → colour of its flag.
FORECAST_COLOURS: dict[str, str] = {
    "finished": "#2e7d32",
    "on_track": "#1565c0",
    "at_risk": "#ef6c00",
    "late": "#c62828",
    "stalled": "#c62828",
    "no_data": "#757575",
}
FORECAST_BAND_ALPHA = 0.22
#: Darker shades of RATE_COLOURS for text on white (the amber line is too light to read as text).
RATE_TEXT_COLOURS: dict[str, str] = {"signed": "#9a6700", "sealed": "#1b5e20"}
#: Brighter RATE_COLOURS for lines and text on the dark big screen.
RATE_COLOURS_SCREEN: dict[str, str] = {"signed": "#fdd835", "sealed": "#66bb6a"}
FULL_MARKER = {"symbol": "star", "size": 18, "line": {"width": 1, "color": "#263238"}}
#: Height of one progress chart: four fit a 1920×1080 screen in a 2×2 grid with the table.
PROGRESS_CHART_PX = {"screen": 300, "desk": 330}

# --- teams -------------------------------------------------------------------
#: How many teams the big screen pins at the top and bottom of the board.
SCREEN_PINNED = 3
#: Per-block charts drawn when a page opens (the curves, the what-if): a 67-block city would draw 67 plotly
#: charts, seconds in the browser. More blocks than this show the worst first and the rest on request.
FIRST_PAINT_CHARTS = 12
#: Per-block charts on the wall screen: its 2×2 grid (the canvas never scrolls), the worst blocks first.
SCREEN_CHARTS = 4
#: Leaderboard rows at a desk when a page opens: the top and the bottom this many each, the middle on request.
FIRST_PAINT_BOARD_ENDS = 50
#: Gold, silver and bronze badges for ranks 1–3 (CSS, not emoji: TVs on an intranet often lack emoji fonts).
MEDAL_COLOURS = ("#f2c230", "#c0c7d0", "#d08c4a")
#: Gains and flags on the big screen's dark ground (GAIN_UP / LAGGARD are for white).
SCREEN_GAIN_UP = "#66d17a"
SCREEN_LAGGARD = "#ff6b6b"

# --- map ---------------------------------------------------------------------
#: Block fill on the city map by sealing rate: (lowest rate of the class, colour),
#: highest class first. Reuses the stage scale: green = sealed, red = untouched.
SEALING_RATE_CLASSES: tuple[tuple[float, str], ...] = (
    (1.0, STAGE_COLOURS["sealed"]),
    (0.95, "#7cb342"),
    (0.80, STAGE_COLOURS["signed"]),
    (0.50, STAGE_COLOURS["appraised"]),
    (0.0, STAGE_COLOURS[schema.NOT_SURVEYED]),
)
MAP_BACKGROUND = "#eef1f4"  # the "none" basemap: a clean light ground for intranets
MAP_OUTLINE = "#37474f"     # household and block outlines
MAP_SELECTED = "#0d47a1"    # the clicked household's outline

#: Screen mode (dark, for a TV): background, tiles, text.
SCREEN_BG = "#0b1220"
SCREEN_TILE = "#16213a"
SCREEN_FG = "#f1f5fb"
SCREEN_MUTED = "#c9d4e5"
SCREEN_ACCENT = "#c62828"  # the chosen option of a control: the primary colour of .streamlit/config.toml


# --- the wall screen's canvas -----------------------------------------------
#: The design canvas of screen mode: laid out at this size, scaled as a whole to the display.
CANVAS = (1920, 1080)
#: FORECAST_COLOURS on the dark screen (the desk's blue "on track" is 3.3:1 on SCREEN_BG).
FORECAST_COLOURS_SCREEN: dict[str, str] = {
    "finished": "#66d17a",
    "on_track": "#64b5f6",
    "at_risk": "#ffb74d",
    "late": "#ff6b6b",
    "stalled": "#ff6b6b",
    "no_data": "#b0bec5",
}
#: The amber band of stale data: dark text on amber.
STALE_BG = "#ffb300"
STALE_FG = "#10151f"
#: Every colour text takes on the dark screen (checked ≥ 4.5:1 on SCREEN_BG and SCREEN_TILE by the tests).
SCREEN_TEXT_COLOURS: tuple[str, ...] = (
    SCREEN_FG, SCREEN_MUTED, SCREEN_GAIN_UP, SCREEN_LAGGARD, *FORECAST_COLOURS_SCREEN.values(),
    *RATE_COLOURS_SCREEN.values(), *BLOCK_COLOURS_SCREEN,
)


def forecast_colours(screen: bool) -> dict[str, str]:
    """Forecast flag colours for text on white (desk) or on the dark big screen."""
    return FORECAST_COLOURS_SCREEN if screen else FORECAST_COLOURS


def _luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(text: str, ground: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21; 4.5 is the floor for body text)."""
    high, low = sorted((_luminance(text), _luminance(ground)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def page_css(screen: bool) -> str:
    """The board's page CSS; in screen mode the dark theme and the fixed, scaled canvas.

    Screen mode lays the main area out at :data:`CANVAS` and scales it as a
    whole (``--cb-scale``, set by ``lib.web.ui.fit_canvas``), so every TV shows
    the same layout and nothing scrolls.
    """
    s = SCREEN if screen else DESK
    # Screen mode: no chrome, a dark theme tuned for a TV read from across the room.
    w, h = CANVAS
    screen_css = f"""
      [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
      [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
      [data-testid="stSidebarNav"], [data-testid="stElementToolbar"], [data-testid="stBottom"], footer {{display: none !important;}}
      /* The canvas: the main area laid out at {w}×{h} and scaled as a whole, letterboxed on the dark ground. */
      html, body {{overflow: hidden !important; background: {SCREEN_BG};}}
      [data-testid="stElementContainer"]:has(#cb-fit) {{display: none;}}
      [data-testid="stMain"] {{position: fixed !important; left: 0; top: 0; width: {w}px !important; height: {h}px !important;
        min-width: {w}px; max-width: {w}px; overflow: hidden !important; transform-origin: 0 0;
        transform: translate(var(--cb-dx, 0px), var(--cb-dy, 0px)) scale(var(--cb-scale, 1));}}
      [data-testid="stMainBlockContainer"] {{padding: 0.6rem 1.4rem 0 !important; max-width: 100% !important; width: {w}px !important;}}
      [data-testid="stApp"], [data-testid="stMain"] {{background: {SCREEN_BG} !important; color: {SCREEN_FG};}}
      /* Kiosk: no controls on the wall. Widgets keep their link values but are not shown, and a row
         left with nothing but widgets goes too. */
      [data-testid="stMain"] [data-testid="stElementContainer"]:has(button, input, select, textarea, [role="slider"]):not(:has(
        [data-testid="stPlotlyChart"], iframe, [data-testid="stHtml"])),
      [data-testid="stMain"] [data-testid="stPopover"], [data-testid="stMain"] [data-testid="stExpander"],
      [data-testid="stMain"] [data-testid="stHorizontalBlock"]:has(button, input, [role="slider"]):not(:has(
        [data-testid="stHtml"], [data-testid="stPlotlyChart"], [data-testid="stSkeleton"], [data-testid="stMarkdown"],
        [data-testid="stHeading"], [data-testid="stAlert"], iframe)) {{display: none !important;}}
      /* The overview's block table: headers may take two lines, block names never wrap. */
      .cb-table:not(.cb-board) th {{white-space: normal !important; vertical-align: bottom;}}
      .cb-table:not(.cb-board) td:first-child {{white-space: nowrap;}}
      /* Light text for what we write (markdown, st.html, headings, labels), never inside a
         control: a button keeps its own colours, set below for the dark ground. */
      [data-testid="stMain"] :is([data-testid="stMarkdownContainer"], [data-testid="stHtml"], [data-testid="stHeading"],
        [data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"])
        :is(h1, h2, h3, p, label, span, td, th, li):not(button *) {{color: {SCREEN_FG};}}
      [data-testid="stMain"] button:is([data-variant="segmented_control"], [data-variant="pills"]) {{
        background: {SCREEN_TILE}; color: {SCREEN_FG}; border-color: rgba(255,255,255,0.35);}}
      [data-testid="stMain"] button:is([data-variant="segmented_control"], [data-variant="pills"]):is([aria-checked="true"], [aria-pressed="true"]) {{
        background: {SCREEN_ACCENT}; color: #fff; border-color: {SCREEN_ACCENT};}}
      [data-testid="stMain"] [data-testid="stCaptionContainer"] {{font-size: {s['body_px']}px;}}  /* no fine print on a TV */
      .cb-kpi {{--cb-tile: {SCREEN_TILE};}}
      .cb-kpi .sub {{font-size: {s['body_px']}px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}}
      .cb-kpi .label, .cb-kpi .sub, .cb-table th {{opacity: 1 !important; color: {SCREEN_MUTED} !important;}}
      .cb-table td {{border-bottom-color: rgba(255,255,255,0.18);}}
      [data-testid="stAlert"] p, [data-testid="stAlert"] span, [data-testid="stAlertContainer"] p {{color: #10151f !important;}}
      .cb-clock {{font-size: {s['kpi_label_px'] + 10}px; font-weight: 700; margin-left: auto; font-variant-numeric: tabular-nums;
                  white-space: nowrap; text-align: right;}}
      .cb-banner {{flex-wrap: nowrap; white-space: nowrap; overflow: hidden;}}
      .cb-banner .muted {{color: {SCREEN_MUTED};}}
      /* Streamlit sizes a component's frame from its on-screen (scaled) width, and the map page its height
         from 100vh, the window; on the canvas both are the canvas's. */
      [data-testid="stMain"] iframe {{width: 100% !important;}}
      [data-testid="stMain"] iframe[title="streamlit_folium.st_folium"] {{height: {h - 125}px !important;}}
      [data-testid="stMain"] .st-key-command-map iframe[title="streamlit_folium.st_folium"] {{height: {MIDDLE_PX - 44}px !important;}}
    """ if screen else ""
    return f"""<style>
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
      .cb-curves {{display: block; width: 100%; height: auto; background: {SCREEN_BG}; border-radius: 8px;}}
      .cb-leaders {{font-size: {s['table_px']}px;}}
      .cb-lead {{display: grid; grid-template-columns: auto minmax(0, 1fr); column-gap: 10px; align-items: center;
                 padding: 4px 12px; margin-bottom: 8px; border-radius: 8px; background: rgba(128,128,128,.12);
                 border-left: 6px solid {SCREEN_GAIN_UP};}}
      .cb-lead.lag {{border-left-color: {SCREEN_LAGGARD};}}
      .cb-lead .name {{font-weight: 700; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}}
      .cb-lead .rate {{font-variant-numeric: tabular-nums;}}
      .cb-lead small {{grid-column: 2; font-size: {s['body_px']}px; opacity: .9; white-space: nowrap; overflow: hidden;
                       text-overflow: ellipsis;}}
      .cb-lead .badge {{min-width: 1.5em; line-height: 1.5em; border-radius: 50%; text-align: center; color: #1b1b1b;
                        font-weight: 800;}}
      .cb-lead .badge.plain {{color: inherit; border-radius: 0;}}
      .cb-section.lag {{color: {SCREEN_LAGGARD};}}
      .cb-section {{font-size: {s['kpi_label_px']}px; font-weight: 700; white-space: nowrap; overflow: hidden;
                    text-overflow: ellipsis; margin-bottom: 4px;}}
      .cb-ticker {{display: flex; flex-wrap: wrap; gap: 10px 12px; align-items: center; height: 2.1em; overflow: hidden;
                   font-size: {s['body_px']}px; white-space: nowrap;}}  /* chips that do not fit drop to a hidden line, never cut */
      .cb-ticker-head {{font-weight: 800; padding-right: 4px;}}
      .cb-chip {{border: 2px solid; border-radius: 999px; padding: 0 14px; font-weight: 600; line-height: 1.7;}}
      .cb-stale {{background: {STALE_BG}; color: {STALE_FG} !important; font-weight: 700; border-radius: 6px;
                  padding: 0 12px; white-space: nowrap;}}
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
    </style>"""


