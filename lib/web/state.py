"""URL ⇄ filters: the share link is the state (docs/design.md "URL contract").

``?asof=2023-11-07&block=yanta-2&team=nz-xingang&ptype=住宅&lang=en&screen=1``

Why not ``bind="query-params"``: Streamlit's binding writes a widget's
*formatted label* to the URL (``block=雁塔二地块``, or ``Yanta 2`` in English),
so a link would change with the language and break the contract's ids. Here
every widget keeps ids as values, and :func:`bound` seeds it from the URL and
writes it back. The pure half (:func:`parse_params`, :func:`to_params`) is
tested without Streamlit.

Streamlit drops the query string on a page switch, so the URL is written from
inside the page run (``bound`` and :func:`publish`), and a bare URL after a
switch never resets the session's filters.
"""

from __future__ import annotations

import os
import runpy
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib import schema
from lib.i18n import t
from lib.web.escape import md_escape
from lib.web.rotation import Rotation, parse_rotation

#: Parameters every page understands.
FILTER_PARAMS = ("asof", "block", "team", "ptype", "own")
SHELL_PARAMS = ("lang", "screen", "rotate", "pages", "refresh")
#: Environment variable naming a file that gets one line per page script run.
RUN_LOG_ENV = "BOARD_RUN_LOG"
#: The entry script a page run without it is sent through (see :func:`_restart_through_app`).
APP_SCRIPT = Path(__file__).resolve().parents[2] / "app.py"
REFRESH_RANGE = (10, 86400)


@dataclass(frozen=True)
class Choices:
    """What the data allows: ids (→ display names) and the as-of range."""

    blocks: Mapping[str, str]
    teams: Mapping[str, str]
    first_day: date
    last_day: date
    ptypes: Sequence[str] = schema.PROPERTY_TYPES
    ownerships: Sequence[str] = schema.OWNERSHIPS
    #: Team id → its block id (teams missing here belong to no chosen block's list).
    team_blocks: Mapping[str, str] = field(default_factory=dict)

    def teams_in(self, blocks: Sequence[str]) -> dict[str, str]:
        """The teams (id → name) the team filter offers when ``blocks`` are chosen: theirs, or all for none."""
        if not blocks:
            return dict(self.teams)
        return {tid: name for tid, name in self.teams.items() if self.team_blocks.get(tid) in blocks}


@dataclass(frozen=True)
class Filters:
    """The board's shared view: as-of day, scope and display mode."""

    asof: date
    blocks: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    ptypes: tuple[str, ...] = ()
    ownerships: tuple[str, ...] = ()
    lang: str = "zh"
    screen: bool = False
    rotate: Rotation | None = None
    refresh: int | None = None

    def scope(self) -> dict[str, tuple[str, ...]]:
        """Keyword arguments for :func:`lib.metrics.filter_households`."""
        return {"blocks": self.blocks, "teams": self.teams, "ptypes": self.ptypes, "ownerships": self.ownerships}

    @property
    def is_filtered(self) -> bool:
        """True when any scope filter narrows the campaign."""
        return bool(self.blocks or self.teams or self.ptypes or self.ownerships)


@dataclass
class Parsed:
    """Result of parsing a query string: the filters and what was dropped."""

    filters: Filters
    notices: list[str] = field(default_factory=list)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _parse_int(text: str, low: int, high: int) -> int | None:
    try:
        value = int(text.strip())
    except ValueError:
        return None
    return value if low <= value <= high else None


