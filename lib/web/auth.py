"""The editor role in a Streamlit session: login (throttled, audited), the session cookie, who may see names.

Credentials, cookie signing and the throttle are pure (``lib.auth``); this
module keeps the session's side of it. The mode is the first configured of
OIDC (``st.login``), a password, or — with nothing configured — the one-time
token this server process printed on its console (:func:`announce_token`).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import secrets
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from lib import auth as core
from lib import store
from lib.auth import BadHash, configured_hash, fingerprint, verify_password

__all__ = [
    "BadHash", "LoginOutcome", "accept_url_token", "announce_token", "client_id", "editor_name", "is_editor",
    "login", "logout", "may_see_names", "mode", "record", "sync_cookie",
]

log = logging.getLogger(__name__)

_SESSION_KEY = "_auth_editor"  # fingerprint of the credential the session logged in with
_NAME_KEY = "_auth_name"
_COOKIE_KEY = "_auth_cookie"  # (value, max-age) for the browser, written on the next run
_OUT_KEY = "_auth_out"  # logged out in this session: ignore the cookie the browser still sends
_OIDC_SEEN_KEY = "_auth_oidc_seen"

#: This server process's editor token (used only when nothing is configured) and cookie key
#: (used only when ``[auth] cookie_secret`` is not set; sessions then end with the process).
_TOKEN = core.new_token()
_PROCESS_KEY = secrets.token_hex(32)
_announce_lock = threading.Lock()
_announced = False
#: The name a token login from a link (``?token=``) is recorded under.
URL_TOKEN_NAME = "operator"


@dataclass(frozen=True)
class LoginOutcome:
    """What a login attempt did: ``ok``; else ``wait_s`` until the next attempt is even checked."""

    ok: bool
    wait_s: float = 0.0
    throttled: bool = False


def _session() -> Any:
    return st.session_state


def _cookies() -> Any:
    try:
        return st.context.cookies
    except Exception:  # noqa: BLE001 — no browser connection (AppTest, bare mode)
        return {}


def _engine() -> Engine:
    return store.get_engine()


def _now() -> float:
    return time.time()


def mode() -> str:
    """``oidc``, ``password`` or ``token`` (nothing configured): how editors log in."""
    if core.oidc_configured(store.secrets()):
        return "oidc"
    return "password" if configured_hash() is not None else "token"


def _credential() -> str:
    """Fingerprint of what the session logs in against now (changing it logs every session out)."""
    stored = configured_hash()
    return fingerprint(stored) if stored is not None else fingerprint("token:" + _TOKEN)


def _cookie_key() -> str:
    return core.configured_cookie_secret() or _PROCESS_KEY


def announce_token() -> None:
    """Print and log the editor token once per server process (token mode only), like Jupyter.

    Printed when the first browser connects (Streamlit runs no app code before),
    with the server's own address.
    """
    global _announced
    with _announce_lock:
        if _announced or mode() != "token":
            return
        _announced = True
    host = st.get_option("server.address") or "localhost"
    prefix = (st.get_option("server.baseUrlPath") or "").strip("/")
    link = f"http://{host}:{st.get_option('server.port')}/{prefix + '/' if prefix else ''}data?token={_TOKEN}"
    message = (f"Editor token for this server process (no password is configured): {_TOKEN}\n"
               f"    open {link}  or enter the token on the data page.")
    print(message, file=sys.stderr, flush=True)
    log.warning("editor token issued for this server process: %s", _TOKEN)


def client_id() -> str:
    """Who is knocking, for throttling and the audit trail: the peer address.

    Behind a proxy on this machine (nginx in ``deploy/``) the peer is loopback,
    so the proxy's ``X-Real-IP`` is used; from any other peer the header is
    ignored (it could be forged).
    """
    try:
        peer = st.context.ip_address
        real_ip = st.context.headers.get("X-Real-IP")
    except Exception:  # noqa: BLE001 — no browser connection (bare mode)
        return "local"
    peer = peer if isinstance(peer, str) and peer else "127.0.0.1"  # None: the browser is on this machine
    try:
        loopback = ipaddress.ip_address(peer).is_loopback
    except ValueError:
        loopback = False
    forwarded = real_ip.strip() if loopback and isinstance(real_ip, str) else ""
    return (forwarded or peer)[:64]


def record(action: str, *, who: str | None = None, detail: str = "", engine: Engine | None = None) -> None:
    """Write one audit event for this session (a failure to write is logged, never shown to the user).

    Args:
        action: one of :data:`lib.schema.AUDIT_ACTIONS`.
        who: the person (default: this session's editor).
        detail: what was done (batch, file).
        engine: the database (default: the configured one).
    """
    try:
        store.record_event(engine or _engine(), action, who=editor_name() if who is None else who, client=client_id(),
                           detail=detail)
    except Exception:
        log.exception("could not write the audit event %s", action)


def _epoch(at: datetime) -> float:
    return at.replace(tzinfo=UTC).timestamp()


def _wait_s(client: str, now: float) -> float:
    since = datetime.fromtimestamp(now - core.THROTTLE.window_s, UTC).replace(tzinfo=None)
    failures = store.failed_logins(_engine(), since)
    mine = [_epoch(at) for who, at in failures if who == client]
    return core.THROTTLE.wait_s(mine, [_epoch(at) for _, at in failures], now)


def is_editor() -> bool:
    """True when this session may see the data page and unmasked owner names.

    A login in this session (or a valid session cookie) against the credential
    configured now; with OIDC, an account the provider logged in that may edit.
    """
    if mode() == "oidc":
        return _oidc_editor()
    session = _session()
    credential = _credential()
    if session.get(_SESSION_KEY) == credential:
        return True
    if session.get(_OUT_KEY):
        return False
    name = core.read_session(_cookies().get(core.COOKIE_NAME), credential, _cookie_key(), now=_now())
    if name is None:
        return False
    session[_SESSION_KEY] = credential
    session[_NAME_KEY] = name
    return True


def _oidc_editor() -> bool:
    user = st.user
    if not user.is_logged_in:
        return False
    email = str(user.get("email") or "")
    ok = core.oidc_may_edit(email, store.secrets())
    session = _session()
    if not session.get(_OIDC_SEEN_KEY):
        session[_OIDC_SEEN_KEY] = True
        record("login" if ok else "login_failed", who=email, detail="oidc" if ok else "oidc: not an editor")
    return ok


def may_see_names(screen: bool) -> bool:
    """True when owner names may be shown unmasked: a logged-in editor, never on the big screen."""
    return not screen and is_editor()


def login(name: str, secret: str) -> LoginOutcome:
    """Check the password (or token); on success this session is an editor named ``name``.

    Throttled per client and globally (:data:`lib.auth.THROTTLE`): while a
    wait is due the secret is not even checked. Every failure is logged and
    recorded in the audit trail, as is every success.

    Raises:
        BadHash: the configured hash is malformed (nobody can log in until it is fixed).
    """
    client, now, how = client_id(), _now(), mode()
    wait = _wait_s(client, now)
    if wait > 0:
        log.warning("login by %r from %s refused: throttled for %.0f s more", name, client, wait)
        return LoginOutcome(False, wait, throttled=True)
    stored = configured_hash()
    ok = verify_password(secret, stored) if stored is not None else core.check_token(secret, _TOKEN)
    if not ok:
        log.warning("failed editor login by %r from %s (%s)", name, client, how)
        record("login_failed", who=name, detail=how)
        return LoginOutcome(False, _wait_s(client, _now()))
    session = _session()
    credential = _credential()
    session[_SESSION_KEY] = credential
    session[_NAME_KEY] = name.strip()
    session.pop(_OUT_KEY, None)
    session[_COOKIE_KEY] = (core.sign_session(name.strip(), credential, _cookie_key(), now=now),
                            int(core.SESSION_HOURS * 3600))
    log.info("editor login by %r from %s (%s)", name, client, how)
    record("login", who=name, detail=how)
    return LoginOutcome(True)


def accept_url_token() -> None:
    """A link carrying ``?token=``: try it as the editor token, then take it out of the URL.

    Call before the URL is read for filters, so the token never reaches a share link.
    """
    if "token" not in st.query_params:
        return
    given = st.query_params.get("token", "")
    del st.query_params["token"]
    if mode() == "token" and not is_editor():
        login(URL_TOKEN_NAME, given)


def logout() -> None:
    """End this session's editor role (and forget the browser's session cookie)."""
    if mode() == "oidc":
        st.logout()
        return
    record("logout")
    session = _session()
    session.pop(_SESSION_KEY, None)
    session.pop(_NAME_KEY, None)
    session[_OUT_KEY] = True
    session[_COOKIE_KEY] = ("", 0)


def editor_name() -> str:
    """The name given at login, or the OIDC account's name ("" for a viewer)."""
    if mode() == "oidc":
        user = st.user
        return str(user.get("name") or user.get("email") or "") if user.is_logged_in else ""
    return str(_session().get(_NAME_KEY, "") or "")


def sync_cookie() -> None:
    """Write the session cookie a login or logout of this run asked for (a script in this page)."""
    pending = _session().pop(_COOKIE_KEY, None)
    if pending is None:
        return
    value, max_age = pending
    secure = "; Secure" if str(getattr(st.context, "url", "") or "").startswith("https:") else ""
    cookie = f"{core.COOKIE_NAME}={value}; Max-Age={max_age}; Path=/; SameSite=Strict{secure}"
    st.html(f"<script>document.cookie = {json.dumps(cookie)};</script>", unsafe_allow_javascript=True)

