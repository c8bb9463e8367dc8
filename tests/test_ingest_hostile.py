"""Files that are not ledgers are refused with a clear message, before any parser runs wild."""

import io
import zipfile

import pytest

from lib.ingest import NotALedger, read_ledger
from tests.data import make_ledgers as m

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)


def test_empty_file():
    with pytest.raises(NotALedger, match="文件是空的.*The file is empty"):
        read_ledger(b"", file_name="台账.xlsx")


def test_size_limit_is_configurable():
    with pytest.raises(NotALedger, match=r"The file is too large \(0\.0 MB\); the limit is 0\.0 MB"):
        read_ledger(m.xlsx(m.TINY), file_name="t.xlsx", max_bytes=1000)


def test_size_limit_checked_before_reading_a_path(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a" * 2048)
    with pytest.raises(NotALedger, match="文件太大"):
        read_ledger(path, max_bytes=1024)


def test_renamed_image():
    with pytest.raises(NotALedger, match="'照片.xlsx' is not a spreadsheet or csv file"):
        read_ledger(PNG, file_name="照片.xlsx")


def test_encrypted_workbook():
    with pytest.raises(NotALedger, match="password-protected; remove the password"):
        read_ledger(m.encrypted(m.xlsx(m.TINY)), file_name="加密.xlsx")


def test_zip_bomb_refused_before_unpacking():
    bomb = m.zip_bomb(400)
    assert len(bomb) < 2_000_000
    with pytest.raises(NotALedger, match="would unpack to 400 MB; refused as a possible zip bomb"):
        read_ledger(bomb, file_name="bomb.xlsx")


def test_unpacked_limit_is_configurable():
    with pytest.raises(NotALedger, match="压缩炸弹"):
        read_ledger(m.xlsx(m.TINY), file_name="t.xlsx", max_unpacked_bytes=1000)


def test_zip_that_is_not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(NotALedger, match="neither an Excel workbook nor a zipped Shapefile"):
        read_ledger(buf.getvalue(), file_name="a.zip")


def test_damaged_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<not really")
    with pytest.raises(NotALedger, match="cannot be opened"):
        read_ledger(buf.getvalue(), file_name="坏.xlsx")


def test_ole_file_that_is_not_a_workbook():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)
    with pytest.raises(NotALedger, match=r"This \.xls file cannot be opened"):
        read_ledger(data, file_name="old.xls")


def test_text_without_a_ledger_header():
    with pytest.raises(NotALedger, match="No ledger header .* was found in 'notes.csv'"):
        read_ledger("今天开会\n明天继续\n".encode(), file_name="notes.csv")


def test_workbook_without_a_ledger_header():
    with pytest.raises(NotALedger, match="没有找到台账表头"):
        read_ledger(m.xlsx({"Sheet1": [["a", "b"], [1, 2]]}), file_name="x.xlsx")


def test_undecodable_text():
    with pytest.raises(NotALedger, match="not recognised|not a spreadsheet|No ledger header"):
        read_ledger(bytes(range(128, 256)) * 20, file_name="x.csv")


def test_macros_are_ignored_with_a_note():
    ledger = read_ledger(m.with_macros(m.xlsx(m.TINY)), file_name="宏.xlsm")
    assert len(ledger.tables) == 4
    assert [n.message_en for n in ledger.notes] == ["The workbook contains macros; they were ignored (never run)."]


def test_not_a_ledger_carries_both_languages():
    with pytest.raises(NotALedger) as info:
        read_ledger(b"", file_name="x")
    assert info.value.message_zh == "文件是空的。"
    assert info.value.message_en == "The file is empty."


def test_a_broken_zip_named_as_gis_is_not_a_ledger():
    with pytest.raises(NotALedger, match="not a readable zipped Shapefile"):
        read_ledger(b"PK", file_name="x.geojson")
