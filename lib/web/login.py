"""The editor gate of the data page: the login form (password or console token), OIDC, the audit trail.

Kept apart from ``pages/data.py`` so the page only calls :func:`editor_gate`
at its top and :func:`audit_section` at its foot.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from lib import store
from lib.i18n import t
from lib.web import auth, data_page, ui
from lib.web.escape import md_escape

#: How many audit events the data page shows.
AUDIT_ROWS = 200


def _login() -> None:
    ss = st.session_state
    ss["data-login-error"] = data_page.login_error(ss.get("data-login-name", ""), ss.get("data-login-password", ""),
                                                   ss.get("lang") or "zh")


def editor_gate(lang: str) -> None:
    """Stop the page here for anyone who is not an editor, after showing how to become one.

    Editors see who they are logged in as and a logout button.
    """
    if auth.is_editor():
        who_col, out_col = st.columns([4, 1], vertical_alignment="center")
        who_col.caption(t("data.logged_in", lang, name=md_escape(auth.editor_name())))
        out_col.button(t("data.logout", lang), key="data-logout", icon=":material/logout:", on_click=auth.logout)
        return
    st.markdown(f"**{t('data.login.header', lang)}**")
    how = auth.mode()
    if how == "oidc":
        st.caption(t("auth.oidc.body", lang))
        if st.user.is_logged_in:
            st.error(t("auth.oidc.not_editor", lang, email=md_escape(st.user.get("email") or "")))
            st.button(t("data.logout", lang), key="data-logout", on_click=st.logout)
        else:
            st.button(t("auth.oidc.button", lang), key="data-oidc", type="primary", icon=":material/login:",
                      on_click=st.login)
        ui.end_page()
    st.caption(t("auth.token.body" if how == "token" else "data.login.body", lang))
    with st.form("data-login", clear_on_submit=True, width=420):
        st.text_input(t("data.login.name", lang), key="data-login-name", help=t("data.login.name_help", lang))
        secret_label = t("auth.token.label" if how == "token" else "data.login.password", lang)
        st.text_input(secret_label, type="password", key="data-login-password")
        st.form_submit_button(t("data.login.submit", lang), type="primary", on_click=_login)
    if st.session_state.get("data-login-error"):
        st.error(md_escape(st.session_state["data-login-error"]))
    ui.end_page()


def audit_table(events: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The audit trail for display: translated headers and actions, newest first."""
    return pd.DataFrame({
        t("auth.audit.col.when", lang): events["at"].map(lambda v: pd.Timestamp(v).strftime("%Y-%m-%d %H:%M:%S")),
        t("auth.audit.col.action", lang): events["action"].map(lambda a: t(f"auth.action.{a}", lang)).astype(object),
        t("auth.audit.col.who", lang): events["who"].astype(object),
        t("auth.audit.col.client", lang): events["client"].astype(object),
        t("auth.audit.col.detail", lang): events["detail"].astype(object),
    }).reset_index(drop=True)


def audit_section(engine: Engine, lang: str) -> None:
    """The audit trail (logins, failed logins, imports, undos) for editors."""
    st.markdown(f"#### {t('auth.audit.header', lang)}")
    events = store.list_events(engine, AUDIT_ROWS)
    if events.empty:
        st.info(t("auth.audit.empty", lang), icon="ℹ️")
        return
    st.dataframe(audit_table(events, lang), hide_index=True, key="data-audit", height=min(38 + 35 * len(events), 320))
