"""An empty or unreachable database: a clear message, no invented numbers, no traceback."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from lib.web import auth as web_auth
from tests.conftest import APP_TIMEOUT, ROOT


def _run(monkeypatch, url: str, **params: str) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_empty_database_says_how_to_load_data(monkeypatch, tmp_path: Path):
    at = _run(monkeypatch, f"sqlite:///{tmp_path / 'empty.db'}")
    assert not at.exception
    assert [h.value for h in at.header] == ["还没有数据"]
    assert "python -m lib.ingest" in at.info[0].value
    assert all('<div class="cb-kpi"' not in str(h.value) for h in at.get("html"))  # no invented numbers
    assert [w.key for w in at.text_input] == ["data-login-name", "data-login-password"]  # the data page, for editors
    editor = _run(monkeypatch, f"sqlite:///{tmp_path / 'empty.db'}", token=web_auth._TOKEN)  # the console's link
    assert editor.get("file_uploader"), "the data page is there to load a ledger"


def test_empty_database_in_english(monkeypatch, tmp_path: Path):
    at = _run(monkeypatch, f"sqlite:///{tmp_path / 'empty.db'}", lang="en")
    assert not at.exception
    assert [h.value for h in at.header] == ["No data yet"]


def test_unreachable_database_is_an_error_message_not_a_traceback(monkeypatch):
    at = _run(monkeypatch, "postgresql://nobody@127.0.0.1:1/none")
    assert not at.exception
    assert at.error[0].value.startswith("无法连接数据库")
