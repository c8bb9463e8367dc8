"""The 推演 page's levers: widgets bound to the share link, parsed into a :class:`lib.scenarios.Scenario`.

Every lever is a widget whose value lives in the URL under the parameter
names of :mod:`lib.scenarios` (``pace.<block>``, ``move``, ``exclude``,
``holdout``, ``target``), so the address bar is always the scenario's share
link. On the wall screen there are no widgets: the link is read as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import streamlit as st

from lib import scenarios, schema
from lib.i18n import label, t
from lib.web import state
from lib.web.state import Filters
from lib.web.views import WhatIfChoices

#: Parameters the page reads besides the levers.
SAVED_PARAM = "saved"


def parse_flag(values: list[str]) -> bool:
    """A yes/no page option from the link (``1``/``true``/``yes``); anything else is dropped with a notice."""
    value = values[-1].strip().lower()
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no", ""):
        return False
    raise ValueError(value)


def _pace_ok(block: str, text: str) -> bool:
    return not text.strip() or scenarios.parse_pace(block, text) is not None


def _link_scenario(choices: WhatIfChoices, params: Mapping[str, Sequence[str]]) -> tuple[scenarios.Scenario, list[tuple[str, str]]]:
    return scenarios.parse_params(params, blocks=list(choices.blocks), teams=list(state.choices().teams))


def read_only(choices: WhatIfChoices) -> tuple[scenarios.Scenario, list[str]]:
    """The link's scenario without widgets (screen mode), kept in the link; notices for what was dropped."""
    incoming = {k: v for k, v in state.link_page_params().items() if scenarios.is_lever_param(k)}
    scenario, dropped = _link_scenario(choices, incoming)
    state.keep(scenarios.to_params(scenario))
    return scenario, [t("notice.unknown_value", name=n, value=v) for n, v in dropped]


def saved_id() -> int | None:
    """The saved scenario the link opened (``saved=<id>``), kept in the link."""
    values = state.link_page_params().get(SAVED_PARAM, [])
    state.keep({SAVED_PARAM: values[-1:]})
    try:
        return int(values[-1]) if values else None
    except ValueError:
        return None


def levers(f: Filters, choices: WhatIfChoices) -> tuple[scenarios.Scenario, list[str], list[str]]:
    """Render the lever widgets and return the scenario, notices for the link's dropped values, and hand-typed rejects."""
    dropped: list[str] = []
    teams = state.choices().teams
    blocks = choices.blocks

    def note(name: str, value: str) -> None:
        dropped.append(t("notice.unknown_value", f.lang, name=name, value=value))

    def parse_target(values: list[str]) -> date | None:
        try:
            return date.fromisoformat(values[-1].strip())
        except ValueError:
            note("target", values[-1])
            return None

    target = state.bound(st.date_input, "target", default=None, parse=parse_target,
                         serialise=lambda d: [d.isoformat()], label=t("whatif.target_input", f.lang), format="YYYY-MM-DD")

    params: dict[str, list[str]] = {}
    if target:
        params["target"] = [target.isoformat()]
    columns = st.columns(min(len(blocks), 4) or 1)
    for i, (bid, name) in enumerate(blocks.items()):
        key = f"{scenarios.PACE_PREFIX}{bid}"

        def parse_pace(values: list[str], bid: str = bid, key: str = key) -> str:
            if _pace_ok(bid, values[-1]):
                return values[-1]
            note(key, values[-1])
            return ""

        with columns[i % len(columns)]:
            text = state.bound(st.text_input, key, default="", parse=parse_pace, label=t("whatif.pace_input", f.lang, block=name),
                               placeholder="1.5 · 4/d", help=t("whatif.pace_help", f.lang))
        if text and text.strip():
            params[key] = [text.strip()]

    def multi(name: str, generated: dict[str, str], valid: Any, input_label: str) -> None:
        incoming = [v for v in state.link_page_params().get(name, [])]
        current = list(st.session_state.get(name) or [])
        options = list(dict.fromkeys([*generated, *[v for v in incoming if valid(v)], *current]))

        def parse(values: list[str]) -> list[str]:
            kept = []
            for v in values:
                if valid(v):
                    kept.append(v)
                elif v.strip():
                    note(name, v)
            return list(dict.fromkeys(kept))

        picked = state.bound(
            st.multiselect, name, default=[], options=options, multi=True, parse=parse, label=input_label,
            format_func=lambda v: generated.get(v, v), accept_new_options=True, placeholder=t("whatif.free_hint", f.lang),
        )
        if picked:
            params[name] = list(picked)

    moves = {
        f"{tid}:{bid}": t("whatif.move_option", f.lang, team=tname, block=bname, capacity=f"{choices.capacity.get(tid, 0):.2f}")
        for tid, tname in choices.teams.items() for bid, bname in blocks.items()
    }
    multi("move", moves, lambda v: scenarios.parse_move(v, list(blocks), list(teams)) is not None, t("whatif.move_input", f.lang))
    allowed = {"own": schema.OWNERSHIPS, "ptype": schema.PROPERTY_TYPES, "team": tuple(teams)}
    excludes = {f"own:{o}": t("whatif.exclude_option", f.lang, what=label("own", o, f.lang)) for o in schema.OWNERSHIPS}
    excludes |= {f"ptype:{p}": t("whatif.exclude_option", f.lang, what=label("ptype", p, f.lang)) for p in schema.PROPERTY_TYPES}
    multi("exclude", excludes, lambda v: scenarios.parse_exclude(v, allowed) is not None, t("whatif.exclude_input", f.lang))
    multi("holdout", {}, lambda v: scenarios.parse_holdout(v, list(blocks)) is not None, t("whatif.holdout_input", f.lang))

    scenario, rejected = _link_scenario(choices, params)
    return scenario, dropped, [f"{n}={v}" for n, v in rejected]


def lever_count(scenario: scenarios.Scenario) -> int:
    """How many levers are set (the folded panel's title says it)."""
    return len(scenario.paces) + len(scenario.moves) + len(scenario.excludes) + len(scenario.holdouts) + bool(scenario.target)


def saved_params(f: Filters, scenario: scenarios.Scenario) -> str:
    """The query string a saved scenario keeps: its levers and the view's scope (the as-of day is stored apart)."""
    scope = {k: v for k, v in state.to_params(f, state.choices()).items() if k in ("block", "team", "ptype", "own")}
    return state.query_string({**scope, **scenarios.to_params(scenario)})
