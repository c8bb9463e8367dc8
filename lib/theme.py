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


# --- teams -------------------------------------------------------------------
#: Leaderboard rows per page on the big screen; longer boards page through automatically.
SCREEN_BOARD_ROWS = 13
#: Seconds each page of the big-screen leaderboard stays up.
BOARD_PAGE_SECONDS = 12
#: How many teams the big screen pins at the top and bottom of the board.
SCREEN_PINNED = 3
MEDALS = ("🥇", "🥈", "🥉")
