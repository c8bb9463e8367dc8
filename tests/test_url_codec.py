"""The share link's codec is pure and round-trips: any valid view → params → the same view."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lib import schema
from lib.web import rotation, state

CHOICES = state.Choices(
    blocks={"yanta-2": "雁塔二地块", "zhuangyuan": "状元地块", "south-bus": "汽车南站及周边地块"},
    teams={"nz-xingang": "新港社区工作组", "ct-5": "城投集团征迁五组"},
    first_day=date(2023, 9, 16),
    last_day=date(2023, 11, 7),
)


def _subset(values):
    return st.lists(st.sampled_from(list(values)), unique=True, max_size=len(values)).map(tuple)


filters_strategy = st.builds(
    state.Filters,
    asof=st.integers(0, (CHOICES.last_day - CHOICES.first_day).days).map(lambda d: CHOICES.first_day + timedelta(d)),
    blocks=_subset(CHOICES.blocks),
    teams=_subset(CHOICES.teams),
    ptypes=_subset(schema.PROPERTY_TYPES),
    ownerships=_subset(schema.OWNERSHIPS),
    lang=st.sampled_from(["zh", "en"]),
    screen=st.booleans(),
    rotate=st.none() | st.builds(
        rotation.Rotation,
        pages=_subset(rotation.ROTATABLE).filter(bool),
        every=st.none() | st.integers(*rotation.DWELL_RANGE),
        per_page=st.lists(st.tuples(st.sampled_from(rotation.ROTATABLE), st.integers(*rotation.DWELL_RANGE)),
                          unique_by=lambda item: item[0], max_size=3).map(tuple),
    ),
    refresh=st.none() | st.integers(*state.REFRESH_RANGE),
)


@settings(max_examples=300, deadline=None)
@given(filters_strategy, st.booleans())
def test_encode_then_parse_gives_the_same_view(filters, freeze):
    params = state.to_params(filters, CHOICES, freeze=freeze)
    parsed = state.parse_params(params, CHOICES)
    assert parsed.notices == []
    assert parsed.filters == filters


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*state.FILTER_PARAMS, *state.SHELL_PARAMS]),
                       st.lists(st.text(max_size=12), max_size=3), max_size=6))
def test_any_parameters_parse_without_error_and_keep_only_valid_values(params):
    parsed = state.parse_params(params, CHOICES)
    f = parsed.filters
    assert CHOICES.first_day <= f.asof <= CHOICES.last_day
    assert set(f.blocks) <= set(CHOICES.blocks) and set(f.teams) <= set(CHOICES.teams)
    assert f.lang in ("zh", "en")
    # What survived encodes back to itself: parsing is idempotent.
    assert state.parse_params(state.to_params(f, CHOICES), CHOICES).filters == f
