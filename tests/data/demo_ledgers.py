"""Ledgers against the demo campaign, made the way a district office makes them, for the data page tests.

On 2023-11-07 状元地块 has 234 of 250 households sealed (93.60 %). ZY-0003,
ZY-0036 and ZY-0058 are signed but not sealed; a ledger that seals them that
day moves the block to 237/250 = 94.80 % on every page.

``python tests/data/demo_ledgers.py OUTDIR`` writes them to a folder for trying
the page by hand.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from tests.data import make_ledgers as m

SEALED_ON_DAY = date(2023, 11, 7)
NEWLY_SEALED = {"ZY-0003": date(2023, 10, 19), "ZY-0036": date(2023, 10, 21), "ZY-0058": date(2023, 10, 25)}
TEAM_NAMES = {"ZY-0003": "宁化街道征迁工作组一组", "ZY-0036": "宁化街道征迁工作组一组", "ZY-0058": "宁化街道征迁工作组二组"}


def seal_three_gbk_csv() -> bytes:
    """The progress csv as WPS saves it in China: GBK, 签约日期 kept, 封房日期 filled in, slash dates."""
    rows = [["户号", "签约日期", "封房日期"]]
    rows += [[hid, signed, SEALED_ON_DAY] for hid, signed in NEWLY_SEALED.items()]
    return m.csv_bytes(rows, "gbk", date_style="slash")


def seal_three_district_xlsx() -> bytes:
    """The same news as a district office's workbook: a merged title row naming the day, merged
    two-level headers (基本信息 / 进度（日期）), a 序号 column, mixed date styles and a 合计 row."""
    title = ["台江区旧改征收百日攻坚进度台账（截至2023年11月7日）"] + [None] * 6
    top = ["序号", "户号", "基本信息", None, "进度（日期）", None, None]
    sub = [None, None, "地块", "工作组", "签约", "封房", "交房"]
    rows = [title, top, sub]
    for i, (hid, signed) in enumerate(NEWLY_SEALED.items()):
        rows.append([i + 1, hid, "状元地块", TEAM_NAMES[hid], signed, "2023年11月7日", None])
    rows.append(["合计", None, None, None, 3, 3, 0])
    merges = ["A1:G1", "A2:A3", "B2:B3", "C2:D2", "E2:G2"]
    return m.xlsx({"进度台账": rows}, merges={"进度台账": merges})


#: The three errors of :func:`three_errors_csv` as the preview lists them: (row, column, message start, zh).
THREE_ERRORS_ZH = [
    (2, "户号", "户号“ZY-9999”不存在（户表和现有数据里都没有）。"),
    (3, "签约日期", "“十月五号”不是有效日期"),
    (4, "封房日期", "户号 ZY-0058 的封房日期 2023-10-20 早于签约日期 2023-10-25。"),
]


def three_errors_csv() -> bytes:
    """A progress csv with three kinds of error: an unknown household, an unreadable date, sealed before signed."""
    rows = [["户号", "签约日期", "封房日期"],
            ["ZY-9999", date(2023, 11, 7), None],
            ["ZY-0040", "十月五号", None],
            ["ZY-0058", date(2023, 10, 25), date(2023, 10, 20)]]
    return m.csv_bytes(rows, "gbk")


def unsign_one_csv() -> bytes:
    """A ledger that says ZY-0003 is not signed after all: a warning the editor must accept."""
    return m.csv_bytes([["户号", "签约日期"], ["ZY-0003", None]], "utf-8-sig")


def main(outdir: str) -> None:
    """Write every ledger above into ``outdir``."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "封房进度_gbk.csv").write_bytes(seal_three_gbk_csv())
    (out / "街道台账_20231107.xlsx").write_bytes(seal_three_district_xlsx())
    (out / "进度_20231107.csv").write_bytes(three_errors_csv())
    (out / "撤签.csv").write_bytes(unsign_one_csv())
    (out / "not_a_ledger.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    print(f"wrote 5 files to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "demo_ledgers")


def new_household_files() -> list[tuple[str, bytes, str]]:
    """One new 状元 household, signed on 2023-11-07, as three files at once: 户 csv, 进度 csv and its footprint."""
    households = m.csv_bytes([["户号", "地块", "工作组", "房屋坐落", "房屋用途", "产权性质", "建筑面积", "被征收人"],
                              ["ZY-0251", "状元地块", "宁化街道征迁工作组一组", "状元小区9座1号", "住宅", "私产", 66.5, "陈新"]],
                             "gbk")
    progress = m.csv_bytes([["户号", "入户调查日期", "评估日期", "签约日期"],
                            ["ZY-0251", date(2023, 11, 1), date(2023, 11, 3), SEALED_ON_DAY]], "gbk")
    footprint = m.gis_bytes(m.footprints(["ZY-0251"]), "geojson")
    return [("户.csv", households, "text/csv"), ("进度.csv", progress, "text/csv"),
            ("图斑.geojson", footprint, "application/geo+json")]
