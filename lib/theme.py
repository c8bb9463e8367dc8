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

#: Big-screen sizes (1920×1080 read from 4 m).
SCREEN = {"kpi_value_px": 64, "kpi_label_px": 24, "table_px": 26, "chart_font_px": 20}
DESK = {"kpi_value_px": 40, "kpi_label_px": 16, "table_px": 17, "chart_font_px": 14}

GAIN_UP = "#2e7d32"
GAIN_FLAT = "#757575"
LAGGARD = "#c62828"

# --- progress curves ---------------------------------------------------------
#: One colour per block where blocks share a chart (overlaid curves), in block order. Their
#: hues keep 20° or more from the status colours (green done, blue on track, orange at
#: risk, red late), so a block's curve never reads as a verdict.
BLOCK_COLOURS: tuple[str, ...] = ("#6a1b9a", "#00838f", "#ad1457", "#827717", "#4527a0", "#00695c", "#880e4f", "#311b92")
#: BLOCK_COLOURS lightened for the dark big screen.
BLOCK_COLOURS_SCREEN: tuple[str, ...] = ("#ce93d8", "#4dd0e1", "#f48fb1", "#dce775", "#b39ddb", "#80cbc4", "#f06292", "#9575cd")
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

#: The order screen mode cycles through with ``rotate=N``.
ROTATION = ("overview", "map", "progress", "teams")
