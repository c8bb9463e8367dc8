"""Editor sessions: the signed cookie, login throttling, the audit trail of logins, OIDC editors."""

from __future__ import annotations

from datetime import UTC

import pytest

from lib import auth, store
from lib.web import auth as web_auth

KEY = "k" * 32
CRED = auth.fingerprint("scrypt$…")


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch, tmp_path) -> dict:
    """A session dict, a browser cookie jar, a clock and a fresh audit database; nothing configured."""
    state: dict = {"cookies": {}, "now": 1_700_000_000.0}
    engine = store.get_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    store.init_db(engine)
    state["engine"] = engine
    session_state: dict = {}
    state["session"] = session_state
    monkeypatch.setattr(web_auth, "_session", lambda: session_state)
    monkeypatch.setattr(web_auth, "_cookies", lambda: state["cookies"])
    monkeypatch.setattr(web_auth, "_engine", lambda: engine)
    monkeypatch.setattr(web_auth, "_now", lambda: state["now"])
    monkeypatch.setattr(web_auth, "client_id", lambda: state.get("client", "10.0.0.7"))
    monkeypatch.setattr(store.audit, "utc_now", lambda: _utc(state["now"]))
    monkeypatch.delenv(auth.ENV_VAR, raising=False)
    monkeypatch.delenv(auth.COOKIE_SECRET_ENV, raising=False)
    monkeypatch.setattr("lib.store.secrets", dict)
    return state


def _utc(epoch: float):
    from datetime import datetime

    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


# ------------------------------------------------------------------ cookie


def test_a_signed_session_names_its_editor_until_it_expires():
    cookie = auth.sign_session("林建", CRED, KEY, now=1000.0, hours=1)
    assert auth.read_session(cookie, CRED, KEY, now=1000.0 + 3599) == "林建"
    assert auth.read_session(cookie, CRED, KEY, now=1000.0 + 3600) is None


def test_a_forged_or_stale_cookie_names_nobody():
    cookie = auth.sign_session("林建", CRED, KEY, now=1000.0)
    body, mac = cookie.split(".")
    forged = auth.sign_session("王芳", CRED, "other key", now=1000.0).split(".")[0] + "." + mac
    assert auth.read_session(forged, CRED, KEY, now=1001.0) is None
    assert auth.read_session(cookie, CRED, "other key", now=1001.0) is None
    assert auth.read_session(cookie, auth.fingerprint("new password"), KEY, now=1001.0) is None
    for junk in (None, "", "abc", "a.b.c", body + ".", "." + mac):
        assert auth.read_session(junk, CRED, KEY, now=1001.0) is None


def test_a_reload_keeps_the_editor_through_the_cookie(session):
    assert web_auth.login("林建", web_auth._TOKEN).ok
    value, max_age = session["session"].pop("_auth_cookie")
    assert max_age == auth.SESSION_HOURS * 3600
    session["session"].clear()  # a reload is a new Streamlit session …
    session["cookies"] = {auth.COOKIE_NAME: value}  # … whose browser sends the cookie
    assert web_auth.is_editor() and web_auth.editor_name() == "林建"
    session["session"].clear()
    session["now"] += auth.SESSION_HOURS * 3600
    assert not web_auth.is_editor()  # expired


def test_logout_ends_the_session_even_while_the_browser_still_sends_the_cookie(session):
    assert web_auth.login("林建", web_auth._TOKEN).ok
    session["cookies"] = {auth.COOKIE_NAME: session["session"]["_auth_cookie"][0]}
    web_auth.logout()
    assert session["session"]["_auth_cookie"] == ("", 0)  # the browser is told to drop it
    assert not web_auth.is_editor()


def test_the_cookie_key_from_secrets_lets_replicas_share_sessions(monkeypatch):
    assert auth.configured_cookie_secret({"auth": {"cookie_secret": " s3cret "}}, env={}) == "s3cret"
    assert auth.configured_cookie_secret({"auth": {"cookie_secret": "s"}}, env={auth.COOKIE_SECRET_ENV: "e"}) == "e"
    assert auth.configured_cookie_secret({}, env={}) is None


# ------------------------------------------------------------------ throttle


