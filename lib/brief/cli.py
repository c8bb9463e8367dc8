"""``python -m lib.brief``: write the day's brief (PNG, PDF, 成绩单 xlsx) for a scheduled job.

``python -m lib.brief --asof 2023-11-07 --out DIR [--db URL] [--block ID|NAME ...] [--team ID|NAME ...] [--lang en]``

Without ``--asof`` the brief is for the latest day with data (what a nightly
timer wants). Exit codes: 0 written; 2 a bad date, an unknown block or team,
an empty scope, an unreachable or empty database, or an unwritable folder,
with one line on stderr and nothing written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from lib import brief, metrics, store
from lib.brief import render
from lib.i18n import t


class Refused(Exception):
    """A reason not to write the brief, as the one line the user sees."""


def _pick_ids(values: Sequence[str], known: Mapping[str, str], key: str, lang: str) -> tuple[str, ...]:
    """Ids for ``values`` given as ids or display names; an unknown one is refused."""
    by_name = {name: ident for ident, name in known.items()}
    out = []
    for value in values:
        ident = value if value in known else by_name.get(value)
        if ident is None:
            raise Refused(t(key, lang, value=value, known=", ".join(known)))
        out.append(ident)
    return tuple(dict.fromkeys(out))


def _open_campaign(url: str, lang: str) -> tuple[store.Campaign, datetime | None]:
    """The campaign and its last import time; a missing or unreachable database is refused."""
    try:
        if store.is_default_database(url):
            store.prepare_database(url)  # a fresh clone: the embedded file is seeded with the demo, as the app does
        else:
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
                    and not Path(parsed.database).is_file():
                raise FileNotFoundError(f"no such database file: {parsed.database}")
        engine = store.get_engine(url)
        store.ping(engine)
        campaign = store.load_frames(engine)
        last_import = brief.last_import_time(store.list_batches(engine))
    except Exception as exc:  # any driver error: one line, never a traceback
        raise Refused(t("brief.cli.database", lang, error=store.describe_error(exc))) from exc
    if campaign.is_empty:
        raise Refused(t("brief.cli.no_data", lang, url=store.display_url(url)))
    return campaign, last_import


def _asof(text: str | None, campaign: store.Campaign, lang: str) -> date:
    first, last = campaign.first_day, campaign.last_data_day
    assert first is not None and last is not None  # a non-empty campaign has both
    if text is None:
        return last
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise Refused(t("brief.cli.bad_date", lang, value=text)) from None
    if not first <= day <= last:
        raise Refused(t("brief.cli.out_of_range", lang, value=day.isoformat(), first=first, last=last))
    return day


def write_brief(args: argparse.Namespace) -> list[Path]:
    """Build, render and write the three files; returns their paths.

    Raises:
        Refused: with the line to show, before anything is written.
    """
    lang = args.lang
    if args.asof is not None:  # a malformed date is refused before the database is touched
        try:
            date.fromisoformat(args.asof.strip())
        except ValueError:
            raise Refused(t("brief.cli.bad_date", lang, value=args.asof)) from None
    campaign, last_import = _open_campaign(args.db or store.database_url(), lang)
    asof = _asof(args.asof, campaign, lang)
    scope = {
        "blocks": _pick_ids(args.block, campaign.block_names, "brief.cli.unknown_block", lang),
        "teams": _pick_ids(args.team, campaign.team_names, "brief.cli.unknown_team", lang),
    }
    data = brief.brief_data(campaign, asof, scope, scoring=_scoring(), last_import=last_import)
    if data.is_empty:
        raise Refused(t("brief.cli.empty_scope", lang, scope="、".join(data.scope_names)))
    try:
        files = render.brief_files(data, lang)
    except render.FontMissing as exc:
        raise Refused(str(exc)) from exc
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for ext, content in files.items():
            path = out / render.file_name(asof, ext, lang)
            path.write_bytes(content)
            paths.append(path)
    except OSError as exc:
        raise Refused(t("brief.cli.out", lang, path=out, error=exc.strerror or exc)) from exc
    return paths


def _scoring() -> metrics.Scoring:
    """The scoring in force (``[scoring]`` of the secrets), as the teams page uses it."""
    try:
        return metrics.Scoring.from_config(store.secrets().get("scoring"))
    except (TypeError, ValueError):
        return metrics.DEFAULT_SCORING


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (0 written, 2 refused)."""
    parser = argparse.ArgumentParser(prog="python -m lib.brief", description="Write the daily brief: PNG, PDF and the score sheet xlsx.")
    parser.add_argument("--asof", help="the brief's day, YYYY-MM-DD (default: the latest day with data)")
    parser.add_argument("--out", required=True, help="folder to write the three files to (created if needed)")
    parser.add_argument("--db", help="database URL (default: the configured database)")
    parser.add_argument("--block", action="append", default=[], help="a block id or name (repeat for several; default: all)")
    parser.add_argument("--team", action="append", default=[], help="a team id or name (repeat for several; default: all)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the files (default zh)")
    args = parser.parse_args(argv)
    try:
        paths = write_brief(args)
    except Refused as exc:
        print(str(exc), file=sys.stderr)
        return 2
    for path in paths:
        print(t("brief.cli.wrote", args.lang, path=path, size=path.stat().st_size))
    return 0
