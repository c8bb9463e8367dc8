"""Validate before writing: a corpus of bad ledgers, each with its exact expected report.

Each case changes one cell (or adds one row) of the tiny campaign's workbook
and is validated against the tiny campaign already in the database, so the
one problem it causes is the only one reported.
"""

from datetime import date

import pytest

from lib.ingest import validate
from tests.data import make_ledgers as m

P, H = m.PROGRESS, m.HOUSEHOLDS
NEW_ROW = ["Y-009", None, None, "2023/10/5", None, None, None]

CORPUS = {
    "unknown household": ({"进度": [*P, NEW_ROW]}, [("error", "unknown_household", "进度", 8, "户号")]),
    "unknown team": ({"户": m.replace(H, "Z-001", "工作组", "鼓楼工作组")}, [("error", "unknown_team", "户", 5, "工作组")]),
    "unknown block": ({"户": m.replace(H, "Z-001", "地块", "鼓楼地块")}, [("error", "unknown_block", "户", 5, "地块")]),
    "unparseable date": ({"进度": m.replace(P, "Z-002", "签约日期", "十月五号")},
                         [("error", "bad_date", "进度", 6, "签约日期")]),
    "stage before an earlier stage": ({"进度": m.replace(P, "Y-001", "封房日期", date(2023, 9, 30))},
                                      [("error", "stage_order", "进度", 2, "封房日期")]),
    "date after the as-of day": ({"进度": [["截至2023年11月7日"], *m.replace(P, "Z-002", "签约日期", date(2023, 11, 8))]},
                                 [("error", "after_as_of", "进度", 7, "签约日期")]),
    "signed yesterday, unsigned today": ({"进度": m.replace(P, "Z-001", "签约日期", None)},
                                         [("warning", "stage_regressed", "进度", 5, "签约日期")]),
    "identical duplicate row": ({"进度": [*P, P[3]]}, [("warning", "duplicate_row", "进度", 8, "户号")]),
    "conflicting duplicate row": ({"进度": [*P, m.replace(P, "Y-003", "签约日期", date(2023, 10, 19))[3]]},
                                  [("error", "duplicate_conflict", "进度", 8, "户号")]),
    "property type and ownership outside the vocabulary": (
        {"户": m.replace(m.replace(H, "Y-001", "房屋用途", "车库"), "Y-002", "产权性质", "集体")},
        [("error", "bad_value", "户", 2, "房屋用途"), ("error", "bad_value", "户", 3, "产权性质")]),
    "area that is not a number": ({"户": m.replace(H, "Y-001", "建筑面积", "约65")},
                                  [("error", "bad_number", "户", 2, "建筑面积")]),
    "row without a household number": ({"进度": [*P, [None, *NEW_ROW[1:]]]},
                                       [("error", "missing_value", "进度", 8, "户号")]),
    "unknown flag": ({"户": m.replace(H, "Y-001", "标记", "孤寡老人、低保")},
                     [("warning", "unknown_flag", "户", 2, "标记")]),
    "team kind outside the vocabulary": ({"工作组": m.replace(m.TEAMS, "ninghua", "类型", "专班")},
                                         [("error", "bad_value", "工作组", 3, "类型")]),
    "block deadline before launch": ({"地块": m.replace(m.BLOCKS, "yanta-2", "截止日期", date(2023, 9, 1))},
                                     [("error", "deadline_before_launch", "地块", 2, "截止日期")]),
}


@pytest.mark.parametrize("case", CORPUS, ids=list(CORPUS))
def test_corpus_report_is_exact(case):
    sheets, expected = CORPUS[case]
    report = validate(m.read(sheets), m.campaign(), today=m.AS_OF)
    assert m.problem_keys(report) == expected


