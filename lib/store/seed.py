"""Filling a database: the demo campaign, and the embedded database's first start."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from lib import demo
from lib.schema import households_table
from lib.store.config import is_default_database
from lib.store.engine import drop_all, get_engine, init_db
from lib.store.writes import bulk_load


def load_demo(engine: Engine, households: int | None = None) -> None:
    """Replace the database's contents with the demo campaign."""
    drop_all(engine)
    init_db(engine)
    campaign = demo.generate(households)
    bulk_load(
        engine, blocks=campaign.blocks, teams=campaign.teams, households=campaign.households,
        milestones=campaign.milestones, file_name=f"demo ({len(campaign.households)} households)",
    )


def prepare_database(url: str) -> str:
    """Create the tables; seed the embedded SQLite file with the demo on first start.

    Returns "seeded", "ready" or "empty" (a configured database with no data).
    """
    engine = get_engine(url)
    init_db(engine)
    with engine.connect() as conn:
        has_data = conn.execute(select(func.count()).select_from(households_table)).scalar_one() > 0
    if has_data:
        return "ready"
    if is_default_database(url):
        load_demo(engine)
        return "seeded"
    return "empty"
