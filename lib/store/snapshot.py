"""A file snapshot of the loaded campaign per data version, so a restarted server opens in a second.

Loading 100 k households from SQL costs seconds (row fetching and WKT
parsing); unpickling the frames costs a fraction of that (shapely pickles
geometry as WKB). The snapshot is keyed on the database and its data
version, so an import makes the old one unreachable, and it is deleted when
the next one is written. A snapshot that cannot be read is rebuilt from the
database: the database stays the only truth.

Snapshots hold owners' names like the database does; they live beside the
embedded database (``data/cache/``, git-ignored), or under
``$BOARD_CACHE_DIR``. ``BOARD_CACHE_DIR=off`` disables them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path

from sqlalchemy import Engine

from lib import schema
from lib.store.config import ROOT
from lib.store.engine import data_version
from lib.store.loads import Campaign, load_frames

CACHE_ENV = "BOARD_CACHE_DIR"
DEFAULT_CACHE_DIR = ROOT / "data" / "cache"

log = logging.getLogger(__name__)


def cache_dir() -> Path | None:
    """Where snapshots go, or None when they are switched off."""
    configured = os.environ.get(CACHE_ENV, "")
    if configured.lower() == "off":
        return None
    return Path(configured) if configured else DEFAULT_CACHE_DIR


def snapshot_path(directory: Path, url: str, version: int) -> Path:
    """The snapshot file of database ``url`` at ``version`` (the URL hashed: it may hold a password)."""
    # The frames' layout is part of the key: a snapshot written by older code is never read.
    layout = repr((schema.BLOCK_COLUMNS, schema.TEAM_COLUMNS, schema.HOUSEHOLD_COLUMNS, schema.MILESTONE_COLUMNS,
                   schema.STAGES))
    digest = hashlib.sha256(f"{url}\n{layout}".encode()).hexdigest()[:16]
    return directory / f"campaign-{digest}-v{version}.pickle"


def load_with_snapshot(engine: Engine, directory: Path | None) -> Campaign:
    """The campaign from its snapshot when there is one for the current data version, else from the database.

    A load from the database writes the snapshot (and removes older ones of
    the same database) for the next server start.
    """
    if directory is None:
        return load_frames(engine)
    url = engine.url.render_as_string(hide_password=False)
    path = snapshot_path(directory, url, data_version(engine))
    if path.exists():
        try:
            with path.open("rb") as f:
                campaign = pickle.load(f)
            if isinstance(campaign, Campaign):
                return campaign
        except Exception as exc:  # unreadable or from another version of the code: rebuild it
            log.warning("campaign snapshot %s unreadable (%s); loading from the database", path.name, exc)
    campaign = load_frames(engine)
    _write(directory, snapshot_path(directory, url, campaign.data_version), campaign)
    return campaign


def _write(directory: Path, path: Path, campaign: Campaign) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=directory, prefix=".snapshot-", delete=False) as tmp:
            pickle.dump(campaign, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp.name, path)  # atomic: a reader never sees half a file
        stem = path.name.rsplit("-v", 1)[0]
        for old in directory.glob(f"{stem}-v*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:  # a read-only disk only costs the next start some seconds
        log.warning("campaign snapshot not written (%s)", exc)