def test_three_kinds_of_error_give_three_precise_messages():
    sheets = {"户": m.replace(H, "Z-001", "工作组", "鼓楼工作组"),
              "进度": m.replace([*P, NEW_ROW], "Z-002", "签约日期", "2023/10/32")}
    report = validate(m.read(sheets), m.campaign(), today=m.AS_OF)
    assert [p.message_en for p in report.problems] == [
        "Sheet '户', row 5, column '工作组': team '鼓楼工作组' does not exist "
        "(neither in the 工作组 sheet nor in the current data).",
        "Sheet '进度', row 6, column '签约日期': '2023/10/32' is not a valid date "
        "(write 2023-09-26, 2023/9/26 or 2023年9月26日).",
        "Sheet '进度', row 8, column '户号': household 'Y-009' does not exist "
        "(neither in the 户 sheet nor in the current data).",
    ]
    assert [p.message_zh for p in report.problems] == [
        "“户”表第 5 行“工作组”列：工作组“鼓楼工作组”不存在（工作组表和现有数据里都没有）。",
        "“进度”表第 6 行“签约日期”列：“2023/10/32”不是有效日期（可写 2023-09-26、2023/9/26、2023年9月26日）。",
        "“进度”表第 8 行“户号”列：户号“Y-009”不存在（户表和现有数据里都没有）。",
    ]
    assert not report.ok


@pytest.mark.parametrize(
    ("case", "fragment"),
    [("stage before an earlier stage", "household Y-001 is sealed on 2023-09-30, before it was signed on 2023-10-01"),
     ("date after the as-of day", "2023-11-08 is after the ledger's as-of day 2023-11-07"),
     ("signed yesterday, unsigned today", "Z-001 was signed on 2023-10-20 but this ledger says it is not"),
     ("identical duplicate row", "the same as row 4 (Y-003); ignored"),
     ("conflicting duplicate row", "'Y-003' also appears in row 4 with different values"),
     ("property type and ownership outside the vocabulary", "'车库' is not allowed; expected one of 住宅, 杂物间, 非住宅"),
     ("unknown flag", "flag '低保' is not recognised")],
)
def test_corpus_messages_say_what_is_wrong(case, fragment):
    sheets, _ = CORPUS[case]
    report = validate(m.read(sheets), m.campaign(), today=m.AS_OF)
    assert fragment in report.problems[0].message_en


def test_without_an_as_of_day_no_date_may_be_in_the_future():
    report = validate(m.read({"进度": m.replace(P, "Z-002", "签约日期", date(2023, 11, 8))}), m.campaign(),
                      today=date(2023, 11, 7))
    assert [p.message_en for p in report.problems] == [
        "Sheet '进度', row 6, column '签约日期': 2023-11-08 is after today, 2023-11-07."]


def test_duplicate_across_sheets_names_the_other_sheet():
    report = validate(m.read({"雁塔": P[:2], "状元": [P[0], m.replace(P, "Y-001", "签约日期", None)[1]]}),
                      m.campaign(), today=m.AS_OF)
    assert report.problems[0].message_en.endswith("also appears in sheet '雁塔' row 2 with different values.")


def test_warnings_do_not_block():
    report = validate(m.read(CORPUS["identical duplicate row"][0]), m.campaign(), today=m.AS_OF)
    assert report.ok and len(report.warnings) == 1 and report.errors == []


def test_stage_order_checked_against_dates_already_stored():
    rows = [["户号", "封房日期"], ["Z-001", "2023/10/19"]]  # stored: signed 2023-10-20
    report = validate(m.read({"进度": rows}), m.campaign(), today=m.AS_OF)
    assert m.problem_keys(report) == [("error", "stage_order", "进度", 2, "封房日期")]
    assert "sealed on 2023-10-19, before it was signed on 2023-10-20" in report.problems[0].message_en


def test_new_household_needs_block_type_and_ownership():
    rows = [["户号", "房屋坐落"], ["N-1", "新路1号"]]
    report = validate(m.read({"户": rows}), m.campaign(), today=m.AS_OF)
    assert [p.message_en.split(": ", 1)[1] for p in report.problems] == [
        "household N-1 has no block.", "household N-1 has no property type.", "household N-1 has no ownership."]


