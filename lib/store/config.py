"""Where the database is and what the secrets say: environment first, then `.streamlit/secrets.toml`."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


DEFAULT_DB_PATH = ROOT / "data" / "board.db"


SECRETS_PATH = ROOT / ".streamlit" / "secrets.toml"


def secrets() -> dict[str, Any]:
    """The parsed ``.streamlit/secrets.toml`` (empty when absent or broken)."""
    try:
        return tomllib.loads(SECRETS_PATH.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def database_url() -> str:
    """The configured database: env ``DATABASE_URL``, then secrets, then SQLite."""
    url = os.environ.get("DATABASE_URL") or secrets().get("database", {}).get("url")
    return url or f"sqlite:///{DEFAULT_DB_PATH}"


def display_url(url: str) -> str:
    """A database URL safe to show on screen (no password, short for the default)."""
    if is_default_database(url):
        return "data/board.db"
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def describe_error(exc: BaseException) -> str:
    """One line about a database error, without credentials or a traceback."""
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {first}"


def is_default_database(url: str) -> bool:
    """True for the embedded SQLite file that is seeded with the demo."""
    return url == f"sqlite:///{DEFAULT_DB_PATH}"
