"""Shared fixtures: fresh databases (SQLite and, with TEST_DATABASE_URL, PostgreSQL),
the demo campaign built once per run, and an AppTest factory for pages.

With TEST_DATABASE_URL set, every page test (``open_page``) runs on both
SQLite and PostgreSQL: the demo is loaded once into a database of its own
beside the test database (``<name>_demo``), so the store tests' drops never touch it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from lib import store
from tests.data import make_ledgers

ROOT = Path(__file__).resolve().parent.parent
# Campaign snapshots of the test databases go to a throwaway folder, not data/cache (servers inherit it).
os.environ.setdefault("BOARD_CACHE_DIR", tempfile.mkdtemp(prefix="board-snapshots-"))
APP_TIMEOUT = 90  # seconds; AppTest needs ≥ 30 s on a 2-core machine


def _backends() -> list:
    pg = pytest.param("postgresql", marks=pytest.mark.postgres)
    return ["sqlite", pg]


@pytest.fixture(params=_backends())
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty database with the schema: SQLite, and PostgreSQL when configured."""
    if request.param == "sqlite":
        eng = store.get_engine(f"sqlite:///{tmp_path / 'board.db'}")
    else:
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.skip("TEST_DATABASE_URL is not set")
        eng = store.get_engine(url)
        store.drop_all(eng)
    store.init_db(eng)
    yield eng
    if request.param != "sqlite":
        store.drop_all(eng)
    eng.dispose()


@pytest.fixture(scope="session")
def demo_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An SQLite file holding the demo campaign, built once per test run."""
    path = tmp_path_factory.mktemp("demo") / "board.db"
    url = f"sqlite:///{path}"
    store.load_demo(store.get_engine(url))
    return url


@pytest.fixture(scope="session")
def demo_campaign(demo_db_url: str) -> store.Campaign:
    """The demo campaign as the pages load it."""
    return store.load_frames(store.get_engine(demo_db_url))


def page_backends() -> list:
    """SQLite, and PostgreSQL when TEST_DATABASE_URL is set (not listed otherwise: no wall of skips)."""
    pg = [pytest.param("postgresql", marks=pytest.mark.postgres)] if os.environ.get("TEST_DATABASE_URL") else []
    return ["sqlite", *pg]


@pytest.fixture(scope="session")
def demo_pg_url() -> str:
    """The demo campaign on PostgreSQL, in ``<TEST_DATABASE_URL's database>_demo`` (created if missing)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set")
    url = make_url(base)
    demo = url.set(database=f"{url.database}_demo")
    admin = create_engine(url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": demo.database}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{demo.database}"'))
    admin.dispose()
    demo_url = demo.render_as_string(hide_password=False)
    store.load_demo(store.get_engine(demo_url))
    return demo_url


@pytest.fixture(params=page_backends())
def page_db_url(request: pytest.FixtureRequest, demo_db_url: str) -> str:
    """The demo database a page test reads: SQLite, and PostgreSQL too when configured."""
    return demo_db_url if request.param == "sqlite" else request.getfixturevalue("demo_pg_url")


@pytest.fixture
def open_page(page_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Open a page of the app on the demo database, with URL parameters.

    ``open_page("teams", asof="2023-10-10", block=["yanta-2"])`` runs app.py
    with those parameters and switches to ``pages/teams.py``.
    """
    monkeypatch.setenv("DATABASE_URL", page_db_url)

    def _open(page: str = "overview", **params: str | list[str]) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
        if page != "overview":
            # AppTest can only switch after a first run; then the link is
            # opened on the page itself, as a browser would.
            at.run()
            at.switch_page(f"pages/{page}.py")
            at.query_params.clear()
        for key, value in params.items():
            at.query_params[key] = value
        return at.run()

    return _open


@pytest.fixture(scope="session")
def board_url(demo_db_url: str) -> Iterator[str]:
    """The real app served on the demo database for browser tests (one server per run)."""
    from tests.browser_support import run_streamlit

    with run_streamlit(ROOT / "app.py", ROOT, env={"DATABASE_URL": demo_db_url}) as url:
        yield url


@pytest.fixture(scope="session")
def office_corpus(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The office-shape workbooks saved again by LibreOffice (the test-data build step).

    Written with openpyxl by ``tests/data/make_ledgers.py``, then converted by
    ``soffice --headless --convert-to`` into xlsx, .xls (BIFF8) and a GBK csv of
    the 进度 sheet — what an office PC really writes. About 3 × 2 s, once per run;
    the seconds each format took are in ``["seconds"]``.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc")
    corpus = make_ledgers.libreoffice_convert(make_ledgers.office_corpus(), tmp_path_factory.mktemp("office"),
                                              soffice)
    print(f"\nLibreOffice round trip: {corpus['seconds']}")  # shown with -s / in -rA reports
    return corpus
