"""lib.privacy: owner names as viewers see them."""

from __future__ import annotations

import math

import pytest

from lib.privacy import mask_name


@pytest.mark.parametrize(
    ("name", "masked"),
    [("陈月兰", "陈**"), ("欧阳建国", "欧**"), ("李明", "李**"), ("王", "王**"), (" 林海 ", "林**"),
     ("<img src=x onerror=alert(1)>", "<**"), ("Smith", "S**")],
)
def test_keeps_the_first_character_only(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize("blank", [None, "", "   ", math.nan])
def test_missing_names_stay_empty(blank):
    assert mask_name(blank) == ""


def test_the_mask_does_not_reveal_the_length():
    assert len(mask_name("李明")) == len(mask_name("欧阳建国"))
