"""工作组排行 Team leaderboard: 亮成绩 — every team's score for the day, laggards, drill-down, 成绩单."""

import streamlit as st

from lib.figures import scoresheet, teams
from lib.i18n import t
from lib.web import auth, state, ui, views
from lib.web.escape import md_escape

f = state.filters()
scoring, scoring_error = views.scoring()
if scoring_error:
    ui.desk_notice(t("teams.scoring_error", f.lang, error=scoring_error), f.screen, "warning")

view = views.team_view(f, scoring)
board, names = view.board, view.names
if board.empty:
    ui.empty_state(t("teams.empty", f.lang))
    ui.end_page()

rules = teams.scoring_rule_lines(scoring, f.lang)
show_score = not scoring.is_sealing_rate

if f.screen:
    ui.banner(t("teams.title", f.lang), teams.team_summary(board, f.lang))
    left, right = st.columns([3.1, 1], gap="medium")
    left.html(teams.team_leaderboard_html(board, f.lang, screen=True, show_score=show_score))
    right.html(teams.team_pinned_html(board, f.lang))
    st.caption(" ".join(rules[:3]))
    ui.end_page()

st.subheader(t("teams.title", f.lang))
st.caption(teams.team_summary(board, f.lang))
# A row is a link to its team's drill-down below (the link keeps every filter).
# A long board (a 100 k city has 1,400 teams) opens on its top and bottom; the middle on request.
ends = ui.board_ends(len(board), f.lang)
st.html(teams.team_leaderboard_html(board, f.lang, show_score=show_score, focus_query=state.link_query(f), ends=ends))
with st.expander(t("teams.rule_title", f.lang), expanded=True):
    st.markdown("\n".join(f"- {line}" for line in [*rules, t("teams.rule_config", f.lang)]))

day_n = views.day_number(f)
downloads = st.container(horizontal=True)
downloads.download_button(
    t("teams.export_xlsx", f.lang), key="teams-xlsx", icon=":material/download:", on_click="ignore",
    data=lambda: scoresheet.scoresheet_xlsx(board, f.asof, day_n, scoring=scoring, lang=f.lang),
    file_name=scoresheet.file_name(f.asof, "xlsx", f.lang),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
downloads.download_button(
    t("teams.export_csv", f.lang), key="teams-csv", icon=":material/description:", on_click="ignore",
    data=lambda: scoresheet.scoresheet_csv(board, lang=f.lang),
    file_name=scoresheet.file_name(f.asof, "csv", f.lang), mime="text/csv",
)

st.subheader(t("teams.focus", f.lang))
focus = state.bound(
    st.selectbox, "focus", default=None, options=list(names), format_func=names.get,
    label=t("teams.focus", f.lang), label_visibility="collapsed", placeholder=t("teams.focus_placeholder", f.lang),
)
if focus:
    remaining = views.team_remaining(f, focus)
    row = view.row(focus)
    if remaining.empty:
        st.success(t("teams.remaining_none", f.lang, team=md_escape(names[focus]), n=row.assigned) + " " + teams.team_status(row, f.lang)[0])
    else:
        st.markdown(f"**{t('teams.remaining', f.lang, team=md_escape(names[focus]), n=len(remaining))}**")
        st.html(teams.team_remaining_html(remaining, f.lang, show_names=auth.may_see_names(f.screen)))
        st.caption(t("teams.waiting_help", f.lang))
    link = state.link_query(state.with_filters(f, teams=(focus,)))
    st.markdown(f"[{t('teams.to_map', f.lang)}](map?{link})")
