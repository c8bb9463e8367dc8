"""lib.theme: every text colour of the dark wall screen reads from 4 m (WCAG contrast ≥ 4.5:1)."""

from __future__ import annotations

import pytest

from lib import theme


def test_the_contrast_formula_matches_wcag():
    assert theme.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert theme.contrast_ratio("#1565c0", theme.SCREEN_BG) == pytest.approx(3.26, abs=0.01)  # the old blue 可按期


@pytest.mark.parametrize("ground", [theme.SCREEN_BG, theme.SCREEN_TILE])
@pytest.mark.parametrize("colour", theme.SCREEN_TEXT_COLOURS)
def test_every_screen_text_colour_reaches_4_5_to_1(colour, ground):
    assert theme.contrast_ratio(colour, ground) >= 4.5


def test_on_track_uses_the_screen_palette_on_the_wall():
    assert theme.forecast_colours(True)["on_track"] != theme.FORECAST_COLOURS["on_track"]
    assert theme.contrast_ratio(theme.forecast_colours(True)["on_track"], theme.SCREEN_BG) >= 4.5


def test_the_amber_band_and_the_medals_are_dark_on_light():
    assert theme.contrast_ratio(theme.STALE_FG, theme.STALE_BG) >= 4.5
    assert all(theme.contrast_ratio("#1b1b1b", medal) >= 4.5 for medal in theme.MEDAL_COLOURS)
    assert theme.contrast_ratio("#ffffff", theme.SCREEN_ACCENT) >= 4.5


def test_the_wall_type_is_large_enough():
    assert theme.SCREEN["body_px"] >= 22 and theme.SCREEN["kpi_value_px"] >= 64
    assert theme.CANVAS == (1920, 1080)
