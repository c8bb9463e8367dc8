"""``python -m lib.brief``: writes the three files; a bad date, scope or database is one line,
exit 2, and nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from lib import store
from lib.brief import cli

ROOT = Path(__file__).resolve().parent.parent


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_writes_png_pdf_and_scoresheet(demo_db_url, tmp_path, capsys):
    out = tmp_path / "brief"
    code, stdout, err = _run(capsys, "--asof", "2023-10-10", "--out", str(out), "--db", demo_db_url)
    assert code == 0 and err == ""
    assert sorted(p.name for p in out.iterdir()) == ["成绩单-2023-10-10.xlsx", "日报-2023-10-10.pdf", "日报-2023-10-10.png"]
    assert Image.open(out / "日报-2023-10-10.png").width == 1080
    assert (out / "日报-2023-10-10.pdf").read_bytes().startswith(b"%PDF")
    assert stdout.count("已写入 ") == 3


def test_block_by_name_or_id_and_english(demo_db_url, tmp_path, capsys):
    code, _, _ = _run(capsys, "--asof", "2023-11-07", "--out", str(tmp_path), "--db", demo_db_url,
                      "--block", "状元地块", "--block", "south-bus", "--lang", "en")
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "daily-brief-2023-11-07.pdf", "daily-brief-2023-11-07.png", "score-sheet-2023-11-07.xlsx",
    ]


def test_without_asof_the_latest_day_is_briefed(demo_db_url, tmp_path, capsys):
    assert _run(capsys, "--out", str(tmp_path), "--db", demo_db_url)[0] == 0
    assert (tmp_path / "日报-2023-11-07.png").is_file()


@pytest.mark.parametrize(("args", "message"), [
    (["--asof", "2023-13-07"], "日期无效：2023-13-07（应为 YYYY-MM-DD）"),
    (["--asof", "yesterday"], "日期无效：yesterday（应为 YYYY-MM-DD）"),
    (["--asof", "2024-05-01"], "日期 2024-05-01 超出数据范围 2023-09-16 至 2023-11-07"),
    (["--block", "nowhere"], "无此地块：nowhere（可选：yanta-2, hongxing, south-bus, zhuangyuan）"),
    (["--block", "zhuangyuan", "--team", "nz-xingang"], "所选范围内没有住户：状元地块、新港社区工作组"),
])
def test_bad_input_is_one_line_exit_2_nothing_written(demo_db_url, tmp_path, capsys, args, message):
    out = tmp_path / "brief"
    code, stdout, err = _run(capsys, "--out", str(out), "--db", demo_db_url, *args)
    assert (code, stdout, err) == (2, "", message + "\n")
    assert not out.exists()


def test_missing_sqlite_file_is_refused_and_not_created(tmp_path, capsys):
    db = tmp_path / "none.db"
    code, _, err = _run(capsys, "--out", str(tmp_path / "o"), "--db", f"sqlite:///{db}")
    assert code == 2 and err == f"无法连接数据库：FileNotFoundError: no such database file: {db}\n"
    assert not db.exists() and not (tmp_path / "o").exists()


def test_unreachable_server_is_refused(tmp_path, capsys):
    code, _, err = _run(capsys, "--out", str(tmp_path / "o"), "--db", "postgresql://root@127.0.0.1:1/none", "--lang", "en")
    assert code == 2 and err.startswith("cannot reach the database: OperationalError: ") and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_an_empty_database_is_refused(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    store.init_db(store.get_engine(url))
    code, _, err = _run(capsys, "--out", str(tmp_path / "o"), "--db", url)
    assert code == 2 and err.startswith("数据库中还没有数据：")
    assert not (tmp_path / "o").exists()


def test_runs_as_a_module(demo_db_url, tmp_path):
    done = subprocess.run(  # noqa: PLW1510 (the exit code is what is tested)
        [sys.executable, "-m", "lib.brief", "--asof", "2023-10-10", "--out", str(tmp_path), "--db", demo_db_url],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert len(list(tmp_path.iterdir())) == 3
    bad = subprocess.run(  # noqa: PLW1510
        [sys.executable, "-m", "lib.brief", "--asof", "nope", "--out", str(tmp_path / "x")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert bad.returncode == 2 and bad.stderr == "日期无效：nope（应为 YYYY-MM-DD）\n"
