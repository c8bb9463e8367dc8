"""Backups and restore (``python -m lib.store``), and database problems on the command lines: one line, exit 2."""

from __future__ import annotations

import os
import runpy
import sys

import pandas as pd
import pytest

from lib import store
from lib.store import __main__ as store_cli
from lib.store.backup import BackupError, backup, restore


def _board(engine) -> dict:
    """What the board shows, in frames that compare exactly."""
    c = store.load_frames(engine)
    return {
        "blocks": pd.DataFrame(c.blocks.drop(columns="geometry")),
        "teams": c.teams,
        "households": pd.DataFrame(c.households.drop(columns="geometry")).sort_values("household_id", ignore_index=True),
        "geometry": c.households.sort_values("household_id").geometry.to_wkt().tolist(),
        "milestones": c.milestones.sort_values(["household_id", "stage"], ignore_index=True),
    }


def _same_board(a: dict, b: dict) -> None:
    for key in ("blocks", "teams", "households", "milestones"):
        pd.testing.assert_frame_equal(a[key], b[key], check_dtype=False)
    assert a["geometry"] == b["geometry"]


def test_a_restored_sqlite_backup_shows_the_same_board(demo_db_url, tmp_path):
    source = store.get_engine(demo_db_url)
    out = tmp_path / "board-backup.db"
    assert backup(source, out) == f"backed up {demo_db_url} (694 households) to {out}"
    target = store.get_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    store.init_db(target)
    assert restore(target, out).endswith("(694 households)")
    _same_board(_board(source), _board(target))


def test_restore_moves_the_data_version_past_both(demo_db_url, tmp_path):
    out = tmp_path / "b.db"
    backup(store.get_engine(demo_db_url), out)
    target = store.get_engine(f"sqlite:///{tmp_path / 'live.db'}")
    store.load_demo(target)
    for _ in range(3):  # the live database moved on after the backup
        with target.begin() as conn:
            store.engine.bump_version(conn)
    live, saved = store.data_version(target), store.data_version(store.get_engine(demo_db_url))
    restore(target, out)
    assert store.data_version(target) == max(live, saved) + 1  # every cache keyed on a version refreshes


def test_a_backup_never_overwrites_and_a_restore_takes_only_a_board(demo_db_url, tmp_path):
    engine = store.get_engine(demo_db_url)
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="taken.db exists already; choose a new file name"):
        backup(engine, taken)
    assert taken.read_bytes() == b"keep me"
    target = store.get_engine(f"sqlite:///{tmp_path / 'live.db'}")
    with pytest.raises(BackupError, match=r"taken.db is not an SQLite backup \(file is not a database\)"):
        restore(target, taken)
    with pytest.raises(BackupError, match="missing.db is not a file"):
        restore(target, tmp_path / "missing.db")


@pytest.mark.postgres
def test_a_restored_postgresql_backup_shows_the_same_board(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set")
    pg = store.get_engine(url)
    store.load_demo(pg)
    before = _board(pg)
    out = tmp_path / "board.dump"
    assert backup(pg, out).startswith("backed up postgresql://")
    store.drop_all(pg)  # disaster
    store.init_db(pg)
    restore(pg, out)
    _same_board(before, _board(pg))
    store.drop_all(pg)


def test_backup_command_line(demo_db_url, tmp_path, capsys):
    out = tmp_path / "b.db"
    assert store_cli.main(["backup", str(out), "--db", demo_db_url]) == 0
    assert capsys.readouterr().out == f"backed up {demo_db_url} (694 households) to {out}\n"
    assert store_cli.main(["backup", str(out), "--db", demo_db_url]) == 2
    assert capsys.readouterr().err == f"error: {out} exists already; choose a new file name\n"
    restored = f"sqlite:///{tmp_path / 'r.db'}"
    assert store_cli.main(["restore", str(out), "--db", restored]) == 0
    assert capsys.readouterr().out.endswith("(694 households)\n")


@pytest.mark.parametrize("module", ["lib.store", "lib.demo"])
@pytest.mark.parametrize(("url", "says"), [
    ("sqlite:////proc/no/such/dir/board.db", "unable to open database file"),
    ("postgresql://root@127.0.0.1:1/none", "OperationalError"),
    ("bogus://x", "NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:bogus"),
])
def test_database_problems_are_one_line_and_exit_2(module, url, says, tmp_path, capsys, monkeypatch):
    if module == "lib.store":
        code = store_cli.main(["backup", str(tmp_path / "b.db"), "--db", url])
    else:
        monkeypatch.setattr(sys, "argv", [module, "--db", url])
        with pytest.raises(SystemExit) as done:
            runpy.run_module(module, run_name="__main__")
        code = done.value.code
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: database ") and says in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_the_demo_refuses_too_few_households_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["lib.demo", "--households", "10", "--db", f"sqlite:///{tmp_path / 'd.db'}"])
    with pytest.raises(SystemExit) as done:
        runpy.run_module("lib.demo", run_name="__main__")
    assert done.value.code == 2
    assert capsys.readouterr().err == "error: households must be at least 694 (the article's blocks), got 10\n"

