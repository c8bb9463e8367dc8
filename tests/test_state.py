"""lib.web.state: the share link parsed into filters and written back."""

from __future__ import annotations

from datetime import date

from lib.web import state

CHOICES = state.Choices(
    blocks={"yanta-2": "雁塔二地块", "zhuangyuan": "状元地块"},
    teams={"nz-xingang": "新港社区工作组"},
    first_day=date(2023, 9, 16),
    last_day=date(2023, 11, 7),
)


def test_without_parameters_the_latest_data_day_is_shown():
    parsed = state.parse_params({}, CHOICES)
    assert parsed.filters == state.Filters(asof=date(2023, 11, 7))
    assert parsed.notices == []


def test_full_parameter_set_round_trips():
    params = {
        "asof": ["2023-10-01"], "block": ["yanta-2", "zhuangyuan"], "team": ["nz-xingang"],
        "ptype": ["住宅"], "own": ["单位产-央企"], "lang": ["en"], "screen": ["1"],
        "rotate": ["60"], "refresh": ["300"],
    }
    parsed = state.parse_params(params, CHOICES)
    assert parsed.notices == []
    assert state.to_params(parsed.filters, CHOICES) == params


def test_malformed_date_and_unknown_block_are_dropped_with_notices():
    parsed = state.parse_params({"asof": ["2023-13-45"], "block": ["nope", "yanta-2"]}, CHOICES)
    assert parsed.filters.asof == date(2023, 11, 7)
    assert parsed.filters.blocks == ("yanta-2",)
    assert parsed.notices == ["asof=2023-13-45（不是有效日期）", "block=nope（无此项）"]


def test_notices_follow_the_links_language():
    parsed = state.parse_params({"asof": ["2024-01-01"], "lang": ["en"]}, CHOICES)
    assert parsed.notices == ["asof=2024-01-01 (outside the data, 2023-09-16 to 2023-11-07)"]


def test_bad_numbers_are_dropped():
    parsed = state.parse_params({"rotate": ["fast"], "refresh": ["2"]}, CHOICES)
    assert parsed.filters.rotate is None and parsed.filters.refresh is None
    assert len(parsed.notices) == 2


def test_repeated_values_are_deduplicated():
    parsed = state.parse_params({"block": ["yanta-2", "yanta-2"]}, CHOICES)
    assert parsed.filters.blocks == ("yanta-2",)


def test_defaults_stay_out_of_the_link_unless_frozen():
    f = state.Filters(asof=date(2023, 11, 7))
    assert state.to_params(f, CHOICES) == {}
    assert state.to_params(f, CHOICES, freeze=True) == {"asof": ["2023-11-07"]}


def test_query_string_repeats_keys():
    qs = state.query_string({"block": ["yanta-2", "zhuangyuan"], "ptype": ["住宅"]})
    assert qs == "block=yanta-2&block=zhuangyuan&ptype=%E4%BD%8F%E5%AE%85"


def test_unknown_params_are_those_no_one_reads():
    names = ["asof", "foo", "basemap", "lang", "foo", "bar"]
    assert state.unknown_params(names, page_params={"basemap"}) == ["foo", "bar"]


def test_every_filter_and_shell_parameter_is_known():
    assert state.unknown_params([*state.FILTER_PARAMS, *state.SHELL_PARAMS], page_params=()) == []


def _after_new_data(monkeypatch, **session):
    """The as-of day a session keeps when the data grows by a day (an import)."""
    from dataclasses import replace
    from types import SimpleNamespace

    fake = SimpleNamespace(session_state={"asof": date(2023, 11, 7), **session})
    monkeypatch.setattr(state, "st", fake)
    state._fit_session_to(replace(CHOICES, last_day=date(2023, 11, 8)), CHOICES)
    return fake.session_state["asof"]


def test_a_board_on_the_latest_day_follows_new_data(monkeypatch):
    assert _after_new_data(monkeypatch) == date(2023, 11, 8)


def test_a_link_that_named_its_day_stays_on_it(monkeypatch):
    assert _after_new_data(monkeypatch, _state_pinned=True) == date(2023, 11, 7)


def test_the_team_filter_offers_the_chosen_blocks_teams_only():
    choices = state.choices_of(
        {"yanta-2": "雁塔二地块", "zhuangyuan": "状元地块"},
        {"yt-party": "雁塔二党员突击队", "zy-party": "状元党员突击队", "zy-nh-1": "宁化街道征迁工作组一组"},
        date(2023, 9, 16), date(2023, 11, 7),
        {"yt-party": "yanta-2", "zy-party": "zhuangyuan", "zy-nh-1": "zhuangyuan"},
    )
    assert choices.teams_in(["zhuangyuan"]) == {"zy-party": "状元党员突击队", "zy-nh-1": "宁化街道征迁工作组一组"}
    assert list(choices.teams_in(["yanta-2", "zhuangyuan"])) == ["yt-party", "zy-party", "zy-nh-1"]
    assert choices.teams_in([]) == choices.teams  # no block chosen: every team