def parse_params(params: Mapping[str, Sequence[str]], choices: Choices) -> Parsed:
    """Parse the shell and filter parameters; drop bad values with a notice each.

    Args:
        params: every parameter's values, as repeated in the URL.
        choices: the ids and date range the data allows.

    Returns:
        The filters (defaults where a value was dropped) and human notices in
        the language the URL asks for.
    """
    lang_values = params.get("lang", [])
    lang = lang_values[-1] if lang_values and lang_values[-1] in ("zh", "en") else "zh"
    notices: list[str] = []

    def note(key: str, **kw: object) -> None:
        notices.append(t(key, lang, **kw))

    if lang_values and lang_values[-1] not in ("zh", "en"):
        note("notice.unknown_value", name="lang", value=lang_values[-1])

    asof = choices.last_day
    for raw in params.get("asof", [])[-1:]:
        parsed = _parse_date(raw)
        if parsed is None:
            note("notice.bad_date", name="asof", value=raw)
        elif not choices.first_day <= parsed <= choices.last_day:
            note("notice.out_of_range", name="asof", value=raw, first=choices.first_day, last=choices.last_day)
        else:
            asof = parsed

    def pick(name: str, allowed: Sequence[str] | Mapping[str, str]) -> tuple[str, ...]:
        kept = []
        for raw in params.get(name, []):
            if raw in allowed:
                if raw not in kept:
                    kept.append(raw)
            elif raw != "":
                note("notice.unknown_value", name=name, value=raw)
        return tuple(kept)

    screen_values = params.get("screen", [])
    screen = bool(screen_values) and screen_values[-1] in ("1", "true", "yes")
    if screen_values and screen_values[-1] not in ("0", "1", "true", "false", "yes", "no", ""):
        note("notice.unknown_value", name="screen", value=screen_values[-1])

    def number(name: str, bounds: tuple[int, int]) -> int | None:
        values = params.get(name, [])
        if not values:
            return None
        value = _parse_int(values[-1], *bounds)
        if value is None:
            note("notice.bad_number", name=name, value=values[-1], low=bounds[0], high=bounds[1])
        return value

    rotation, rotation_notices = parse_rotation(params, lang)
    notices += rotation_notices
    filters = Filters(
        asof=asof,
        blocks=pick("block", choices.blocks),
        teams=pick("team", choices.teams),
        ptypes=pick("ptype", choices.ptypes),
        ownerships=pick("own", choices.ownerships),
        lang=lang,
        screen=screen,
        rotate=rotation if rotation.active else None,
        refresh=number("refresh", REFRESH_RANGE),
    )
    return Parsed(filters, notices)


def to_params(filters: Filters, choices: Choices, *, freeze: bool = False) -> dict[str, list[str]]:
    """The query parameters that reproduce ``filters`` (defaults left out).

    ``freeze`` keeps the as-of day even when it is the latest, so a shared
    link shows today's numbers tomorrow too.
    """
    out: dict[str, list[str]] = {}
    if freeze or filters.asof != choices.last_day:
        out["asof"] = [filters.asof.isoformat()]
    for name, values in (("block", filters.blocks), ("team", filters.teams), ("ptype", filters.ptypes), ("own", filters.ownerships)):
        if values:
            out[name] = list(values)
    if filters.lang != "zh":
        out["lang"] = [filters.lang]
    if filters.screen:
        out["screen"] = ["1"]
    if filters.rotate:
        out.update(filters.rotate.to_params())
    if filters.refresh:
        out["refresh"] = [str(filters.refresh)]
    return out


def unknown_params(names: Iterable[str], page_params: Iterable[str]) -> list[str]:
    """The names in ``names`` that no one reads: not a filter, not a shell option, not in ``page_params``.

    Args:
        names: the parameter names a link brought, in its order.
        page_params: the options the page that opened bound (:func:`bound`).
    """
    known = {*FILTER_PARAMS, *SHELL_PARAMS, *page_params}
    return [name for name in dict.fromkeys(names) if name not in known]


def query_string(params: Mapping[str, Sequence[str]]) -> str:
    """``params`` as a URL query string (repeated keys for several values)."""
    return urlencode([(k, v) for k, values in params.items() for v in values])


# ---------------------------------------------------------------- Streamlit

_URL_KEY = "_state_url"          # the params this run will leave in the URL
_WRITTEN_KEY = "_state_written"  # the params last written (to tell links from page switches)
_FILTERS_KEY = "_state_filters"
_CHOICES_KEY = "_state_choices"
_SHELL_KEY = "_state_shell"
_INCOMING_KEY = "_state_incoming"  # a new link's page parameters, kept for their widgets
_ARRIVED_KEY = "_state_arrived"    # every parameter name a new link brought, this run only
_BOUND_KEY = "_state_bound"        # the page options bound() rendered this run
_PINNED_KEY = "_state_pinned"      # the link named its as-of day: keep it, even when it is the latest


