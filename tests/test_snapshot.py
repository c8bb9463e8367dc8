"""The campaign snapshot: a restart loads the frames from a file, an import makes a new one."""

from __future__ import annotations

from datetime import date

import pandas as pd

from lib import store
from lib.store import snapshot


def _seeded(tmp_path):
    engine = store.get_engine(f"sqlite:///{tmp_path / 'board.db'}")
    store.load_demo(engine)
    return engine


def test_a_second_load_comes_from_the_snapshot_and_equals_the_database(tmp_path, monkeypatch):
    engine, cache = _seeded(tmp_path), tmp_path / "cache"
    first = snapshot.load_with_snapshot(engine, cache)
    (written,) = cache.glob("*.pickle")
    assert written.name.endswith(f"-v{first.data_version}.pickle")
    monkeypatch.setattr(snapshot, "load_frames", lambda _engine: (_ for _ in ()).throw(AssertionError("read SQL")))
    again = snapshot.load_with_snapshot(engine, cache)
    pd.testing.assert_frame_equal(pd.DataFrame(again.households), pd.DataFrame(first.households))
    assert again.last_data_day == date(2023, 11, 7) and len(again.households) == 694


def test_new_data_gets_a_new_snapshot_and_the_old_one_goes(tmp_path):
    engine, cache = _seeded(tmp_path), tmp_path / "cache"
    old = snapshot.load_with_snapshot(engine, cache)
    with engine.begin() as conn:
        store.engine.bump_version(conn)
    new = snapshot.load_with_snapshot(engine, cache)
    assert new.data_version == old.data_version + 1
    assert [p.name.rsplit("-v", 1)[1] for p in cache.glob("*.pickle")] == [f"{new.data_version}.pickle"]


def test_an_unreadable_snapshot_is_rebuilt_from_the_database(tmp_path):
    engine, cache = _seeded(tmp_path), tmp_path / "cache"
    first = snapshot.load_with_snapshot(engine, cache)
    path = snapshot.snapshot_path(cache, engine.url.render_as_string(hide_password=False), first.data_version)
    path.write_bytes(b"not a pickle")
    assert len(snapshot.load_with_snapshot(engine, cache).households) == 694
    assert path.read_bytes()[:1] != b"n"  # written again


def test_snapshots_can_be_switched_off(monkeypatch, tmp_path):
    monkeypatch.setenv(snapshot.CACHE_ENV, "off")
    assert snapshot.cache_dir() is None
    monkeypatch.setenv(snapshot.CACHE_ENV, str(tmp_path))
    assert snapshot.cache_dir() == tmp_path
