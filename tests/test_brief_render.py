"""The brief's files for the demo campaign: PNG size and width, one-page A4 PDF with real,
CJK-embedded text, the 成绩单's print setup, and the CJK font used everywhere (no tofu)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from fontTools.ttLib import TTCollection
from matplotlib.ft2font import FT2Font
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from lib import brief
from lib.brief import render

ASOF = date(2023, 11, 7)


@pytest.fixture(scope="module")
def demo_brief(demo_campaign) -> brief.Brief:
    return brief.brief_data(demo_campaign, ASOF)


@pytest.fixture(scope="module")
def pdf(demo_brief) -> PdfReader:
    return PdfReader(io.BytesIO(render.brief_pdf(demo_brief)))


def _cmap_of_sc(path: str) -> set[int]:
    """The code points of the Simplified Chinese face of a Noto CJK collection."""
    for face in TTCollection(path).fonts:
        if face["name"].getDebugName(1) == render.CJK_FAMILY:
            return set(face.getBestCmap())
    raise AssertionError(f"{path} has no {render.CJK_FAMILY} face")


def test_png_is_1080_wide_and_small_enough_for_the_group(demo_brief):
    data = render.brief_png(demo_brief)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.width == render.PNG_WIDTH == 1080
    assert 1080 < image.height < 4000  # a tall phone picture, not a sliver
    assert len(data) <= render.PNG_MAX_BYTES


def test_pdf_is_one_a4_portrait_page(pdf):
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_pdf_text_is_real_and_has_block_names_and_rates(pdf):
    text = pdf.pages[0].extract_text()
    for expected in ("状元地块", "汽车南站及周边地块", "雁塔二地块", "连江中路红星经合社飞地厂房", "封房率 93.60%",
                     "封房率 99.41%", "封房率 100.00%", "第 33 天签约、封房双 100%", "新港社区工作组", "数据截至 2023-11-07"):
        assert expected in text, expected


def test_pdf_embeds_only_the_cjk_font(pdf):
    fonts = pdf.pages[0]["/Resources"]["/Font"]
    names, embedded = set(), []
    for ref in fonts.values():
        font = ref.get_object()
        names.add(str(font["/BaseFont"]).split("+")[-1])
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = descendant["/FontDescriptor"].get_object()
        embedded.append(any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")))
    assert names == {"NotoSansCJKsc-Regular", "NotoSansCJKsc-Bold"}
    assert all(embedded)


def test_the_font_is_noto_sans_cjk_sc_and_has_every_character_drawn(demo_brief, pdf):
    regular, bold = render.cjk_font_path(), render.cjk_font_path(bold=True)
    assert regular.endswith("NotoSansCJK-Regular.ttc") and bold.endswith("NotoSansCJK-Bold.ttc")
    assert render._font(12).get_family() == [render.CJK_FAMILY]
    assert FT2Font(regular).family_name.startswith("Noto Sans CJK")
    cmap = _cmap_of_sc(regular)
    for text in (render.brief_text(demo_brief), render.brief_text(demo_brief, "en"), pdf.pages[0].extract_text()):
        missing = {ch for ch in text if not ch.isspace() and ord(ch) not in cmap}
        assert not missing  # no character would be drawn as a tofu box


def test_english_pdf_is_english(demo_brief):
    text = PdfReader(io.BytesIO(render.brief_pdf(demo_brief, "en"))).pages[0].extract_text()
    assert "Daily brief" in text and "Sealed 93.60%" in text and "Laggards" in text


def test_many_blocks_still_fit_one_page(demo_campaign):
    """A long brief (every day's events, all laggards) is scaled onto the one page, never a second."""
    data = render.brief_pdf(brief.brief_data(demo_campaign, date(2023, 10, 18)))
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


def test_scoresheet_prints_landscape_one_page_wide_with_repeated_header(demo_brief):
    wb = load_workbook(io.BytesIO(render.brief_xlsx(demo_brief)))
    ws = wb["成绩单"]
    assert ws["A1"].value == "工作组排行成绩单（截至 2023-11-07，攻坚第 53 天）"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$2:$2"


def test_scoresheet_highlights_every_laggard_row_and_only_those(demo_brief):
    ws = load_workbook(io.BytesIO(render.brief_xlsx(demo_brief)))["成绩单"]
    lag_col = [c.value for c in ws[2]].index("后进")
    filled = {row[2].value for row in ws.iter_rows(min_row=3) if row[0].fill.fgColor.rgb.endswith("FDE7E7")}
    flagged = {row[2].value for row in ws.iter_rows(min_row=3) if row[lag_col].value == "是"}
    assert filled == flagged == {r.team for r in demo_brief.laggards}
    assert len(filled) == 5


def test_text_helpers_fit_and_wrap():
    assert render.fit("连江中路红星经合社飞地厂房项目", 10, 60) == "连江中路红…"
    assert render.fit("short", 10, 100) == "short"
    assert render.wrap("一二三四五六七", 10, 30) == ["一二三", "四五六", "七"]


def test_no_owner_or_leader_name_reaches_the_files(demo_campaign, demo_brief, pdf):
    text = pdf.pages[0].extract_text() + render.brief_text(demo_brief)
    names = set(demo_campaign.households["owner_name"]) | set(demo_campaign.teams["leader"])
    assert not [n for n in names if n and n in text]
