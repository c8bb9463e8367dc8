"""The data page under AppTest: who may see it, upload → preview → confirm → undo, and the board moving.

Tests that write get their own copy of the demo database (``board``); the
shared demo database of ``open_page`` is only read.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import auth, store
from lib.web import auth as web_auth
from lib.web.escape import WORD_JOINER
from tests.conftest import APP_TIMEOUT, ROOT, page_backends
from tests.data import demo_ledgers as d

PASSWORD = "攻坚2023"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def no_secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_db_url: str):
    """Whatever secrets.toml this machine has, these tests set the password themselves.

    Each test starts with no failed logins in the shared demo database, so one
    test's wrong passwords never throttle the next.
    """
    monkeypatch.setattr(store, "SECRETS_PATH", tmp_path / "no-secrets.toml")
    monkeypatch.delenv(auth.ENV_VAR, raising=False)
    yield
    with store.get_engine(demo_db_url).begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_log")


@pytest.fixture(params=page_backends())
def board_db(request: pytest.FixtureRequest, demo_db_url: str, tmp_path: Path) -> Iterator[str]:
    """A private copy of the demo database, for tests that write (also on PostgreSQL when configured)."""
    if request.param == "postgresql":
        url = os.environ["TEST_DATABASE_URL"]
        store.load_demo(store.get_engine(url))
        st.cache_resource.clear()  # the same URL and data version held another test's board
        yield url
        store.drop_all(store.get_engine(url))
        return
    target = tmp_path / "board.db"
    src = sqlite3.connect(demo_db_url.removeprefix("sqlite:///"))
    dst = sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    yield f"sqlite:///{target}"


@pytest.fixture
def data_page(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Open /data on ``db_url`` with URL parameters; ``password`` configures the editor role.

    With nothing configured the session logs in as ``editor`` with this
    process's console token, as the operator would (``editor=None``: stay a viewer).
    """

    def _open(db_url: str, *, password: str | None = None, editor: str | None = "林建", **params: str) -> AppTest:
        monkeypatch.setenv("DATABASE_URL", db_url)
        if password is not None:
            monkeypatch.setenv(auth.ENV_VAR, auth.hash_password(password))
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
        at.run()
        at.switch_page("pages/data.py")
        at.query_params.clear()
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        if editor and auth.ENV_VAR not in os.environ:
            at = _login(at, editor, web_auth._TOKEN)
        return at

    return _open


