"""Real ledgers on the first morning: the district's own workbook, as an office PC saves it (issue 11).

Every workbook here is written by ``tests/data/make_ledgers.py`` with openpyxl
and saved again by LibreOffice (``office_corpus`` in conftest): totals and
subtotals rows with counts in the 户号 column, a merged title and two-level
header, blank separator rows, formulas with cached values, dates in four
forms, hidden rows and columns, an autofilter, .xls and a GBK csv export.
"""

from datetime import date
from pathlib import Path

import pytest

from lib import store
from lib.ingest import main, read_ledger, validate
from tests.data import make_ledgers as m

ZH_NOTES = m.office_expected_notes("zh")


def run_cli(files: list, db: str, *extra: str) -> int:
    return main([*map(str, files), "--db", db, *extra])


def households(db: str) -> list[str]:
    return sorted(store.load_frames(store.get_engine(db)).households["household_id"])


def tiny_blocks_and_teams_csv(tmp_path: Path) -> list[Path]:
    out = []
    for name in ("地块", "工作组"):
        path = tmp_path / f"{name}.csv"
        path.write_bytes(m.csv_bytes(m.TINY[name], "gbk"))
        out.append(path)
    return out


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_acceptance_workbook_imports_exactly_its_households(office_corpus, tmp_path, capsys, fmt):
    db = f"sqlite:///{tmp_path / 'board.db'}"
    assert run_cli([office_corpus[fmt]["office.xlsx"]], db, "--lang", "zh") == 0
    out = capsys.readouterr().out
    assert [line.removeprefix("  · ") for line in out.splitlines() if line.startswith("  · ")] == ZH_NOTES
    assert "0 个错误，0 个警告" in out
    assert households(db) == sorted(m.OFFICE_IDS)
    c = store.load_frames(store.get_engine(db))
    blocks = c.blocks.set_index("block_id")
    assert blocks.loc["yanta-2", "deadline"] == date(2023, 12, 24)  # =E2+99, read as its value
    hh = c.households.set_index("household_id")
    assert hh.loc["Y-002", "floor_area_m2"] == pytest.approx(60.5)  # =52.36+8.14
    assert hh.loc["Y-003", "address"] == "合计路3号"  # a real household whose address says 合计
    assert (hh.loc["Y-001", "block_id"], hh.loc["Y-001", "team_id"]) == ("yanta-2", "ctjt-1")  # by name, by id
    assert (hh.loc["Z-002", "block_id"], hh.loc["Z-002", "team_id"]) == ("zhuangyuan", "xingang")  # by id, by name


def test_dates_in_four_forms_in_one_column_read_as_the_same_days(office_corpus, tmp_path):
    report = validate(read_ledger(office_corpus["xlsx"]["office.xlsx"]), None)
    got = {(r.household_id, r.stage): r.date for r in report.milestones.itertuples()}
    stages = ("surveyed", "appraised", "signed", "sealed")
    expected = {(h[0], s): d for h in m.OFFICE_HOUSEHOLDS for s, d in zip(stages, h[7:], strict=False) if d is not None}
    assert got == expected


def test_gbk_csv_export_of_the_progress_sheet_imports_the_same(office_corpus, tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'board.db'}"
    files = [*tiny_blocks_and_teams_csv(tmp_path), office_corpus["csv"]["office.xlsx"]]
    assert run_cli(files, db, "--lang", "zh") == 0
    out = capsys.readouterr().out
    sheet = office_corpus["csv"]["office.xlsx"].name
    assert [line.removeprefix("  · ") for line in out.splitlines() if "合计行" in line] == [
        note.replace("“进度”表", f"“{sheet}”表") for note in ZH_NOTES]
    assert households(db) == sorted(m.OFFICE_IDS)


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_three_real_errors_are_exactly_the_three_reported(office_corpus, tmp_path, capsys, fmt):
    db = f"sqlite:///{tmp_path / 'board.db'}"
    assert run_cli([office_corpus[fmt]["office_errors.xlsx"]], db, "--lang", "en") == 1
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("  ERROR")] == [
        ("  ERROR: Sheet '进度', row 5, column '签约': '十月二号' is not a valid date "
         "(write 2023-09-26, 2023/9/26 or 2023年9月26日)."),
        ("  ERROR: Sheet '进度', row 10, column '工作组': team '第九工作组' does not exist "
         "(neither in the 工作组 sheet nor in the current data)."),
        "  ERROR: Sheet '进度', row 12, column '房屋用途': '仓库' is not allowed; expected one of 住宅, 杂物间, 非住宅.",
    ]
    assert "3 errors, 0 warnings" in out and "Nothing was written." in out
    assert households(db) == []


def test_hidden_rows_and_columns_are_imported_and_said_so(office_corpus):
    report = validate(read_ledger(office_corpus["xlsx"]["office_hidden.xlsx"]), None)
    assert [n.text("zh") for n in report.notes][3:] == [
        "“进度”表设有筛选（A3:L45），已读取全部行，筛选不影响导入。",
        "“进度”表第 5–6 行是隐藏行，已照常导入（隐藏不等于删除）。",
        "“进度”表“评估”列是隐藏列，已照常导入（隐藏不等于删除）。",
    ]
    assert report.problems == [] and report.changes.new_households == 8
    appraised = set(report.milestones.query("stage == 'appraised'")["household_id"])
    assert {"Y-002", "Y-003"} <= appraised  # hidden rows 5-6, hidden 评估 column: all read


def test_hidden_rows_and_columns_in_a_legacy_xls(office_corpus):
    report = validate(read_ledger(office_corpus["xls"]["office_hidden.xlsx"]), None)
    assert [n.text("en") for n in report.notes][3:] == [
        "Sheet '进度', rows 5–6 are hidden; imported all the same (hidden is not deleted).",
        "Sheet '进度', column '评估' is hidden; imported all the same (hidden is not deleted).",
    ]
    assert report.changes.new_households == 8


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_a_totals_row_above_the_data_is_skipped(office_corpus, fmt):
    report = validate(read_ledger(office_corpus[fmt]["office_totals_first.xlsx"]), None)
    assert [n.text("zh") for n in report.notes] == m.office_expected_notes("zh", totals_first=True)
    assert report.problems == [] and report.changes.new_households == 8


def test_the_openpyxl_original_reads_the_same_households():
    """Before LibreOffice: formulas carry no cached value (the deadline falls back to day 100, the area is blank)."""
    report = validate(read_ledger(m.office_workbook(), file_name="office.xlsx"), None)
    assert [n.text("en") for n in report.notes] == m.office_expected_notes("en")
    assert report.problems == []
    assert sorted(report.households["household_id"]) == sorted(m.OFFICE_IDS)
    assert report.blocks.set_index("block_id").loc["yanta-2", "deadline"] == date(2023, 12, 24)