def test_blank_cells_keep_what_is_stored():
    rows = [["户号", "地块", "房屋用途", "产权性质", "房屋坐落"], ["Y-001", None, None, None, "雁塔路1号之一"]]
    report = validate(m.read({"户": rows}), m.campaign(), today=m.AS_OF)
    assert report.problems == []
    assert report.households[["household_id", "block_id", "property_type", "address"]].values.tolist() == [
        ["Y-001", "yanta-2", "住宅", "雁塔路1号之一"]]
    assert report.changes.updated_households == 1


def test_vocabulary_synonyms_are_normalised():
    rows = [["户号", "地块", "房屋用途", "产权性质"], ["N-1", "状元地块", "住房", "单位产（央企）"], ["N-2", "状元地块", "商业", "直管公房"]]
    report = validate(m.read({"户": rows}), m.campaign(), today=m.AS_OF)
    assert report.households[["property_type", "ownership"]].values.tolist() == [["住宅", "单位产-央企"], ["非住宅", "公产"]]


def test_flag_columns_with_ticks():
    rows = [["户号", "孤寡老人", "困难户", "上门签约"], ["Y-001", "√", None, "是"]]
    report = validate(m.read({"户": rows}), m.campaign(), today=m.AS_OF)
    assert report.households["flags"].tolist() == ["孤寡老人|上门签约"]


def test_teams_referred_to_by_name_within_the_household_block():
    teams = [m.TEAMS[0], ["t-a", "第一工作组", "", "工作组", "", "雁塔二地块"], ["t-b", "第一工作组", "", "工作组", "", "状元地块"]]
    rows = [["户号", "地块", "工作组", "房屋用途", "产权性质"], ["N-1", "状元地块", "第一工作组", "住宅", "私产"]]
    report = validate(m.read({"工作组": teams, "户": rows}), m.campaign(), today=m.AS_OF)
    assert report.problems == []
    assert report.households["team_id"].tolist() == ["t-b"]


def test_ambiguous_team_name_outside_its_block():
    teams = [m.TEAMS[0], ["t-a", "第一工作组", "", "工作组", "", "雁塔二地块"], ["t-b", "第一工作组", "", "工作组", "", "雁塔二地块"]]
    rows = [["户号", "地块", "工作组", "房屋用途", "产权性质"], ["N-1", "雁塔二地块", "第一工作组", "住宅", "私产"]]
    report = validate(m.read({"工作组": teams, "户": rows}), m.campaign(), today=m.AS_OF)
    assert m.problem_keys(report) == [("error", "ambiguous_team", "户", 2, "工作组")]


def test_block_ids_default_to_existing_ids_by_name():
    rows = [["名称", "启动日期"], ["状元地块", "2023/9/27"]]
    report = validate(m.read({"地块": rows}), m.campaign(), today=m.AS_OF)
    assert report.blocks[["block_id", "launch_date", "deadline"]].values.tolist() == [
        ["zhuangyuan", date(2023, 9, 27), date(2024, 1, 4)]]
    assert report.changes.updated_blocks == 1


def test_report_problems_frame_has_one_row_per_problem():
    report = validate(m.read(CORPUS["property type and ownership outside the vocabulary"][0]), m.campaign(),
                      today=m.AS_OF)
    frame = report.problems_frame()
    assert frame[["severity", "sheet", "row", "column"]].values.tolist() == [
        ["error", "户", 2, "房屋用途"], ["error", "户", 3, "产权性质"]]


def test_a_household_with_its_own_error_is_not_also_unknown_in_progress():
    sheets = {**m.TINY, "户": m.replace(H, "Z-001", "工作组", "鼓楼工作组")}
    report = validate(m.read(sheets), None, today=m.AS_OF)  # Z-001 is new: only the 户 sheet knows it
    assert [k[1] for k in m.problem_keys(report)] == ["unknown_team"]
