"""Command line: python -m lib.ingest FILE [--db URL] [--dry-run]; exit 0 / 1 / 2."""

import subprocess
import sys
from pathlib import Path

from lib import store
from lib.ingest import main
from tests.data import make_ledgers as m

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_loads_a_whole_campaign_into_an_empty_database(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'new.db'}"
    assert main([write(tmp_path, "台账.xlsx", m.xlsx(m.TINY)), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "+4 签约" in out and "Imported (batch 1)" in out
    assert len(store.load_frames(store.get_engine(db)).households) == 6


def test_dry_run_writes_nothing(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'new.db'}"
    assert main([write(tmp_path, "台账.xlsx", m.xlsx(m.TINY)), "--db", db, "--dry-run"]) == 0
    assert "Dry run: nothing was written." in capsys.readouterr().out
    assert store.load_frames(store.get_engine(db)).households.empty


def test_errors_exit_1_and_write_nothing(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'new.db'}"
    bad = m.replace(m.PROGRESS, "Z-002", "签约日期", "十月五号")
    assert main([write(tmp_path, "台账.xlsx", m.xlsx({**m.TINY, "进度": bad})), "--db", db]) == 1
    out = capsys.readouterr().out
    assert "'十月五号' is not a valid date" in out and "Nothing was written." in out
    assert store.load_frames(store.get_engine(db)).households.empty


def test_not_a_ledger_exits_2(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'new.db'}"
    assert main([write(tmp_path, "照片.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(64)), "--db", db]) == 2
    assert "is not a spreadsheet or csv file" in capsys.readouterr().err


def test_several_csv_files_and_a_gis_file_in_one_import(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'new.db'}"
    files = [write(tmp_path, f"{n}.csv", m.csv_bytes(rows, "gbk")) for n, rows in m.TINY.items()]
    files.append(write(tmp_path, "图斑.geojson", m.gis_bytes(m.footprints(["Y-001"]), "geojson")))
    assert main([*files, "--db", db, "--lang", "en"]) == 0
    assert "5 not on the map" in capsys.readouterr().out


def test_same_file_twice_says_so(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'new.db'}"
    path = write(tmp_path, "台账.xlsx", m.xlsx(m.TINY))
    main([path, "--db", db])
    assert main([path, "--db", db, "--lang", "en"]) == 0
    assert "already imported" in capsys.readouterr().out


def test_strict_treats_warnings_as_errors(tmp_path):
    db = f"sqlite:///{tmp_path / 'new.db'}"
    main([write(tmp_path, "a.xlsx", m.xlsx(m.TINY)), "--db", db])
    dup = m.xlsx({"进度": [*m.PROGRESS, m.PROGRESS[1]]})
    assert main([write(tmp_path, "b.xlsx", dup), "--db", db, "--strict"]) == 1


def test_runs_as_a_module(tmp_path):
    db = f"sqlite:///{tmp_path / 'new.db'}"
    proc = subprocess.run([sys.executable, "-m", "lib.ingest", write(tmp_path, "t.xlsx", m.xlsx(m.TINY)),
                           "--db", db, "--dry-run", "--lang", "en"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Changes: +6 surveyed" in proc.stdout


def test_an_unreachable_postgresql_is_one_line_and_exit_2(tmp_path, capsys):
    path = write(tmp_path, "t.xlsx", m.xlsx(m.TINY))
    assert main([path, "--db", "postgresql://root@127.0.0.1:1/none", "--lang", "en"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Cannot open the database postgresql://root@127.0.0.1:1/none: OperationalError: ")
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_an_unwritable_sqlite_path_is_one_line_and_exit_2(tmp_path, capsys):
    locked = tmp_path / "ro"
    locked.mkdir()
    (locked / "db").write_text("not a folder")  # a file where the database's folder should be
    path = write(tmp_path, "t.xlsx", m.xlsx(m.TINY))
    assert main([path, "--db", f"sqlite:///{locked / 'db' / 'board.db'}", "--lang", "zh"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"无法打开数据库 sqlite:///{locked / 'db' / 'board.db'}：")
    assert len(err.splitlines()) == 1


def test_no_files_and_no_template_is_exit_2(capsys):
    assert main(["--lang", "en"]) == 2
    assert capsys.readouterr().err.strip() == "Give the ledger files to import, or --template to write a blank template."
