"""日报 Daily brief: the day's one page for the WeChat group, as a picture, a PDF and the 成绩单."""

import streamlit as st

from lib.i18n import t
from lib.web import state, ui, views

f = state.filters()
scoring, scoring_error = views.scoring()
if scoring_error:
    st.warning(t("teams.scoring_error", f.lang, error=scoring_error), icon=":material/warning:")
key = views.brief_key(f, scoring)
brief = views.brief_view(*key)
if brief.is_empty:
    ui.empty_state(t("empty.scope", f.lang))
    ui.end_page()

try:
    png = views.brief_file(*key, f.lang, "png")
except views.FontMissing as exc:
    st.error(t("brief.font_missing", f.lang, error=str(exc)), icon=":material/error:")
    ui.end_page()

st.subheader(t("nav.brief", f.lang))
downloads = st.container(horizontal=True)
for ext, icon in (("png", ":material/image:"), ("pdf", ":material/picture_as_pdf:"), ("xlsx", ":material/table_view:")):
    downloads.download_button(
        t(f"brief.download_{ext}", f.lang), key=f"brief-{ext}", icon=icon, on_click="ignore",
        data=lambda ext=ext: views.brief_file(*key, f.lang, ext),  # made on click: the preview already fetched the PNG
        file_name=views.brief_file_name(f.asof, ext, f.lang), mime=views.BRIEF_MIME[ext],
    )
st.caption(t("brief.help", f.lang))

preview, notes = st.columns([1, 1], gap="large")
with preview:
    st.image(png, width="stretch", caption=views.brief_file_name(f.asof, "png", f.lang))
with notes:
    st.markdown(f"**{t('brief.text', f.lang)}**")
    st.code(views.brief_text(brief, f.lang), language=None, wrap_lines=True)
    st.caption(t("brief.schedule", f.lang))
