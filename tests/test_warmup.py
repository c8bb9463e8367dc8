"""The server warms the shared caches at start (issue "性能": the first viewer after a restart pays nothing).

``streamlit run app.py`` must find ``app.py``'s ``st.App`` (else no lifespan
runs and nothing is warmed); the warm-up must compute exactly what a plain
link's landing pages read, so a page opened afterwards runs no forecast.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.web.server.app_discovery import discover_asgi_app

from lib import metrics
from lib.figures import command, overview, parcel_map, progress
from lib.web import warmup

ROOT = Path(__file__).resolve().parent.parent


def test_streamlit_run_serves_app_py_as_an_st_app_with_the_warm_up():
    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.import_string == "app:app"


#: What the landing pages' cached views compute on a miss (module, function), as lib/web/views.py calls them.
VIEW_WORK = [(metrics, "forecast_result"), (metrics, "block_table"), (metrics, "team_board"),
             (parcel_map, "build_view"), (command, "block_small_multiples"), (overview, "block_rate_bars"),
             (progress, "progress_curves")]


@pytest.fixture
def counted_work(monkeypatch):
    """Calls of each view computation from here on (cache misses only)."""
    calls: Counter[str] = Counter()
    for module, name in VIEW_WORK:
        real = getattr(module, name)

        def counting(*args, real=real, name=name, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counting)
    return calls


@pytest.mark.parametrize("page", ["overview", "command", "progress"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_landing_page_opened_after_the_warm_up_computes_nothing(page, lang, demo_db_url, monkeypatch, counted_work):
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    st.cache_resource.clear()
    warmup.warm()
    warmed = Counter(counted_work)
    assert set(warmed) == {name for _, name in VIEW_WORK}  # the warm-up computed each of them
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
        at.run()
    assert not at.exception
    assert counted_work == warmed, f"/{page} recomputed {counted_work - warmed} after the warm-up"


def test_warm_up_of_an_unreachable_database_is_quiet(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing/dir/board.db")
    assert warmup.warm() >= 0  # no exception: the first page says what is wrong, as always


def test_lifespan_warms_before_it_serves_and_then_warms_after_writes(demo_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    ran = []
    monkeypatch.setattr(warmup, "warm", lambda: ran.append("warm") or 0.0)
    monkeypatch.setattr(warmup, "_serving", threading.Event())
    warmup.after_write()
    assert ran == []  # not a served board (AppTest, the CLIs): nothing starts in the background

    async def serve():
        async with warmup.lifespan(None):
            assert ran == ["warm"]  # done before the first connection is accepted

    asyncio.run(serve())
    warmup.after_write()
    for thread in threading.enumerate():
        if thread.name == "board-warm-up":
            thread.join(5)
    assert ran == ["warm", "warm"]
