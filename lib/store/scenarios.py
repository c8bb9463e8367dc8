"""Saved what-if scenarios: the only table the 推演 page writes (never the ledger).

A saved scenario is a name, the what-if link's query string and the as-of
day and data version it was made on. Saving or deleting one does not bump
``data_version``: the board's numbers do not change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from lib import schema
from lib.schema import scenarios_table

#: Longest name kept (the column's width).
NAME_MAX = 200


def save_scenario(engine: Engine, *, name: str, params: str, asof: date, data_version: int, created_by: str = "") -> int:
    """Store a named scenario and return its id.

    Args:
        engine: The board's database.
        name: Shown in the list (stripped; 1–200 characters).
        params: The what-if link's query string without the as-of day.
        asof: The as-of day the scenario was made on.
        data_version: The data version it was made on.
        created_by: The editor's name.

    Raises:
        ValueError: On an empty or too long name.
    """
    name = name.strip()
    if not name:
        raise ValueError("a scenario needs a name")
    if len(name) > NAME_MAX:
        raise ValueError(f"a scenario name has at most {NAME_MAX} characters, got {len(name)}")
    with engine.begin() as conn:
        result = conn.execute(insert(scenarios_table).values(
            name=name, params=params, asof=asof, data_version=data_version,
            created_at=datetime.now(UTC).replace(tzinfo=None), created_by=created_by.strip()[:100],
        ))
        inserted = result.inserted_primary_key
        assert inserted is not None  # an executed one-row insert always has its key
        return int(inserted[0])


def list_scenarios(engine: Engine) -> pd.DataFrame:
    """Every saved scenario, newest first (:data:`lib.schema.SCENARIO_COLUMNS`)."""
    query = select(*[scenarios_table.c[c] for c in schema.SCENARIO_COLUMNS]).order_by(scenarios_table.c.scenario_id.desc())
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    if not rows:
        return schema.empty_frame(schema.SCENARIO_COLUMNS)
    return pd.DataFrame([tuple(r) for r in rows], columns=schema.SCENARIO_COLUMNS)


def delete_scenario(engine: Engine, scenario_id: int) -> bool:
    """Remove a saved scenario; False when there was none with that id."""
    with engine.begin() as conn:
        return conn.execute(delete(scenarios_table).where(scenarios_table.c.scenario_id == scenario_id)).rowcount > 0
