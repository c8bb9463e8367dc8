"""The only package that touches the database and its secrets.

SQLite by default (``data/board.db``, WAL mode, filled with the demo campaign
on first start); ``DATABASE_URL`` or ``[database] url`` in
``.streamlit/secrets.toml`` selects another database, e.g. PostgreSQL for
several replicas. Only portable SQL is used, through SQLAlchemy Core.

Every write goes through :func:`apply_import` (or :func:`undo_batch`), which
runs in one transaction, checks every invariant and bumps ``data_version`` so
cached loads refresh. Caching itself lives at the web edge (``lib.web.views``).
"""

from lib.store.audit import failed_logins, list_events, record_event, utc_now
from lib.store.config import (
    DEFAULT_DB_PATH,
    ROOT,
    SECRETS_PATH,
    database_url,
    describe_error,
    display_url,
    is_default_database,
    secrets,
)
from lib.store.engine import (
    DATABASE_ERRORS,
    IntegrityViolation,
    data_version,
    drop_all,
    get_engine,
    init_db,
    ping,
)
from lib.store.loads import Campaign, batch_by_sha256, list_batches, load_frames
from lib.store.scenarios import delete_scenario, list_scenarios, save_scenario
from lib.store.seed import load_demo, prepare_database
from lib.store.writes import apply_import, bulk_load, undo_batch

__all__ = [
    "DATABASE_ERRORS", "DEFAULT_DB_PATH", "ROOT", "SECRETS_PATH", "Campaign", "IntegrityViolation", "apply_import",
    "batch_by_sha256", "bulk_load", "data_version", "database_url", "delete_scenario", "describe_error", "display_url",
    "drop_all", "failed_logins", "get_engine", "init_db", "is_default_database", "list_batches", "list_events",
    "list_scenarios", "load_demo", "load_frames", "ping", "prepare_database", "record_event", "save_scenario", "secrets",
    "undo_batch", "utc_now",
]
