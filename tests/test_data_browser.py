"""The data page in a real browser: an editor logs in, uploads the district's csv, confirms, and the board moves.

Runs its own server on a private copy of the demo database with an editor
password set (the shared ``board_url`` server is never written to).
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from lib import auth
from tests.browser_support import (
    SCRIPT_DONE,
    chromium_page,
    exceptions_on_page,
    open_and_settle,
    run_streamlit,
)
from tests.conftest import ROOT
from tests.data import demo_ledgers as d

pytestmark = pytest.mark.browser
PASSWORD = "攻坚2023"


@pytest.fixture(scope="module")
def editor_board(demo_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a fresh copy of the demo, with an editor password."""
    target = tmp_path_factory.mktemp("data-browser") / "board.db"
    src, dst = sqlite3.connect(demo_db_url.removeprefix("sqlite:///")), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    env = {"DATABASE_URL": f"sqlite:///{target}", auth.ENV_VAR: auth.hash_password(PASSWORD)}
    with run_streamlit(ROOT / "app.py", ROOT, env=env) as url:
        yield url


def _settle(page) -> None:
    page.wait_for_timeout(500)
    page.wait_for_selector(SCRIPT_DONE)
    page.wait_for_timeout(500)
    page.wait_for_selector(SCRIPT_DONE)


def _zhuangyuan_row(page) -> str:
    return page.locator("tr", has_text="状元地块").first.inner_text()


def test_a_viewer_sees_the_login_form_only(editor_board):
    with chromium_page(1280, 900) as page:
        open_and_settle(page, f"{editor_board}/data")
        assert page.get_by_text("编辑者登录").is_visible()
        assert page.locator('input[type="file"]').count() == 0
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
        assert page.get_by_text("本地模式").count() == 0


def test_editor_imports_a_gbk_csv_and_the_overview_moves(editor_board, tmp_path: Path):
    ledger = tmp_path / "封房进度_gbk.csv"
    ledger.write_bytes(d.seal_three_gbk_csv())
    with chromium_page(1280, 900) as page:
        open_and_settle(page, f"{editor_board}/overview")
        assert "93.60%" in _zhuangyuan_row(page)

        open_and_settle(page, f"{editor_board}/data")
        page.get_by_role("textbox", name="姓名").fill("林建")
        page.get_by_role("textbox", name="编辑密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        _settle(page)
        assert page.get_by_text("已登录：林建（编辑者）").is_visible()

        page.set_input_files('input[type="file"]', str(ledger))
        _settle(page)
        page.get_by_text("校验通过，确认后写入。").wait_for()
        assert page.get_by_text("+3 封房").first.is_visible()

        page.get_by_role("button", name="确认导入").click()
        _settle(page)
        page.get_by_text("已导入（批次 2）：+3 封房。看板各页已按新数据更新。").wait_for()
        assert page.locator('[data-testid="stDataFrame"]').first.is_visible()
        assert exceptions_on_page(page) == []

        with page.expect_download() as download:
            page.get_by_role("button", name="下载当前台账 (xlsx)").click()
        assert download.value.suggested_filename == "台账_2023-11-07.xlsx"
        exported = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
        assert exported.sheetnames == ["地块", "工作组", "户", "进度"]
        progress = {row[0]: row for row in exported["进度"].iter_rows(values_only=True)}
        assert progress["ZY-0003"][4].date() == d.SEALED_ON_DAY  # 封房日期, as just imported

        page.get_by_role("link", name="总览").click()
        _settle(page)
        assert "94.80%" in _zhuangyuan_row(page)
        assert exceptions_on_page(page) == []
