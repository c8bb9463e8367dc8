"""lib.store against SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import shapely

from lib import store
from tests import ledgers

LAUNCH = date(2023, 9, 16)


def _seed(engine) -> int:
    """One block, one team, two households; no progress yet."""
    hh = ledgers.households([{"id": "H1"}, {"id": "H2"}])
    return store.apply_import(
        engine, file_name="seed.xlsx", sha256="s0", imported_by="test", rows=4,
        blocks=ledgers.blocks([("b1", "Block one", LAUNCH)]),
        teams=ledgers.teams([("t1", "Team one", "b1")]),
        households=hh,
    )


def _milestones(*rows: tuple[str, str, date | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["household_id", "stage", "date"])


def _dates(engine) -> dict[tuple[str, str], date]:
    ms = store.load_frames(engine).milestones
    return {(r.household_id, r.stage): r.date for r in ms.itertuples()}


def test_load_returns_geodataframes_in_wgs84(engine):
    _seed(engine)
    campaign = store.load_frames(engine)
    assert campaign.households.crs.to_epsg() == 4326
    assert campaign.blocks.crs.to_epsg() == 4326
    assert isinstance(campaign.households.geometry.iloc[0], shapely.Polygon)
    assert campaign.households["household_id"].tolist() == ["H1", "H2"]
    assert campaign.blocks["launch_date"].iloc[0] == LAUNCH


def test_stage_dates_become_columns(engine):
    _seed(engine)
    store.apply_import(engine, file_name="d1", sha256="s1", imported_by="t", rows=1,
                       milestones=_milestones(("H1", "signed", date(2023, 9, 20))))
    hh = store.load_frames(engine).households.set_index("household_id")
    assert hh.loc["H1", "date_signed"] == pd.Timestamp("2023-09-20")
    assert pd.isna(hh.loc["H2", "date_signed"])


def test_every_write_bumps_the_data_version(engine):
    before = store.data_version(engine)
    _seed(engine)
    assert store.data_version(engine) == before + 1


def test_stage_order_violation_is_refused_whole(engine):
    _seed(engine)
    bad = _milestones(
        ("H2", "signed", date(2023, 9, 20)),
        ("H1", "signed", date(2023, 9, 25)),
        ("H1", "sealed", date(2023, 9, 22)),
    )
    with pytest.raises(store.IntegrityViolation, match="household H1: stage sealed dated before an earlier stage"):
        store.apply_import(engine, file_name="bad", sha256="s2", imported_by="t", rows=3, milestones=bad)
    assert _dates(engine) == {}
    assert store.list_batches(engine)["file_name"].tolist() == ["seed.xlsx"]


def test_one_date_per_household_and_stage(engine):
    _seed(engine)
    dup = _milestones(("H1", "signed", date(2023, 9, 20)), ("H1", "signed", date(2023, 9, 21)))
    with pytest.raises(store.IntegrityViolation, match="household H1: stage signed given twice"):
        store.apply_import(engine, file_name="dup", sha256="s3", imported_by="t", rows=2, milestones=dup)


def test_unknown_household_and_team_are_refused(engine):
    _seed(engine)
    with pytest.raises(store.IntegrityViolation, match="household H9: not in the households table"):
        store.apply_import(engine, file_name="x", sha256="s4", imported_by="t", rows=1,
                           milestones=_milestones(("H9", "signed", date(2023, 9, 20))))
    stray = ledgers.households([{"id": "H3", "team": "nope"}])
    with pytest.raises(store.IntegrityViolation, match="household H3: unknown team 'nope'"):
        store.apply_import(engine, file_name="y", sha256="s5", imported_by="t", rows=1, households=stray)


def test_undo_restores_the_previous_dates_exactly(engine):
    _seed(engine)
    store.apply_import(engine, file_name="d1", sha256="a", imported_by="t", rows=1,
                       milestones=_milestones(("H1", "signed", date(2023, 9, 20))))
    before = _dates(engine)
    second = store.apply_import(engine, file_name="d2", sha256="b", imported_by="t", rows=2,
                                milestones=_milestones(("H1", "signed", date(2023, 9, 19)),
                                                       ("H2", "signed", date(2023, 9, 21))))
    assert _dates(engine)[("H1", "signed")] == date(2023, 9, 19)
    store.undo_batch(engine, second)
    assert _dates(engine) == before
    assert store.list_batches(engine).iloc[0]["status"] == "undone"


def test_only_the_latest_batch_can_be_undone(engine):
    _seed(engine)
    first = store.apply_import(engine, file_name="d1", sha256="a", imported_by="t", rows=1,
                               milestones=_milestones(("H1", "signed", date(2023, 9, 20))))
    store.apply_import(engine, file_name="d2", sha256="b", imported_by="t", rows=1,
                       milestones=_milestones(("H2", "signed", date(2023, 9, 21))))
    with pytest.raises(ValueError, match=f"batch {first} is not the latest applied batch"):
        store.undo_batch(engine, first)


def test_a_missing_date_deletes_the_milestone(engine):
    _seed(engine)
    store.apply_import(engine, file_name="d1", sha256="a", imported_by="t", rows=1,
                       milestones=_milestones(("H1", "signed", date(2023, 9, 20))))
    store.apply_import(engine, file_name="d2", sha256="b", imported_by="t", rows=1,
                       milestones=_milestones(("H1", "signed", None)))
    assert _dates(engine) == {}


def test_batch_by_sha256_finds_applied_imports(engine):
    _seed(engine)
    assert store.batch_by_sha256(engine, "s0")["file_name"] == "seed.xlsx"
    assert store.batch_by_sha256(engine, "nope") is None


def test_bulk_load_refuses_out_of_order_dates(engine):
    hh = ledgers.households([{"id": "H1"}])
    bad = _milestones(("H1", "signed", date(2023, 9, 25)), ("H1", "sealed", date(2023, 9, 20)))
    with pytest.raises(store.IntegrityViolation, match="household H1: stage sealed dated before"):
        store.bulk_load(engine, blocks=ledgers.blocks([("b1", "B", LAUNCH)]),
                        teams=ledgers.teams([("t1", "T", "b1")]), households=hh, milestones=bad, file_name="x")


def test_empty_database_loads_as_an_empty_campaign(engine):
    campaign = store.load_frames(engine)
    assert campaign.is_empty
    assert campaign.first_day is None


def test_database_url_prefers_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert store.database_url() == "postgresql://u@h/db"
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setattr(store.config, "SECRETS_PATH", store.ROOT / "no-such-secrets.toml")
    assert store.database_url() == f"sqlite:///{store.DEFAULT_DB_PATH}"


def test_database_url_from_secrets_when_no_environment(monkeypatch, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[database]\nurl = "postgresql://board@db/board"\n', encoding="utf-8")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(store.config, "SECRETS_PATH", secrets)
    assert store.database_url() == "postgresql://board@db/board"


def test_display_url_hides_the_password():
    assert store.display_url("postgresql://board:s3cret@db:5432/board") == "postgresql://board:***@db:5432/board"