def _shown(markdown: str) -> str:
    """Markdown as the reader sees it (the page escapes ledger text: ``a\\.csv`` shows as ``a.csv``)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(WORD_JOINER, "")


def _texts(at: AppTest) -> str:
    parts = [el.value for kind in ("markdown", "caption", "success", "info", "warning", "error") for el in getattr(at, kind)]
    parts += [str(el.value) for el in at.get("html")]
    return _shown("\n".join(str(p) for p in parts))


def _upload(at: AppTest, name: str, data: bytes, mime: str = CSV) -> AppTest:
    at.get("file_uploader")[0].set_value((name, data, mime))
    return at.run()


def _button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def _goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"pages/{page}.py")
    return at.run()


def _login(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="data-login-name").input(name)
    at.text_input(key="data-login-password").input(password)
    next(b for b in at.button if b.proto.label in ("登录", "Log in")).click()
    return at.run()


# --------------------------------------------------------------------- who sees what


def test_viewer_sees_only_the_login_form(data_page, demo_db_url):
    at = data_page(demo_db_url, password=PASSWORD)
    assert not at.exception
    assert not at.get("file_uploader") and not at.dataframe and not at.get("download_button")
    assert [w.key for w in at.text_input] == ["data-login-name", "data-login-password"]
    assert "编辑者登录" in _texts(at)
    assert "本地模式" not in _texts(at)


def test_wrong_password_is_refused_and_right_one_opens_the_page(data_page, demo_db_url):
    at = _login(data_page(demo_db_url, password=PASSWORD), "林建", "wrong")
    assert [_shown(e.value) for e in at.error] == ["密码不正确。"]
    assert not at.get("file_uploader")
    at = _login(at, "林建", PASSWORD)
    assert not at.exception and not at.error
    assert at.get("file_uploader")
    assert "已登录：林建（编辑者）" in _texts(at)
    assert "editor" not in str(dict(at.query_params)).lower()  # the login never reaches the link
    _button(at, "data-logout").click()
    at.run()
    assert not at.get("file_uploader") and "编辑者登录" in _texts(at)


def test_a_name_is_required_at_login(data_page, demo_db_url):
    at = _login(data_page(demo_db_url, password=PASSWORD, lang="en"), "", PASSWORD)
    assert [_shown(e.value) for e in at.error] == ["Please give your name (it goes into the import history)."]
    assert not at.get("file_uploader")


def test_a_share_link_opened_elsewhere_is_a_viewer(data_page, demo_db_url):
    at = _login(data_page(demo_db_url, password=PASSWORD), "林建", PASSWORD)
    at.query_params["asof"] = "2023-10-01"  # a link with parameters, as the share box writes it
    at.run()
    link = dict(at.query_params)
    assert link and not any("auth" in k or "editor" in k for k in link)
    other = data_page(demo_db_url, **link)  # the same link in a new session
    assert not other.get("file_uploader") and "编辑者登录" in _texts(other)


def test_a_malformed_password_hash_locks_the_page(data_page, demo_db_url, monkeypatch):
    monkeypatch.setenv(auth.ENV_VAR, "secret")
    at = _login(data_page(demo_db_url), "林建", "secret")
    assert _shown(at.error[0].value).startswith("编辑密码配置有误，暂时无法登录：")
    assert not at.get("file_uploader")


def test_with_nothing_configured_a_share_link_cannot_edit(data_page, demo_db_url):
    at = data_page(demo_db_url, editor=None, asof="2023-11-01")
    assert not at.exception
    assert not at.get("file_uploader") and not at.dataframe and not at.get("download_button")
    assert [w.key for w in at.text_input] == ["data-login-name", "data-login-password"]
    assert [w.label for w in at.text_input] == ["姓名", "编辑令牌"]
    assert "一次性编辑令牌" in _texts(at)
    at = _login(at, "林建", "guess")
    assert [_shown(e.value) for e in at.error] == ["令牌不正确。"]
    assert not at.get("file_uploader")


def test_the_console_token_opens_the_page_and_leaves_the_link(data_page, demo_db_url):
    at = data_page(demo_db_url, editor=None, token=web_auth._TOKEN, lang="en")
    assert not at.exception
    assert at.get("file_uploader") and len(at.get("download_button")) == 2
    assert "Logged in as operator (editor)" in _texts(at)
    assert "token" not in at.query_params and not at.toast  # gone from the link, and no "unknown parameter"


def test_editors_see_the_audit_trail_of_logins(data_page, demo_db_url):
    at = data_page(demo_db_url, editor=None)
    at = _login(at, "王芳", "wrong")
    at = _login(at, "林建", web_auth._TOKEN)
    audit = at.dataframe[-1].value
    assert list(audit.columns) == ["时间（UTC）", "操作", "操作人", "来源地址", "详情"]
    assert audit[["操作", "操作人", "详情"]].values.tolist() == [["登录", "林建", "token"], ["登录失败", "王芳", "token"]]


def test_the_big_screen_never_shows_the_data_page(data_page, demo_db_url):
    at = data_page(demo_db_url, editor=None, screen="1")
    assert not at.exception
    assert "数据页不在大屏上显示。" in [h.value for h in at.main.subheader]
    assert not at.get("file_uploader") and not at.dataframe


def test_english(data_page, demo_db_url):
    at = data_page(demo_db_url, lang="en")
    assert not at.exception
    text = _texts(at)
    assert "Import a ledger" in text and "Import history" in text and "Nothing to undo" in text
    assert list(at.dataframe[0].value.columns)[:3] == ["Batch", "Imported at", "By"]


# --------------------------------------------------------------------- the import journey


def _sealed_zhuangyuan(at: AppTest) -> str:
    at = _goto(at, "overview")
    assert not at.exception
    page = "\n".join(str(el.value) for el in at.get("html"))
    row = page.split("状元地块", 1)[1].split("</tr>", 1)[0]
    return "94.80%" if "94.80%" in row else "93.60%" if "93.60%" in row else row


def _team_row(at: AppTest, team: str) -> str:
    at = _goto(at, "teams")
    assert not at.exception
    board = next(str(el.value) for el in at.get("html") if "cb-board" in str(el.value) and "<tbody>" in str(el.value))
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", board.split("<tbody>", 1)[1], flags=re.S)
    return next(" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows if team in r)


def test_upload_preview_confirm_moves_every_page_then_undo_restores(data_page, board_db):
    at = data_page(board_db)
    version = store.data_version(store.get_engine(board_db))
    at = _upload(at, "封房进度_gbk.csv", d.seal_three_gbk_csv())
    assert not at.exception
    assert "+3 封房" in _texts(at)
    assert [_shown(s.value) for s in at.success] == ["校验通过，确认后写入。"]
    assert store.data_version(store.get_engine(board_db)) == version  # nothing written before confirm

    _button(at, "data-confirm").click()
    at.run()
    assert not at.exception
    assert [_shown(s.value) for s in at.success] == ["已导入（批次 2）：+3 封房。看板各页已按新数据更新。"]
    assert not at.get("file_uploader")[0].value  # the uploader is emptied for the next file
    history = at.dataframe[0].value
    assert history.iloc[0][["批次", "导入人", "文件", "行数", "状态", "变化"]].tolist() == [
        2, "林建", "封房进度_gbk.csv", 3, "已生效", "+3 封房"]

    assert _sealed_zhuangyuan(at) == "94.80%"
    assert "97.92%" in _team_row(at, "宁化街道征迁工作组一组")  # 45 → 47 of 48 sealed

    at = _goto(at, "data")
    _button(at, "data-undo-ask").click()
    at.run()
    assert "确定撤销批次 2（封房进度_gbk.csv：+3 封房）" in _shown(" ".join(w.value for w in at.warning))
    _button(at, "data-undo-yes").click()
    at.run()
    assert [_shown(s.value) for s in at.success] == ["已撤销批次 2，数据已恢复到导入前。"]
    assert at.dataframe[0].value.iloc[0]["状态"] == "已撤销"
    assert _sealed_zhuangyuan(at) == "93.60%"
    assert "93.75%" in _team_row(at, "宁化街道征迁工作组一组")
    audit = store.list_events(store.get_engine(board_db))  # who did what, newest first
    assert audit[["action", "who", "detail"]].values.tolist() == [
        ["undo", "林建", "batch 2"],
        ["import", "林建", "batch 2: 封房进度_gbk.csv · +3 sealed"],
        ["login", "林建", "token"],
    ]


def test_undo_can_be_cancelled(data_page, board_db):
    at = _upload(data_page(board_db), "封房进度.csv", d.seal_three_gbk_csv())
    _button(at, "data-confirm").click()
    at.run()
    _button(at, "data-undo-ask").click()
    at.run()
    _button(at, "data-undo-no").click()
    at.run()
    assert at.dataframe[0].value.iloc[0]["状态"] == "已生效"
    assert any(b.key == "data-undo-ask" for b in at.button)


def test_district_office_workbook_imports_cleanly(data_page, board_db):
    at = _upload(data_page(board_db), "街道台账_20231107.xlsx", d.seal_three_district_xlsx(), XLSX)
    assert not at.exception
    text = _texts(at)
    assert "台账日期 2023-11-07" in text and "+3 封房" in text
    assert not at.error and not any(df.value.shape[1] == 5 and "时间（UTC）" not in df.value.columns
                                    for df in at.dataframe)  # no problem table (the other five-column one is the audit trail)
    _button(at, "data-confirm").click()
    at.run()
    assert [_shown(s.value) for s in at.success] == ["已导入（批次 2）：+3 封房。看板各页已按新数据更新。"]
    assert _sealed_zhuangyuan(at) == "94.80%"


def test_several_files_at_once_add_a_household_with_its_footprint(data_page, board_db):
    at = data_page(board_db)
    at.get("file_uploader")[0].set_value(d.new_household_files())
    at.run()
    assert not at.exception
    text = _texts(at)
    assert "文件：户.csv + 进度.csv + 图斑.geojson" in text
    assert "+1 入户调查，+1 评估，+1 签约，新增 1 户，1 户图斑" in text
    _button(at, "data-confirm").click()
    at.run()
    assert _shown(at.success[0].value).startswith("已导入（批次 2）：")
    at = _goto(at, "overview")
    row = "\n".join(str(el.value) for el in at.get("html")).split("状元地块", 1)[1].split("</tr>", 1)[0]
    assert ">251<" in row and "97.21%" in row  # signed 243 → 244 of 250 → 251


def test_reimporting_the_same_file_is_a_no_op(data_page, board_db):
    at = _upload(data_page(board_db), "封房进度.csv", d.seal_three_gbk_csv())
    _button(at, "data-confirm").click()
    at.run()
    at = _upload(at, "封房进度（再次）.csv", d.seal_three_gbk_csv())
    info = _shown(" ".join(i.value for i in at.info))
    assert "这个文件已于" in info and "导入过（批次 2），无需重复导入。" in info
    assert _button(at, "data-confirm").disabled
    assert len(store.list_batches(store.get_engine(board_db))) == 2


def test_three_errors_are_refused_with_three_messages_and_nothing_moves(data_page, board_db):
    at = _upload(data_page(board_db), "进度_20231107.csv", d.three_errors_csv())
    assert not at.exception
    problems = at.dataframe[0].value
    assert problems["级别"].tolist() == ["✗ 错误"] * 3
    assert problems[["表", "行", "列"]].values.tolist() == [
        ["进度_20231107.csv", "2", "户号"], ["进度_20231107.csv", "3", "签约日期"], ["进度_20231107.csv", "4", "封房日期"]]
    for message, (_, _, expected) in zip(problems["说明"], d.THREE_ERRORS_ZH, strict=True):
        assert message.startswith(expected)
    assert _shown(at.error[0].value).startswith("有 3 个错误，不能导入，未写入任何数据。")
    assert _button(at, "data-confirm").disabled
    assert store.data_version(store.get_engine(board_db)) == 1
    assert _sealed_zhuangyuan(at) == "93.60%"


def test_warnings_must_be_accepted(data_page, board_db):
    at = _upload(data_page(board_db), "撤签.csv", d.unsign_one_csv())
    assert "−1 签约" in _texts(at)
    assert _shown(at.warning[-1].value).startswith("有 1 个警告")
    assert _button(at, "data-confirm").disabled
    at.checkbox[0].check()
    at.run()
    assert not _button(at, "data-confirm").disabled
    _button(at, "data-confirm").click()
    at.run()
    assert [_shown(s.value) for s in at.success] == ["已导入（批次 2）：−1 签约。看板各页已按新数据更新。"]


def test_not_a_ledger_is_refused_clearly(data_page, board_db):
    at = _upload(data_page(board_db), "照片.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, XLSX)
    assert not at.exception
    assert _shown(at.error[0].value).startswith("无法导入：“照片.xlsx”：")
    assert _button(at, "data-confirm").disabled


def test_a_file_name_cannot_inject_markdown(data_page, board_db):
    at = _upload(data_page(board_db), "[点我](http://evil.example).xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, XLSX)
    raw = at.error[0].value
    assert r"\[点我\](http" in raw and "](http://" not in raw  # shown as text, never a link
    assert _shown(raw).startswith("无法导入：“[点我](http://evil.example).xlsx”：")


def test_discard_clears_the_preview(data_page, board_db):
    at = _upload(data_page(board_db), "封房进度.csv", d.seal_three_gbk_csv())
    _button(at, "data-discard").click()
    at.run()
    assert not any(b.key == "data-confirm" for b in at.button)
    assert store.data_version(store.get_engine(board_db)) == 1


def test_an_editor_logged_in_imports_under_their_name(data_page, board_db):
    at = _login(data_page(board_db, password=PASSWORD), "王芳", PASSWORD)
    at = _upload(at, "封房进度.csv", d.seal_three_gbk_csv())
    _button(at, "data-confirm").click()
    at.run()
    assert store.list_batches(store.get_engine(board_db)).iloc[0]["imported_by"] == "王芳"


def test_export_offers_the_ledger_and_the_template(data_page, demo_db_url):
    at = data_page(demo_db_url)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["下载当前台账 (xlsx)", "下载空白模板 (xlsx)"]


# --------------------------------------------------------------------- issue 11: a clerk alone


def test_the_sidebar_shows_no_filters_on_the_data_page_and_keeps_them(data_page, demo_db_url):
    at = data_page(demo_db_url, block="zhuangyuan", lang="en")
    assert not at.exception
    assert not at.sidebar.multiselect and not at.sidebar.date_input
    assert [s.key for s in at.sidebar.get("button_group")] == ["lang"]
    at = _goto(at, "overview")
    assert at.sidebar.multiselect(key="block").value == ["zhuangyuan"]


def test_a_status_ledger_without_an_as_of_day_gets_a_date_field(board_db, data_page):
    at = _upload(data_page(board_db), "状态.csv", "户号,状态\r\nZY-0003,已封房\r\n".encode("gbk"))
    assert not at.exception
    table = at.dataframe[0].value
    assert table[["行", "列"]].values.tolist() == [["整列", "状态"]]  # a problem of no row says so, never None
    assert "None" not in table.to_string()
    field = at.date_input(key="data-asof")
    assert field.label == "台账日期（文件未注明截至日期时填写）" and field.value is None
    at = field.set_value(date(2023, 11, 7)).run()
    assert not at.exception
    assert not [df for df in at.dataframe if "级别" in df.value.columns]  # no problem table any more
    assert "+1 封房" in _texts(at) and "校验通过，确认后写入。" in _texts(at)


def test_the_history_says_its_changes_in_the_readers_language(board_db, data_page):
    at = _upload(data_page(board_db), "封房进度.csv", d.seal_three_gbk_csv())
    at = _button(at, "data-confirm").click().run()
    at.query_params["lang"] = "en"
    at = at.run()
    history = next(df.value for df in at.dataframe if "Changes" in df.value.columns)
    assert history["Changes"].iloc[0] == "+3 sealed"
    assert len(history["sha256"].iloc[0]) == 12
