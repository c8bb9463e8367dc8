"""推演 What-if: change pace, move teams, exclude or hold out households; the scenario beside the baseline."""

from html import escape

import streamlit as st

from lib.figures import whatif
from lib.i18n import t
from lib.web import auth, state, ui, views
from lib.web import whatif as levers

f = state.filters()
choices = views.whatif_choices(f)
if not choices.blocks:
    ui.empty_state(t("empty.scope", f.lang))
    ui.end_page()

# Answers first (a phone shows them before the folded levers); the levers follow.
answers = st.container()
with answers:
    if not f.screen:
        st.subheader(t("whatif.title", f.lang))
        st.caption(t("whatif.intro", f.lang))
    stage = state.bound(
        st.segmented_control, "stage", default="sealed", options=["sealed", "signed"], label=t("whatif.stage", f.lang),
        format_func=lambda v: t(f"whatif.stage.{v}", f.lang), label_visibility="collapsed",
    ) or "sealed"
if f.screen:
    scenario, dropped = levers.read_only(choices)
    rejected: list[str] = []
else:
    with st.expander(t("whatif.levers", f.lang), expanded=False, icon=":material/tune:"):
        scenario, dropped, rejected = levers.levers(f, choices)
ui.notices(dropped)
if rejected:
    st.warning(t("whatif.bad_lever", f.lang, items=t("whatif.sep", f.lang).join(rejected)), icon=":material/warning:")

view = views.whatif_view(f, scenario)
ignored = [t(f"whatif.ignored.{why}", f.lang, lever=lever) for lever, why in view.scenario.ignored]
backtest = bool(not view.later.empty) and not f.screen and bool(state.bound(
    st.toggle, "backtest", default=False, label=t("whatif.backtest", f.lang), help=t("whatif.backtest_help", f.lang),
    parse=levers.parse_flag, serialise=lambda on: ["1"],
))
lines = whatif.lever_lines(scenario, blocks=choices.blocks, teams=state.choices().teams, lang=f.lang)

with answers:
    ui.kpi_tiles(whatif.headline_tiles(view.baseline.table, view.scenario.table, stage, f.asof, f.lang))
    st.html(
        f'<div class="cb-whatif-levers" style="font-size:{ui.sizes(f.screen)["table_px"]}px"><b>{escape(t("whatif.summary", f.lang))}</b>'
        f'{escape(t("whatif.sep", f.lang).join(lines) if lines else t("whatif.no_levers", f.lang))}</div>'
    )
    if ignored:
        st.warning(t("whatif.sep", f.lang).join(ignored), icon=":material/info:")
    st.html(views.whatif_answers_html(f, scenario, stage, backtest))

charts = views.whatif_figures(f, scenario, stage, backtest)
ui.chart_grid(charts, f.lang, screen=f.screen, first=views.chart_limit(f.screen))

if f.screen:
    ui.end_page()

# Saved scenarios: editors save; everyone opens. A saved one opened after new imports says so.


def _save(params: str, filters: state.Filters) -> None:
    name = str(st.session_state.get("whatif-save-name") or "").strip()
    if not name:
        st.session_state["whatif-saved"] = ("error", t("whatif.save_noname", filters.lang))
        return
    try:
        views.save_scenario(name, params, filters, auth.editor_name())
    except ValueError as exc:
        st.session_state["whatif-saved"] = ("error", str(exc))
        return
    st.session_state["whatif-saved"] = ("success", t("whatif.saved_ok", filters.lang, name=name))


saved = views.saved_scenarios()
opened = levers.saved_id()
now = views.data_version()
base = state.page_link_base(st.context.url, "whatif")
if opened is not None and opened in set(saved["scenario_id"]):
    row = saved[saved["scenario_id"] == opened].iloc[0]
    if int(row["data_version"]) != now:
        st.warning(t("whatif.saved_stale", f.lang, then=int(row["data_version"]), now=now), icon=":material/update:")
        st.html(f'<a href="{escape(base)}?{escape(row["params"])}" target="_self">{escape(t("whatif.saved_rerun", f.lang))}</a>')
    else:
        st.info(t("whatif.saved_opened", f.lang, name=row["name"], asof=row["asof"].isoformat()), icon=":material/bookmark:")

with st.expander(t("whatif.saved", f.lang), expanded=opened is not None):
    if saved.empty:
        st.caption(t("whatif.saved_none", f.lang))
    items = []
    for row in saved.itertuples(index=False):
        link = f"{base}?asof={row.asof.isoformat()}&{row.params}&{levers.SAVED_PARAM}={row.scenario_id}"
        moved = (f' · <span style="color:#c62828">{escape(t("whatif.saved_moved", f.lang))}</span>'
                 f' <a href="{escape(base)}?{escape(row.params)}" target="_self">{escape(t("whatif.saved_rerun", f.lang))}</a>'
                 if int(row.data_version) != now else "")
        text = t("whatif.saved_row", f.lang, name=row.name, asof=row.asof.isoformat(), by=row.created_by or "—")
        items.append(f'<li><a href="{escape(link)}" target="_self">{escape(text)}</a>{moved}</li>')
    if items:
        st.html(f'<ul class="cb-saved">{"".join(items)}</ul>')
    if auth.is_editor():
        with st.form("whatif-save", clear_on_submit=True, border=False):
            st.text_input(t("whatif.save_name", f.lang), key="whatif-save-name", max_chars=200)
            # A callback runs before the rerun, so the click is never lost.
            st.form_submit_button(t("whatif.save", f.lang), icon=":material/bookmark_add:", on_click=_save,
                                  args=(levers.saved_params(f, scenario), f))
        flash = st.session_state.pop("whatif-saved", None)
        if flash:
            getattr(st, flash[0])(flash[1])
    else:
        st.caption(t("whatif.save_viewer", f.lang))

st.caption(t("whatif.method", f.lang))