def test_the_throttle_grows_then_locks_out():
    th = auth.Throttle(free=3, base_s=2, max_s=120, lockout_after=10, lockout_s=900, window_s=900)
    assert th.client_wait_s([], 100) == 0
    assert th.client_wait_s([10, 20], 21) == 0
    assert th.client_wait_s([10, 20, 30], 30) == 2  # the 3rd failure: 2 s
    assert th.client_wait_s([10, 20, 30, 40], 40) == 4
    assert th.client_wait_s([0, 1, 2, 3, 4, 5, 6, 7, 8], 8) == 120  # 2 × 2⁶ = 128, capped
    assert th.client_wait_s(list(range(10)), 9) == 900  # locked out
    assert th.client_wait_s(list(range(10)), 9 + 900) == 0  # the window has passed


def test_many_clients_together_lock_everyone_out():
    th = auth.Throttle(global_lockout_after=5, lockout_s=600, window_s=900)
    everyone = [100.0, 101.0, 102.0, 103.0, 104.0]
    assert th.wait_s([], everyone[:4], 104) == 0
    assert th.wait_s([], everyone, 104) == 600


def test_fifty_wrong_passwords_take_over_an_hour():
    # 10 failures in 246 s (2+4+…+64+120), then 900 s locked out; five such rounds less the last lockout.
    assert auth.time_to_fail(auth.THROTTLE, 10) == 246
    assert auth.time_to_fail(auth.THROTTLE, 50) == 4 * (246 + 900) + 246


def test_a_throttled_login_is_not_even_checked_and_says_how_long(session):
    for _ in range(3):
        assert not web_auth.login("x", "wrong").ok
    outcome = web_auth.login("x", web_auth._TOKEN)  # right token, but too soon
    assert outcome == web_auth.LoginOutcome(False, 2.0, throttled=True)
    assert not web_auth.is_editor()
    session["now"] += 2
    assert web_auth.login("x", web_auth._TOKEN).ok


def test_the_throttle_is_per_client(session):
    for _ in range(3):
        web_auth.login("x", "wrong")
    session["client"] = "10.0.0.8"
    assert web_auth.login("y", web_auth._TOKEN).ok


def test_every_login_and_failure_is_in_the_audit_trail(session, caplog):
    caplog.set_level("WARNING", logger="lib.web.auth")
    web_auth.login("林建", "wrong")
    session["now"] += 60
    web_auth.login("林建", web_auth._TOKEN)
    web_auth.logout()
    events = store.list_events(session["engine"])
    assert events[["action", "who", "client", "detail"]].values.tolist() == [
        ["logout", "林建", "10.0.0.7", ""],
        ["login", "林建", "10.0.0.7", "token"],
        ["login_failed", "林建", "10.0.0.7", "token"],
    ]
    assert [str(a) for a in events["at"]] == ["2023-11-14 22:14:20", "2023-11-14 22:14:20", "2023-11-14 22:13:20"]
    assert "failed editor login by '林建' from 10.0.0.7 (token)" in caplog.text
    assert web_auth._TOKEN not in str(events.values.tolist())


# ------------------------------------------------------------------ OIDC


def test_oidc_needs_a_provider_and_may_name_its_editors():
    provider = {"client_id": "board", "server_metadata_url": "https://idp/.well-known/openid-configuration",
                "redirect_uri": "https://board/oauth2callback", "cookie_secret": "s"}
    assert auth.oidc_configured({"auth": provider})
    assert not auth.oidc_configured({"auth": {"editor_password_sha256": "x"}})
    assert auth.oidc_may_edit("anyone@district.gov", {"auth": provider})
    listed = {"auth": {**provider, "editors": ["Lin.Jian@district.gov"]}}
    assert auth.oidc_may_edit(" lin.jian@district.gov", listed)
    assert not auth.oidc_may_edit("wang@district.gov", listed)
    assert not auth.oidc_may_edit("", {"auth": provider})


def test_unknown_audit_actions_are_refused(engine):
    with pytest.raises(ValueError, match="unknown audit action 'hack'; expected one of login, login_failed"):
        store.record_event(engine, "hack")
    assert store.list_events(engine).empty
    assert list(store.list_events(engine).columns) == ["event_id", "at", "action", "who", "client", "detail"]


def test_failed_logins_since_a_time_on_both_backends(engine):
    t0 = _utc(1_700_000_000)
    store.record_event(engine, "login_failed", who="a", client="1.1.1.1", at=t0)
    store.record_event(engine, "login", who="a", client="1.1.1.1", at=_utc(1_700_000_010))
    store.record_event(engine, "login_failed", who="b", client="2.2.2.2", at=_utc(1_700_000_020))
    assert store.failed_logins(engine, _utc(1_700_000_001)) == [("2.2.2.2", _utc(1_700_000_020))]
    assert [c for c, _ in store.failed_logins(engine, t0)] == ["1.1.1.1", "2.2.2.2"]
