"""The shell every page runs in: page config, language, filters sidebar, navigation, banner, share box.

``app.py`` calls :func:`run` on every script run; the page itself runs inside
it (``st.navigation(...).run()``), so the URL is parsed and the filters bound
before any page code renders.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st

from lib import i18n
from lib.i18n import label, t
from lib.web import auth, state, ui, views

ROOT = Path(__file__).resolve().parents[2]
# A local favicon: a ":material/…:" page icon makes the browser fetch it from a Google font host.
FAVICON = ROOT / "static" / "favicon.png"
#: Pages no sidebar filter changes (url paths): the sidebar shows the language only.
FILTERLESS_PAGES = frozenset({"data"})
PAGES_DIR = ROOT / "pages"


def registered_pages(lang: str, *, empty: bool = False, landing: str = "overview") -> list:
    """Every page, titled in the session's language (url paths per docs/design.md).

    An empty database has only the data page, so an editor can load a ledger.
    ``/`` forwards to ``landing`` (the wall screen's first page in screen mode).
    """
    data = st.Page("pages/data.py", title=t("nav.data", lang), icon=":material/upload_file:", url_path="data")
    pages = [data] if empty else [
        st.Page("pages/command.py", title=t("nav.command", lang), icon=":material/monitor:", url_path="command"),
        st.Page("pages/overview.py", title=t("nav.overview", lang), icon=":material/dashboard:", url_path="overview"),
        st.Page("pages/map.py", title=t("nav.map", lang), icon=":material/map:", url_path="map"),
        st.Page("pages/progress.py", title=t("nav.progress", lang), icon=":material/show_chart:", url_path="progress"),
        st.Page("pages/teams.py", title=t("nav.teams", lang), icon=":material/leaderboard:", url_path="teams"),
        st.Page("pages/brief.py", title=t("nav.brief", lang), icon=":material/summarize:", url_path="brief"),
        st.Page("pages/whatif.py", title=t("nav.whatif", lang), icon=":material/science:", url_path="whatif"),
        data,
    ]
    # Streamlit serves the default page at "/" only; a hidden home page shows
    # the landing page there (in this same run: a switch_page would run the
    # script twice), so every page, the overview included, has its own path too.
    target = "data" if empty else landing

    def show_landing() -> None:
        runpy.run_path(str(PAGES_DIR / f"{target}.py"), run_name="__main__")

    home = st.Page(show_landing, title=t("app.title", lang), url_path="home", default=True, visibility="hidden")
    st.session_state["_state_page_paths"] = [p.url_path for p in pages]
    return [home, *pages]


def _stop_with(message: str, lang: str, kind: str = "info") -> None:
    getattr(st, kind)(message)
    st.navigation(registered_pages(lang), position="hidden")
    st.stop()


def run() -> None:
    """One run of the board: the shell, then the page the URL names."""
    st.set_page_config(page_title="攻坚看板 · Campaign Board", page_icon=str(FAVICON), layout="wide")
    views.serve_vendor_assets(str(ROOT))
    # Before the sidebar exists, the language comes from the session or the link.
    auth.announce_token()  # once per server process, with nothing configured
    auth.accept_url_token()  # ?token=… logs in, then leaves the URL before anything reads or shares it
    early_lang = st.session_state.get("lang") or st.query_params.get("lang", "zh")
    early_lang = early_lang if early_lang in ("zh", "en") else "zh"
    i18n.set_lang(early_lang)
    try:
        board = views.open_board()
    except views.BoardUnavailable as exc:  # unreachable or broken database: say so, never a traceback
        _stop_with(t("error.database", early_lang, error=str(exc)), early_lang, "error")
    campaign = board.campaign
    empty = campaign.is_empty
    if empty:  # say how to load data; only the data page is there to do it
        st.header(t("empty.title", early_lang))
        st.info(t("empty.body", early_lang, url=board.shown_url))
    choices = state.choices_of(campaign.block_names, campaign.team_names, campaign.first_day, campaign.last_data_day,
                               campaign.team_blocks)
    _, dropped = state.begin_run(choices)
    i18n.set_lang(str(st.session_state.get("lang") or "zh"))
    mode = state.shell()

    with st.sidebar:
        st.segmented_control(t("filter.lang"), ["zh", "en"], key="lang", format_func=lambda v: "中文" if v == "zh" else "English")
        lang = st.session_state.get("lang") or "zh"
        i18n.set_lang(lang)
    # "/" shows the wall's first page in screen mode (the playlist's, or the command canvas), else the overview.
    landing = (mode["rotate"].first_page() if mode["rotate"] else "command") if mode["screen"] else "overview"
    pages = registered_pages(lang, empty=empty, landing=landing)
    nav = st.navigation(pages, position="hidden" if mode["screen"] else "sidebar")
    # "/" shows the landing page: rotation and links name that page.
    shown_path = ("data" if empty else landing) if nav.url_path in ("", "home") else nav.url_path  # the default page's path is ""
    with st.sidebar:
        if shown_path in FILTERLESS_PAGES:  # nothing there reads them: keep them for the next page, show none
            kept = state.keep_filters()
            asof, blocks, teams = kept.asof, list(kept.blocks), list(kept.teams)
            ptypes, owns = list(kept.ptypes), list(kept.ownerships)
        else:
            st.subheader(t("filter.header"))
            asof = st.date_input(t("filter.asof"), key="asof", min_value=choices.first_day, max_value=choices.last_day)
            blocks = st.multiselect(t("filter.blocks"), list(choices.blocks), key="block",
                                    format_func=lambda v: choices.blocks.get(v, v), placeholder=t("filter.all"))
            # Only the chosen blocks' teams; a team of another block leaves the filter with its block.
            team_choices = choices.teams_in(blocks)
            outside = [v for v in st.session_state.get("team") or [] if v not in team_choices]
            if outside:
                st.session_state["team"] = [v for v in st.session_state["team"] if v in team_choices]
                dropped = [*dropped, *(t("notice.team_outside_blocks", value=choices.teams.get(v, v)) for v in outside)]
            teams = st.multiselect(t("filter.teams"), list(team_choices), key="team",
                                   format_func=lambda v: choices.teams.get(v, v), placeholder=t("filter.all"))
            ptypes = st.multiselect(t("filter.ptypes"), list(choices.ptypes), key="ptype",
                                    format_func=lambda v: label("ptype", v), placeholder=t("filter.all"))
            owns = st.multiselect(t("filter.ownerships"), list(choices.ownerships), key="own",
                                  format_func=lambda v: label("own", v), placeholder=t("filter.all"))
        share_slot = st.empty()

    filters = state.Filters(
        asof=asof or choices.last_day, blocks=tuple(blocks), teams=tuple(teams), ptypes=tuple(ptypes),
        ownerships=tuple(owns), lang=lang, screen=mode["screen"], rotate=mode["rotate"], refresh=mode["refresh"],
    )

    state.set_filters(filters)
    ui.inject_css(filters.screen)
    ui.notices(dropped, filters.screen)
    day = views.day_number(filters)
    fresh, fresh_problem = views.board_freshness()
    head, clock_slot = st.columns([5, 1]) if filters.screen else (st.container(), None)
    if not empty:
        with head:
            ui.banner(t("app.title"), t("banner.asof", asof=filters.asof.isoformat(), day=day), ui.freshness_text(fresh, lang),
                      alert=ui.stale_text(fresh, lang))
        if fresh_problem:
            ui.desk_notice(t("fresh.config_error", error=fresh_problem), filters.screen, "warning")
    if clock_slot is not None:
        with clock_slot:
            ui.clock(lang)

    if filters.screen and filters.rotate:
        ui.rotate_pages(pages, shown_path, filters.rotate, {**state.link_page_params(), **state.filter_params()},
                        views.paging_seconds(filters, shown_path))
    if filters.refresh:
        ui.refresh_data(filters.refresh, lambda: views.data_version_now(board.url), campaign.data_version)
    try:
        nav.run()
    except ui.PageEnded:  # the page ended early (an empty scope, the TV leaderboard): the shell still finishes
        pass
    finally:
        auth.sync_cookie()  # a login or logout of this run keeps (or ends) the editor session across reloads
        # After the page ran, the link holds its options too.
        with share_slot.container():
            base = state.page_link_base(st.context.url, shown_path)
            ui.share_box(state.share_url(base), state.share_url(base, freeze=True), lang)
        # Only now are the page's own options known: say what the link brought that nothing reads
        # (not on a rotating wall screen, which carries every page's options and has no reader).
        if not (filters.screen and filters.rotate):
            ui.toast_notices([t("notice.unknown_param", name=name) for name in state.unread_params()])
