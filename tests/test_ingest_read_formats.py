"""Reading: xlsx, legacy xls, csv in the encodings Excel and WPS save in China."""

from datetime import date

import pytest

from lib.ingest import merge_ledgers, read_ledger, validate
from tests.data import make_ledgers as m

KINDS = ["blocks", "teams", "households", "progress"]


def test_xlsx_four_sheets_become_four_tables():
    ledger = m.read(m.TINY)
    assert [t.kind for t in ledger.tables] == KINDS
    assert [t.sheet for t in ledger.tables] == ["地块", "工作组", "户", "进度"]
    assert ledger.tables_of("progress")[0].rows.tolist() == [2, 3, 4, 5, 6, 7]


def test_any_subset_of_sheets_is_a_ledger():
    ledger = m.read({"进度": m.PROGRESS})
    assert [t.kind for t in ledger.tables] == ["progress"]


def test_sha256_is_of_the_file_bytes():
    import hashlib

    data = m.xlsx(m.TINY)
    assert read_ledger(data, file_name="a.xlsx").sha256 == hashlib.sha256(data).hexdigest()


def test_path_and_bytes_read_the_same(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(m.xlsx(m.TINY))
    from_path = read_ledger(path)
    assert from_path.file_name == "台账.xlsx"
    assert from_path.sha256 == read_ledger(path.read_bytes(), file_name="x").sha256


def test_legacy_xls_reads_like_xlsx():
    report = validate(read_ledger(m.xls(m.TINY), file_name="台账.xls"), None, today=m.AS_OF)
    assert report.problems == []
    assert report.changes.added == {"surveyed": 6, "appraised": 5, "signed": 4, "sealed": 3}
    assert report.changes.new_households == 6


def test_xls_merged_title_row():
    rows = [["雁塔二地块进度（截至2023年11月7日）", None, None], *m.PROGRESS[:3]]
    ledger = read_ledger(m.xls({"进度": rows}, merges={"进度": [(0, 0, 0, 6)]}), file_name="t.xls")
    assert ledger.tables[0].rows.tolist() == [3, 4]
    assert ledger.as_of == date(2023, 11, 7)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(encoding):
    ledger = read_ledger(m.csv_bytes(m.HOUSEHOLDS, encoding), file_name="户.csv")
    table = ledger.tables[0]
    assert table.kind == "households"
    assert table.frame["address"].tolist()[:2] == ["雁塔路1号", "雁塔路2号"]


def test_csv_utf16_tab_separated_as_excel_unicode_text():
    ledger = read_ledger(m.csv_bytes(m.PROGRESS, "utf-16", delimiter="\t"), file_name="进度.txt")
    assert ledger.tables[0].kind == "progress"
    assert ledger.tables[0].frame["household_id"].tolist()[0] == "Y-001"


def test_csv_semicolon_separated():
    ledger = read_ledger(m.csv_bytes(m.TEAMS, delimiter=";"), file_name="teams.csv")
    assert ledger.tables[0].frame["name"].tolist()[0] == "城投集团工作组"


def test_csv_row_numbers_are_file_lines():
    rows = [["雁塔二地块签约台账"], [], *m.PROGRESS[:3]]
    ledger = read_ledger(m.csv_bytes(rows, "gbk"), file_name="进度.csv")
    assert ledger.tables[0].rows.tolist() == [4, 5]


def test_separate_csv_files_are_told_apart_by_headers():
    files = [read_ledger(m.csv_bytes(rows, "gbk"), file_name=f"导出{i}.csv")
             for i, rows in enumerate([m.PROGRESS, m.HOUSEHOLDS, m.TEAMS, m.BLOCKS])]
    ledger = merge_ledgers(files)
    assert sorted(t.kind for t in ledger.tables) == sorted(KINDS)
    report = validate(ledger, None, today=m.AS_OF)
    assert report.problems == []
    assert report.changes.new_blocks == 2 and report.changes.new_teams == 3


def test_merged_hash_ignores_file_order():
    a = read_ledger(m.csv_bytes(m.PROGRESS), file_name="p.csv")
    b = read_ledger(m.csv_bytes(m.HOUSEHOLDS), file_name="h.csv")
    assert merge_ledgers([a, b]).sha256 == merge_ledgers([b, a]).sha256
    assert merge_ledgers([a, b]).file_name == "p.csv + h.csv"


def test_sheet_name_hint_for_a_sheet_with_only_names():
    ledger = m.read({"工作组": [["名称", "地块"], ["城投集团工作组", "雁塔二地块"]]})
    assert ledger.tables[0].kind == "teams"


def test_csv_file_stem_is_a_sheet_hint():
    ledger = read_ledger(m.csv_bytes([["编号", "名称"], ["b1", "一号地块"]]), file_name="blocks.csv")
    assert ledger.tables[0].kind == "blocks"


def test_csv_text_forced_ids_keep_their_leading_zeros():
    data = '户号,签约日期\r\n="007",2023/10/1\r\n'.encode("gbk")
    report = validate(read_ledger(data, file_name="进度.csv"), None, today=m.AS_OF)
    assert report.problems[0].message_en.endswith("household '007' does not exist "
                                                  "(neither in the 户 sheet nor in the current data).")


def test_reading_reports_progress_per_sheet():
    steps = []
    read_ledger(m.xlsx(m.TINY), file_name="t.xlsx", progress=lambda f, s: steps.append((f, s)))
    assert steps == [(0.0, "地块"), (0.25, "工作组"), (0.5, "户"), (0.75, "进度"), (1.0, "t.xlsx")]
