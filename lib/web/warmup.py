"""Fill the shared caches when the server starts, so the first viewer after a restart does not pay the load.

``streamlit run app.py`` serves ``app.py`` as an ``st.App`` whose lifespan
calls :func:`lifespan`: before the server accepts a connection it imports the
board's code, loads the campaign (from its snapshot when there is one) and
computes the views a plain link opens with (today's as-of, the whole
campaign, both languages' figures for the landing pages). The work runs in a
thread; the server waits for it at most :data:`WAIT_S` seconds and then
starts anyway, leaving the thread to finish (a viewer arriving meanwhile
waits on the same cache entries rather than computing them twice).

After an import or an undo (a new data version) the data page calls
:func:`after_write`, so the next viewer finds the new views computed too.

A database that cannot be opened is not an error here: the first page says
so, as it always does.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from lib.figures import parcel_map
from lib.web import state, views

#: The longest the server's start waits for the warm-up before it accepts connections anyway.
WAIT_S = 30.0

log = logging.getLogger(__name__)
#: Set by the lifespan: only a served board warms after writes (AppTest and the CLIs never start one).
_serving = threading.Event()


def warm() -> float:
    """Compute what the landing pages show for a plain link; return the seconds it took."""
    started = time.perf_counter()
    try:
        board = views.open_board()
    except views.BoardUnavailable as exc:
        log.warning("warm-up skipped: %s", exc)
        return time.perf_counter() - started
    campaign = board.campaign
    if campaign.is_empty or campaign.last_data_day is None:
        return time.perf_counter() - started
    rule, _ = views.scoring()
    settings = views.load_basemap_settings()
    basemap, _ = parcel_map.resolve_basemap(settings.default, settings)
    plain = state.Filters(asof=campaign.last_data_day)
    views.block_view(plain)  # the numbers: one per view, whatever the language or the mode
    views.team_view(plain, rule)
    views.map_view(plain, datum=parcel_map.datum_for(basemap))
    views.curves_view(plain)
    for lang in ("zh", "en"):  # the figures: per language, at a desk and on the wall
        for screen in (False, True):
            f = state.Filters(asof=campaign.last_data_day, lang=lang, screen=screen)
            views.command_curves(f)
            views.rate_bars(f)
            views.curve_figures(f, "day", "blocks")
    elapsed = time.perf_counter() - started
    log.info("warm-up done in %.1f s (%d households)", elapsed, len(campaign.households))
    return elapsed


def _warm_logged() -> None:
    try:
        warm()
    except Exception:  # a warm-up failure must never stop the server: the page that needs it will say why
        log.exception("warm-up failed")


def _start() -> threading.Thread:
    thread = threading.Thread(target=_warm_logged, name="board-warm-up", daemon=True)
    thread.start()
    return thread


def after_write() -> None:
    """Warm the new data version's views in the background (a served board only)."""
    if _serving.is_set():
        _start()


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """``st.App`` lifespan: warm in a thread, wait for it up to :data:`WAIT_S`, then serve."""
    thread = _start()
    await asyncio.get_running_loop().run_in_executor(None, thread.join, WAIT_S)
    _serving.set()
    yield
