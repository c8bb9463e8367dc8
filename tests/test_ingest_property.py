"""Property tests: random garbage never raises out of the importer, and never writes."""

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import store
from lib.ingest import ImportRefused, NotALedger, apply, read_ledger, validate
from lib.ingest.read import ALIASES
from tests.data import make_ledgers as m

HEADERS = sorted({n for fields in ALIASES.values() for names in fields.values() for n in names}
                 | {"序号", "合计", "备注"})
IDS = [r[0] for r in m.HOUSEHOLDS[1:]]
CELL = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["", "合计", "已签约", "未签约", "已封房", "住宅", "私产", "孤寡老人|x", "2023/9/31", "2023年2月29日",
                     "=1+1", "'=1", "雁塔二地块", "ctjt-1", *IDS]),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.booleans(),
)
GRID = st.lists(st.lists(CELL, min_size=1, max_size=8), min_size=1, max_size=8)
HEADER = st.lists(st.sampled_from(HEADERS), min_size=2, max_size=8)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])


def xlsx_safe(v):
    """openpyxl refuses control characters, NaN-free infinities and far dates; csv takes anything."""
    if isinstance(v, str):
        return "".join(ch for ch in v if ch >= " " or ch in "\t\n")
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, float) and abs(v) == float("inf"):
        return "inf"
    return v


def read_or_refuse(data, name):
    try:
        return read_ledger(data, file_name=name)
    except NotALedger:
        return None


@SETTINGS
@given(st.binary(max_size=4096), st.sampled_from(["x.xlsx", "x.xls", "x.csv", "x.geojson", "x"]))
def test_random_bytes_only_ever_raise_not_a_ledger(data, name):
    ledger = read_or_refuse(data, name)
    if ledger is not None:
        validate(ledger, m.campaign(), today=m.AS_OF)


@SETTINGS
@given(HEADER, GRID, st.sampled_from(["utf-8", "gb18030", "utf-8-sig"]))
def test_garbage_cells_under_a_real_header_in_csv(header, rows, encoding):
    data = m.csv_bytes([header, *rows], "utf-8").decode().encode(encoding, errors="replace")
    ledger = read_or_refuse(data, "x.csv")
    if ledger is not None:
        validate(ledger, m.campaign(), today=m.AS_OF)


@SETTINGS
@given(HEADER, GRID, st.sampled_from(["进度", "户", "地块", "工作组", "Sheet1"]))
def test_garbage_cells_under_a_real_header_in_xlsx(header, rows, sheet):
    sheets = {sheet: [header, *[[xlsx_safe(v) for v in r] for r in rows]]}
    ledger = read_or_refuse(m.xlsx(sheets), "x.xlsx")
    if ledger is not None:
        report = validate(ledger, m.campaign(), today=m.AS_OF)
        report.to_text()
        report.problems_frame()


@pytest.fixture(scope="module")
def tiny_db():
    engine = store.get_engine("sqlite://")
    store.init_db(engine)
    apply(validate(m.read(m.TINY), None, today=m.AS_OF), engine, imported_by="t")
    return engine


@SETTINGS
@given(st.lists(st.lists(CELL, min_size=7, max_size=7), min_size=1, max_size=6))
def test_garbage_progress_never_writes_and_a_clean_report_always_applies(tiny_db, rows):
    rows = [[xlsx_safe(v) for v in r] for r in rows]
    ledger = read_or_refuse(m.xlsx({"进度": [m.PROGRESS[0], *rows]}), "x.xlsx")
    if ledger is None:
        return
    version = store.data_version(tiny_db)
    report = validate(ledger, store.load_frames(tiny_db), today=m.AS_OF)
    if report.errors:
        with pytest.raises(ImportRefused, match="nothing was written"):
            apply(report, tiny_db, imported_by="t")
        assert store.data_version(tiny_db) == version
    else:
        result = apply(report, tiny_db, imported_by="t")  # the store's own checks must agree with validate
        if result.created:
            store.undo_batch(tiny_db, result.batch_id)
