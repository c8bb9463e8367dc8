"""数据 Data: import the daily ledger (validate before writing), history with undo, export. Editors only.

Every action (login, confirm, undo …) is a button callback: it runs before the
next script run, so the whole app — sidebar, banner, every page — is drawn
from the data as it is after the action, and its message survives the run.
"""

import streamlit as st

from lib.i18n import t
from lib.web import auth, data_page, login, state, ui, views

f = state.filters()
lang = f.lang
ss = st.session_state

if f.screen:  # the big screen is public: no data page there, whoever is logged in
    st.subheader(t("data.screen", lang))  # plain text: alert boxes are unreadable on the dark screen theme
    ui.end_page()


def _flash(kind_message: tuple[str, str] | None) -> None:
    ss["data-flash"] = kind_message


def _reset_upload() -> None:
    ss["data-preview"] = None
    ss["data-upload-gen"] = ss.get("data-upload-gen", 0) + 1


def _confirm(accept_key: str | None) -> None:
    preview = ss.get("data-preview")
    if preview is None or not auth.is_editor():  # a callback checks the role again: it runs before the gate
        return
    who = auth.editor_name()
    accepted = bool(ss.get(accept_key)) if accept_key else True
    with st.spinner(t("data.applying", lang)):
        _flash(data_page.apply_preview(preview, data_page.engine(), who=who, accepted=accepted, lang=lang))
    if ss["data-flash"][0] != "error":
        _reset_upload()


def _undo(batch_id: int) -> None:
    if not auth.is_editor():
        return
    ss.pop("data-undo", None)
    _flash(data_page.undo(data_page.engine(), batch_id, lang))
    ss["data-preview"] = None  # a preview made before the undo compares against data that is gone


st.subheader(t("data.title", lang))
login.editor_gate(lang)  # a viewer gets the login form and nothing below it

engine = data_page.engine()
campaign = views.load_campaign()
if flash := ss.pop("data-flash", None):
    getattr(st, flash[0])(data_page.md_escape(flash[1]))  # messages may quote ledger cells

# --- import -----------------------------------------------------------------
st.markdown(f"#### {t('data.import.header', lang)}")
limit_mb = data_page.upload_limit_mb(st.get_option("server.maxUploadSize"), data_page.configured_limit_mb())
files = st.file_uploader(
    t("data.upload", lang), type=list(data_page.UPLOAD_TYPES), accept_multiple_files=True,
    max_upload_size=limit_mb, key=f"data-upload-{ss.setdefault('data-upload-gen', 0)}",
)
st.caption(t("data.upload_help", lang, mb=limit_mb))
st.caption(t("data.first_ledger", lang))
asof_slot = st.container()

preview: data_page.Preview | None = ss.get("data-preview")
as_of = ss.get("data-asof")
sig = (*data_page.signature(files or []), as_of)
if not files:
    preview = ss["data-preview"] = None
    ss.pop("data-asof", None)
elif preview is None or preview.signature != sig:
    bar = st.progress(0.0, text=t("data.validating", lang))

    def _progress(fraction: float, name: str) -> None:
        bar.progress(min(fraction, 1.0), text=t("data.reading", lang, name=name) if name else t("data.validating", lang))

    uploads = [data_page.Upload(u.name, u.getvalue()) for u in files]
    preview = ss["data-preview"] = data_page.prepare(uploads, campaign, engine, max_bytes=limit_mb * 1024 * 1024,
                                                     sig=sig, progress=_progress, as_of=as_of)
    bar.empty()
if files and (as_of is not None or data_page.needs_as_of(preview)):
    asof_slot.date_input(t("data.asof_field", lang), value=None, key="data-asof", width=360,
                         help=t("data.asof_field_help", lang), format="YYYY-MM-DD")

