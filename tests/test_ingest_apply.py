"""Writing: one transaction per import, no-op re-import, undo restores exactly, errors write nothing."""

import json
from datetime import date

import pandas as pd
import pytest

from lib import store
from lib.ingest import ImportRefused, apply, read_ledger, validate
from tests.data import make_ledgers as m


def preview(engine, sheets, **kwargs):
    return validate(m.read(sheets, **kwargs), store.load_frames(engine), today=m.AS_OF)


def snapshot(engine):
    c = store.load_frames(engine)
    hh = c.households.drop(columns="geometry").assign(wkt=c.households.geometry.to_wkt())
    ms = c.milestones.drop(columns="import_batch_id").sort_values(["household_id", "stage"])
    return c.blocks.drop(columns="geometry"), c.teams, hh, ms


def assert_same(a, b):
    for x, y in zip(a, b, strict=False):
        pd.testing.assert_frame_equal(x.reset_index(drop=True), y.reset_index(drop=True))


def test_whole_campaign_into_an_empty_database(engine):
    result = apply(preview(engine, m.TINY), engine, imported_by="督查组")
    assert result.created and result.message_en.startswith(f"Imported (batch {result.batch_id}): +6 surveyed")
    c = store.load_frames(engine)
    assert (len(c.blocks), len(c.teams), len(c.households), len(c.milestones)) == (2, 3, 6, 18)
    assert c.households.set_index("household_id").loc["Y-003", "flags"] == "困难户|上门签约"
    batch = store.list_batches(engine).iloc[0]
    assert (batch["file_name"], batch["rows"], batch["imported_by"]) == ("台账.xlsx", 17, "督查组")
    assert json.loads(batch["summary"]) == {"added": {"surveyed": 6, "appraised": 5, "signed": 4, "sealed": 3},
                                            "new_blocks": 2, "new_teams": 3, "new_households": 6, "not_on_map": 6}


def test_errors_write_nothing(engine):
    apply(preview(engine, m.TINY), engine, imported_by="a")
    before, version = snapshot(engine), store.data_version(engine)
    bad = preview(engine, {"进度": m.replace(m.PROGRESS, "Z-002", "签约日期", "十月五号")})
    with pytest.raises(ImportRefused, match=r"The ledger has 1 error\(s\); nothing was written"):
        apply(bad, engine, imported_by="a")
    assert store.data_version(engine) == version
    assert_same(snapshot(engine), before)


def test_unaccepted_warnings_write_nothing(engine):
    apply(preview(engine, m.TINY), engine, imported_by="a")
    report = preview(engine, {"进度": m.replace(m.PROGRESS, "Z-001", "签约日期", None)})
    with pytest.raises(ImportRefused, match=r"1 unaccepted warning\(s\); nothing was written"):
        apply(report, engine, imported_by="a", accept_warnings=False)
    apply(report, engine, imported_by="a")
    assert pd.isna(store.load_frames(engine).households.set_index("household_id").loc["Z-001", "date_signed"])


def test_same_file_again_is_a_no_op_that_says_so(engine):
    data = m.xlsx(m.TINY)  # the same bytes: openpyxl stamps each new file with the time
    first = apply(validate(read_ledger(data, file_name="a.xlsx"), None), engine, imported_by="a")
    version = store.data_version(engine)
    again = apply(validate(read_ledger(data, file_name="a.xlsx"), store.load_frames(engine)), engine, imported_by="a")
    assert (again.batch_id, again.created) == (first.batch_id, False)
    assert "already imported" in again.message_en and "已于" in again.message_zh
    assert store.data_version(engine) == version and len(store.list_batches(engine)) == 1


def test_undo_restores_the_previous_state_exactly(engine):
    apply(preview(engine, m.TINY), engine, imported_by="a")
    before = snapshot(engine)
    rows = m.replace(m.replace(m.PROGRESS, "Z-002", "签约日期", date(2023, 11, 7)), "Y-003", "签约日期", date(2023, 10, 17))
    rows = m.replace(rows, "Z-001", "签约日期", None)
    second = apply(preview(engine, {"进度": rows}), engine, imported_by="a")
    assert snapshot(engine)[3].shape[0] == 18  # +1 signed, −1 signed, 1 corrected
    store.undo_batch(engine, second.batch_id)
    assert_same(snapshot(engine), before)


def test_undone_file_can_be_imported_again(engine):
    apply(preview(engine, m.TINY), engine, imported_by="a")
    report = preview(engine, {"进度": m.replace(m.PROGRESS, "Z-002", "签约日期", date(2023, 11, 7))})
    first = apply(report, engine, imported_by="a")
    store.undo_batch(engine, first.batch_id)
    assert apply(report, engine, imported_by="a").created


def test_stale_preview_is_validated_again(engine):
    apply(preview(engine, m.TINY), engine, imported_by="a")
    stale = preview(engine, {"进度": [["户号", "封房日期"], ["Z-001", "2023/10/25"]]})
    assert stale.ok
    apply(preview(engine, {"进度": [["户号", "签约日期"], ["Z-001", "2023/10/30"]]}), engine, imported_by="b")
    with pytest.raises(ImportRefused, match="changed after the preview"):
        apply(stale, engine, imported_by="a")


def test_footprints_are_stored_and_the_rest_listed_as_not_on_the_map(engine):
    apply(preview(engine, m.TINY), engine, imported_by="a")
    gis = read_ledger(m.gis_bytes(m.footprints(["Y-001", "Z-001"]), "shp"), file_name="图斑.zip")
    apply(validate(gis, store.load_frames(engine)), engine, imported_by="a")
    hh = store.load_frames(engine).households.set_index("household_id")
    assert hh.geometry.notna().sum() == 2
    assert hh.loc["Y-001", "geometry"].geom_type == "Polygon"
    assert hh.loc["Y-001", "address"] == "雁塔路1号"
    assert validate(gis, store.load_frames(engine)).changes.not_on_map == 4


def test_updating_a_block_keeps_its_boundary(engine):
    from shapely.geometry import box

    apply(preview(engine, m.TINY), engine, imported_by="a")
    blocks = m.campaign().blocks.iloc[:1].assign(geometry=[box(119.29, 26.04, 119.31, 26.06)])
    store.apply_import(engine, file_name="boundary", sha256="x", imported_by="a", rows=1, blocks=blocks, teams=None,
                       households=None, milestones=None)
    apply(preview(engine, {"地块": m.replace(m.BLOCKS, "yanta-2", "用地面积", 53000)}), engine, imported_by="a")
    b = store.load_frames(engine).blocks.set_index("block_id")
    assert b.loc["yanta-2", "land_area_m2"] == 53000 and b.loc["yanta-2", "geometry"] is not None