def raw_params() -> dict[str, list[str]]:
    """The current URL's parameters, every value as a list."""
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _url_is_new(raw: Mapping[str, list[str]]) -> bool:
    """True when the URL came from outside (a link, a reload), not our own write."""
    written = st.session_state.get(_WRITTEN_KEY)
    if written is None:
        return True
    return bool(raw) and dict(raw) != written


def begin_run(choices: Choices) -> tuple[Filters, list[str]]:
    """Start a run: adopt a new URL into the session, or keep the session's view.

    Returns the filters the URL asked for (before widgets) and notices for
    anything dropped. Call once per run, in ``app.py``, before any widget.
    """
    raw = raw_params()
    st.session_state[_URL_KEY] = {}
    st.session_state[_ARRIVED_KEY] = []
    st.session_state[_BOUND_KEY] = set()
    st.session_state[_CHOICES_KEY] = choices
    previous: Choices | None = st.session_state.get("_state_previous_choices")
    st.session_state["_state_previous_choices"] = choices
    if not _url_is_new(raw):
        _fit_session_to(choices, previous)
        return st.session_state[_FILTERS_KEY], []
    st.session_state[_ARRIVED_KEY] = list(raw)
    # A page's own parameters (e.g. ?focus=) must survive until its widget
    # reads them: the page's first publish() rewrites the URL before that.
    st.session_state[_INCOMING_KEY] = {k: v for k, v in raw.items() if k not in FILTER_PARAMS + SHELL_PARAMS}
    parsed = parse_params(raw, choices)
    f = parsed.filters
    st.session_state.update({
        "asof": f.asof, "block": list(f.blocks), "team": list(f.teams),
        "ptype": list(f.ptypes), "own": list(f.ownerships), "lang": f.lang,
    })
    st.session_state[_SHELL_KEY] = {"screen": f.screen, "rotate": f.rotate, "refresh": f.refresh}
    st.session_state[_FILTERS_KEY] = f
    # A link that names the latest day (a frozen link opened the same day) keeps
    # naming it, so the address bar still holds the frozen link to pass on.
    st.session_state[_PINNED_KEY] = _parse_date(raw.get("asof", [""])[-1]) == f.asof
    st.session_state["_state_seen"] = set()
    return f, parsed.notices


def _fit_session_to(choices: Choices, previous: Choices | None) -> None:
    """Keep the session's filters valid after the data changed (an import, an undo).

    Ids that no longer exist are dropped, the as-of day stays inside the data,
    and a board that followed the latest day keeps following it, unless its
    link named the day.
    """
    for key, allowed in (("block", choices.blocks), ("team", choices.teams),
                         ("ptype", choices.ptypes), ("own", choices.ownerships)):
        current = st.session_state.get(key) or []
        kept = [v for v in current if v in allowed]
        if kept != current:
            st.session_state[key] = kept
    asof = st.session_state.get("asof")
    if previous is not None and asof == previous.last_day and not st.session_state.get(_PINNED_KEY):
        asof = choices.last_day
    if not isinstance(asof, date) or not choices.first_day <= asof <= choices.last_day:
        asof = choices.last_day
    st.session_state["asof"] = asof


def keep_filters() -> Filters:
    """The session's filters on a page that draws no filter widgets, kept for the next page.

    Streamlit forgets the value of a widget that a run does not draw; writing
    each value back makes it plain session state until the widget is drawn again.
    """
    for key in ("asof", "block", "team", "ptype", "own"):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    return st.session_state[_FILTERS_KEY]


def set_filters(filters: Filters) -> None:
    """Record the filters the sidebar widgets produced for this run."""
    st.session_state[_FILTERS_KEY] = filters
    st.session_state[_URL_KEY].update(filter_params())


def filter_params() -> dict[str, list[str]]:
    """This run's filters and shell options as the link holds them (a named as-of day kept).

    What a page switch of our own (the big screen's rotation) carries along.
    """
    return to_params(st.session_state[_FILTERS_KEY], st.session_state[_CHOICES_KEY],
                     freeze=st.session_state.get(_PINNED_KEY, False))