if preview is not None:
    verdict = data_page.verdict(preview)
    report = preview.report
    if report is not None:
        st.caption(data_page.md_escape(data_page.file_line(report, lang)))
        rows_col, err_col, warn_col = st.columns(3)
        rows_col.metric(t("data.metric.rows", lang), report.rows)
        err_col.metric(t("data.metric.errors", lang), len(report.errors))
        warn_col.metric(t("data.metric.warnings", lang), len(report.warnings))
        st.markdown(f"**{t('data.changes', lang)}** {data_page.md_escape(data_page.change_text(report, lang))}")
        for line in data_page.note_lines(report, lang):
            st.caption("· " + data_page.md_escape(line))
        if report.problems:
            table = data_page.problems_table(report, lang)
            st.dataframe(table, hide_index=True, key="data-problems", height=min(38 + 35 * len(table), 420),
                         column_config={c: st.column_config.Column(width=w)
                                        for c, w in zip(table.columns, data_page.PROBLEM_WIDTHS, strict=True)})
    alert = {"refused": st.error, "errors": st.error, "already": st.info, "nothing": st.info,
             "warnings": st.warning, "ready": st.success}[verdict.kind]
    alert(data_page.md_escape(data_page.verdict_text(preview, lang)))  # may quote a file name
    accept_key = f"data-accept-{report.sha256[:16]}" if verdict.needs_accept and report is not None else None
    accepted = st.checkbox(t("data.accept", lang, n=verdict.count), key=accept_key) if accept_key else True
    buttons = st.container(horizontal=True)
    buttons.button(t("data.confirm", lang), key="data-confirm", type="primary", icon=":material/check:",
                  disabled=not (verdict.can_apply and accepted), on_click=_confirm, args=(accept_key,))
    buttons.button(t("data.discard", lang), key="data-discard", on_click=_reset_upload)
    if not (verdict.can_apply and accepted):
        st.caption(t("data.nothing_written", lang))

# --- history ------------------------------------------------------------------
st.markdown(f"#### {t('data.history.header', lang)}")
batches = data_page.history(engine)
if batches.empty:
    ui.empty_state(t("data.history.empty", lang))
else:
    st.dataframe(data_page.history_table(batches, lang), hide_index=True, key="data-history",
                 height=min(38 + 35 * len(batches), 320))
    target = data_page.undoable(batches)
    if target is None:
        st.caption(t("data.undo_none", lang))
    elif ss.get("data-undo") != target["batch_id"]:
        st.button(t("data.undo", lang, batch=target["batch_id"]), key="data-undo-ask", icon="↩️",
                  help=t("data.undo_help", lang), on_click=ss.__setitem__, args=("data-undo", target["batch_id"]))
    else:
        st.warning(t("data.undo_confirm", lang, batch=target["batch_id"], file=data_page.md_escape(target["file_name"]),
                     summary=data_page.md_escape(data_page.summary_text(target["summary"], lang))), icon="↩️")
        buttons = st.container(horizontal=True)
        buttons.button(t("data.undo_yes", lang), key="data-undo-yes", type="primary", on_click=_undo,
                       args=(int(target["batch_id"]),))
        buttons.button(t("data.undo_no", lang), key="data-undo-no", on_click=ss.pop, args=("data-undo", None))

# --- export -------------------------------------------------------------------
st.markdown(f"#### {t('data.export.header', lang)}")
downloads = st.container(horizontal=True)
downloads.download_button(
    t("data.export.ledger", lang), key="data-export", icon=":material/download:", on_click="ignore",
    data=lambda: data_page.ledger_xlsx(campaign),
    file_name=data_page.export_file_name("ledger", campaign.last_data_day, lang),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
downloads.download_button(
    t("data.export.template", lang), key="data-template", icon=":material/description:", on_click="ignore",
    data=lambda: data_page.template_xlsx(campaign),
    file_name=data_page.export_file_name("template", None, lang),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
st.caption(t("data.export.help", lang))

# --- audit trail ----------------------------------------------------------------
login.audit_section(engine, lang)
