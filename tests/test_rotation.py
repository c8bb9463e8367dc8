"""lib.web.rotation: the wall screen's playlist parsed from the link and written back."""

from __future__ import annotations

import pytest

from lib.web.rotation import DEFAULT_DWELL, DEFAULT_PAGES, Rotation, parse_rotation


def test_pages_choose_and_order_the_playlist():
    rotation, notices = parse_rotation({"pages": ["command,teams,map"], "rotate": ["30"]})
    assert notices == []
    assert rotation.playlist() == ("command", "teams", "map")
    assert [rotation.next_page(p) for p in ("command", "teams", "map")] == ["teams", "map", "command"]
    assert rotation.dwell("teams") == 30


def test_per_page_dwell_without_pages_rotates_the_named_pages():
    rotation, notices = parse_rotation({"rotate": ["command:60,teams:30"]})
    assert notices == []
    assert rotation.playlist() == ("command", "teams")
    assert (rotation.dwell("command"), rotation.dwell("teams")) == (60, 30)


def test_a_bare_number_rotates_every_page_and_mixes_with_per_page_values():
    rotation, _ = parse_rotation({"rotate": ["20,teams:45"]})
    assert rotation.playlist() == DEFAULT_PAGES
    assert DEFAULT_PAGES[0] == "command"  # the command canvas leads the rotation
    assert (rotation.dwell("map"), rotation.dwell("teams")) == (20, 45)


def test_pages_without_rotate_use_the_default_dwell():
    rotation, _ = parse_rotation({"pages": ["map,command"]})
    assert rotation.active and rotation.first_page() == "map"
    assert rotation.dwell("command") == DEFAULT_DWELL


def test_a_self_paging_page_stays_until_its_last_page():
    rotation, _ = parse_rotation({"rotate": ["command:20,teams:10"]})
    assert rotation.dwell("teams", at_least=24) == 24  # two pages of 12 s
    assert rotation.dwell("teams", at_least=0) == 10
    assert rotation.dwell("command", at_least=0) == 20


def test_a_page_outside_the_playlist_moves_to_its_first_page():
    rotation, _ = parse_rotation({"pages": ["teams,map"]})
    assert rotation.next_page("overview") == "teams"


@pytest.mark.parametrize(("params", "expected"), [
    ({"pages": ["command,nope,teams,command"]}, ["pages=nope（无此项）"]),
    ({"rotate": ["fast"]}, ["rotate=fast（应为 5–3600 的整数）"]),
    ({"rotate": ["teams:2"]}, ["rotate=teams:2（应为 5–3600 的整数）"]),
    ({"rotate": ["data:30"]}, ["rotate=data:30（无此项）"]),
])
def test_malformed_items_are_dropped_with_a_notice_and_the_rest_kept(params, expected):
    rotation, notices = parse_rotation(params)
    assert notices == expected
    assert "nope" not in rotation.playlist() and "data" not in rotation.playlist()


def test_malformed_values_keep_the_good_ones():
    rotation, notices = parse_rotation({"pages": ["command,nope,teams,command"], "rotate": ["command:x,teams:30"]}, "en")
    assert rotation.playlist() == ("command", "teams")  # duplicates dropped too
    assert rotation.dwell("teams") == 30 and rotation.dwell("command") == DEFAULT_DWELL
    assert notices == ["pages=nope (no such item)", "rotate=command:x (expected a whole number 5–3600)"]


def test_nothing_valid_means_no_rotation():
    rotation, _ = parse_rotation({"rotate": ["fast"]})
    assert not rotation.active
    assert not Rotation().active


@pytest.mark.parametrize("params", [
    {"rotate": ["60"]},
    {"pages": ["command,teams,map"], "rotate": ["command:60,teams:30"]},
    {"pages": ["teams,map"]},
    {"rotate": ["20,teams:45"]},
])
def test_the_link_keeps_all_of_it(params):
    rotation, _ = parse_rotation(params)
    assert rotation.to_params() == params