def shell() -> dict[str, Any]:
    """Screen / rotate / refresh for this session."""
    return dict(st.session_state.get(_SHELL_KEY, {"screen": False, "rotate": None, "refresh": None}))


def filters() -> Filters:
    """The view every page shows; writes it to the URL (call at the top of a page)."""
    if not _ran_without_app():
        _count_run()
    if _FILTERS_KEY not in st.session_state or _ran_without_app():
        _restart_through_app()
    publish()
    return st.session_state[_FILTERS_KEY]


def _count_run() -> None:
    """Append one line per page script run to ``$BOARD_RUN_LOG`` (benchmarks and tests count runs)."""
    log = os.environ.get(RUN_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {time.time():.3f}\n")


def _ran_without_app() -> bool:
    """True when Streamlit ran a page file on its own, in legacy ``pages/`` mode.

    Then ``app.py`` did not parse this run's URL, so the session's filters
    may be stale (AppTest starts every run that way).
    """
    return bool(PagesManager.uses_pages_directory)


def _restart_through_app() -> None:
    """Run ``app.py`` in place when Streamlit ran a page file on its own, then end this run.

    A fresh server treats a ``pages/`` folder as legacy multipage mode until
    the first ``st.navigation`` call, so the very first request for
    ``/overview`` runs ``pages/overview.py`` without the shell. Clearing that
    flag and running the entry script inside this same run (it calls
    ``st.navigation`` and runs the page) sends the request through ``app.py``
    without a second script run in the browser.
    """
    PagesManager.uses_pages_directory = False
    ctx = get_script_run_ctx()
    if ctx is None:  # not inside a Streamlit run: nothing to restart
        return
    # As the entry script, so every element and widget gets the ids a normal run gives it.
    with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash):
        runpy.run_path(str(APP_SCRIPT), run_name="__main__")
    st.stop()


def choices() -> Choices:
    """The ids and date range of the loaded data."""
    return st.session_state[_CHOICES_KEY]


def publish() -> None:
    """Write this run's parameters to the URL if they changed.

    Must run inside the page script: Streamlit discards query-string writes
    made by the entry script around a page switch.
    """
    wanted = dict(st.session_state.get(_URL_KEY, {}))
    if raw_params() != wanted:
        st.query_params.from_dict(wanted)
    st.session_state[_WRITTEN_KEY] = wanted


def bound(
    widget: Callable[..., Any],
    param: str,
    *,
    default: Any,
    parse: Callable[[list[str]], Any] | None = None,
    serialise: Callable[[Any], list[str]] | None = None,
    options: Sequence[Any] | None = None,
    multi: bool = False,
    **widget_kwargs: Any,
) -> Any:
    """Render a page widget whose value lives in the URL as ``param``.

    The widget's key is ``param``. On a new URL its value is seeded from the
    parameter (invalid values dropped with a notice); afterwards the widget's
    value is written back, and left out while it equals ``default``.
    """
    raw = raw_params()
    seen: set[str] = st.session_state.setdefault("_state_seen", set())
    incoming: dict[str, list[str]] = st.session_state.get(_INCOMING_KEY, {})
    if param not in seen and param in incoming:
        st.session_state[param] = _seed_value(incoming[param], default=default, parse=parse, options=options, multi=multi, param=param)
    elif param in raw and (param not in seen or _url_is_new(raw)) and raw[param] != st.session_state.get(_WRITTEN_KEY, {}).get(param):
        value = _seed_value(raw[param], default=default, parse=parse, options=options, multi=multi, param=param)
        st.session_state[param] = value
    elif param not in st.session_state:
        st.session_state[param] = default
    seen.add(param)
    st.session_state.setdefault(_BOUND_KEY, set()).add(param)
    if options is not None:
        widget_kwargs["options"] = options
    value = widget(key=param, **widget_kwargs)
    if value != default and value is not None:
        if serialise is not None:
            encoded = serialise(value)
        elif multi:
            encoded = [str(v) for v in value]
        else:
            encoded = [str(value)]
        st.session_state[_URL_KEY][param] = encoded
    else:
        st.session_state[_URL_KEY].pop(param, None)
    publish()
    return value


