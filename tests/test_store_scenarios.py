"""Saved what-if scenarios: stored with their as-of day and data version, never touching the ledger."""

from __future__ import annotations

from datetime import date

import pytest

from lib import store


def test_a_saved_scenario_is_listed_newest_first_and_leaves_the_data_version(engine):
    version = store.data_version(engine)
    first = store.save_scenario(engine, name=" 两队支援状元 ", params="pace.zhuangyuan=1.5", asof=date(2023, 10, 20),
                                data_version=7, created_by="王")
    second = store.save_scenario(engine, name="单位产交市里", params="exclude=own%3A单位产-央企", asof=date(2023, 10, 21),
                                 data_version=8)
    listed = store.list_scenarios(engine)
    assert listed["scenario_id"].tolist() == [second, first]
    assert listed["name"].tolist() == ["单位产交市里", "两队支援状元"]
    row = listed.iloc[1]
    assert (row["params"], row["asof"], row["data_version"], row["created_by"]) == ("pace.zhuangyuan=1.5", date(2023, 10, 20), 7, "王")
    assert store.data_version(engine) == version  # not a write to the ledger


def test_a_scenario_without_a_name_is_refused_and_nothing_is_written(engine):
    with pytest.raises(ValueError, match="needs a name"):
        store.save_scenario(engine, name="  ", params="", asof=date(2023, 10, 20), data_version=1)
    with pytest.raises(ValueError, match="at most 200 characters, got 201"):
        store.save_scenario(engine, name="x" * 201, params="", asof=date(2023, 10, 20), data_version=1)
    assert store.list_scenarios(engine).empty


def test_deleting_a_scenario(engine):
    sid = store.save_scenario(engine, name="a", params="", asof=date(2023, 10, 20), data_version=1)
    assert store.delete_scenario(engine, sid) is True
    assert store.delete_scenario(engine, sid) is False
    assert store.list_scenarios(engine).empty