def keep(params: Mapping[str, Sequence[str]]) -> None:
    """Keep page parameters that no widget binds in the link, and count them as read.

    For read-only views of a link's options (the wall screen's what-if summary).
    """
    st.session_state[_URL_KEY].update({k: list(v) for k, v in params.items() if v})
    st.session_state.setdefault(_BOUND_KEY, set()).update(params)
    publish()


def link_page_params() -> dict[str, list[str]]:
    """The page options the current link brought (e.g. the map's ``basemap``).

    The big screen's rotation carries them from page to page, so the map
    keeps the link's basemap after a round through the other pages.
    """
    return dict(st.session_state.get(_INCOMING_KEY, {}))


def unread_params() -> list[str]:
    """The parameters this run's new link brought that neither the shell nor the page read.

    Call after the page ran (``nav.run()``), when every option it binds is known.
    Empty on runs that did not open a new link, so the notice shows once.
    """
    return unknown_params(st.session_state.get(_ARRIVED_KEY, ()), st.session_state.get(_BOUND_KEY, ()))


def _seed_value(
    values: list[str], *, default: Any, parse: Callable[[list[str]], Any] | None,
    options: Sequence[Any] | None, multi: bool, param: str,
) -> Any:
    lang = st.session_state.get("lang", "zh")
    if parse is not None:
        try:
            return parse(values)
        except ValueError:
            st.toast(t("notice.dropped", lang, items=md_escape(t("notice.unknown_value", lang, name=param, value=values[-1]))))
            return default
    allowed = [str(o) for o in options or []]
    lookup = dict(zip(allowed, options or [], strict=True))
    kept = [lookup[v] for v in values if v in lookup]
    dropped = [v for v in values if v not in lookup and v != ""]
    if dropped:
        items = "；".join(t("notice.unknown_value", lang, name=param, value=v) for v in dropped)
        st.toast(t("notice.dropped", lang, items=md_escape(items)))
    if multi:
        return list(dict.fromkeys(kept))
    return kept[-1] if kept else default


def share_url(base: str, *, freeze: bool = False) -> str:
    """The link to the current view; ``freeze`` pins today's as-of day."""
    params = dict(st.session_state.get(_URL_KEY, {}))
    f: Filters = st.session_state[_FILTERS_KEY]
    if freeze:
        params["asof"] = [f.asof.isoformat()]
    qs = query_string(params)
    return f"{base}?{qs}" if qs else base


def with_filters(filters: Filters, **changes: Any) -> Filters:
    """A copy of ``filters`` with some fields changed."""
    return replace(filters, **changes)


def page_link_base(current_url: str | None, url_path: str) -> str:
    """The address of page ``url_path`` on the server the user is looking at.

    Keeps any ``server.baseUrlPath`` prefix: the last path segment (the page
    the browser shows) is replaced by ``url_path``.
    """
    if not current_url:
        return f"/{url_path}"
    parts = urlsplit(current_url)
    segments = [s for s in parts.path.split("/") if s]
    known = set(st.session_state.get("_state_page_paths", ())) | {url_path}
    if segments and segments[-1] in known:
        segments = segments[:-1]
    prefix = "/".join(segments)
    path = f"/{prefix}/{url_path}" if prefix else f"/{url_path}"
    return f"{parts.scheme}://{parts.netloc}{path}"


def link_query(filters: Filters) -> str:
    """The query string of a link to ``filters``, as-of day pinned (for links between pages)."""
    return query_string(to_params(filters, choices(), freeze=True))


def choices_of(
    blocks: Mapping[str, str], teams: Mapping[str, str], first_day: date | None, last_day: date | None,
    team_blocks: Mapping[str, str] | None = None,
) -> Choices:
    """What a campaign allows; an empty one offers only today."""
    today = date.today()
    return Choices(blocks=dict(blocks), teams=dict(teams), first_day=first_day or today, last_day=last_day or today,
                   team_blocks=dict(team_blocks or {}))
