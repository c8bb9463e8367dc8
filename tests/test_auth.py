"""The editor role: password hashes, constant-time checks, the console token, session login."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys

import pytest

from lib import auth, store
from lib.web import auth as web_auth

SALT = bytes(range(16))


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch, tmp_path) -> dict:
    """A plain dict standing in for ``st.session_state``; no password unless a test sets one.

    The audit trail (and so the throttle) is a fresh SQLite file; the browser sends no cookie.
    """
    state: dict = {}
    engine = store.get_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    store.init_db(engine)
    monkeypatch.setattr(web_auth, "_session", lambda: state)
    monkeypatch.setattr(web_auth, "_cookies", lambda: {})
    monkeypatch.setattr(web_auth, "_engine", lambda: engine)
    monkeypatch.delenv(auth.ENV_VAR, raising=False)
    monkeypatch.delenv(auth.COOKIE_SECRET_ENV, raising=False)
    monkeypatch.setattr("lib.store.secrets", lambda: {})
    state["_engine"] = engine
    return state


def test_hash_then_verify():
    stored = auth.hash_password("攻坚2023", salt=SALT)
    assert stored.startswith("scrypt$16384$8$1$000102030405060708090a0b0c0d0e0f$")
    assert auth.verify_password("攻坚2023", stored)
    assert not auth.verify_password("攻坚2024", stored)


def test_each_hash_has_its_own_salt():
    assert auth.hash_password("pw") != auth.hash_password("pw")


def test_a_bare_sha256_still_verifies():
    stored = hashlib.sha256(b"pw").hexdigest()
    assert auth.verify_password("pw", stored)
    assert auth.verify_password("pw", stored.upper() + "\n")
    assert not auth.verify_password("pW", stored)


@pytest.mark.parametrize("stored", ["secret", "abc123", "scrypt$16384$8$1$zz$00", "pbkdf2$1$a$b"])
def test_a_malformed_hash_is_named(stored):
    with pytest.raises(auth.BadHash, match=r"editor_password_sha256 is neither .* python -m lib.auth hash"):
        auth.verify_password("pw", stored)


def test_absurd_scrypt_costs_are_refused():
    huge = "scrypt$4294967296$8$1$" + "00" * 16 + "$" + "00" * 32
    with pytest.raises(auth.BadHash, match="scrypt cost out of range: n=4294967296"):
        auth.verify_password("pw", huge)


def test_the_empty_password_cannot_be_hashed():
    with pytest.raises(ValueError, match="must not be empty"):
        auth.hash_password("")


@pytest.mark.parametrize("stored", [auth.hash_password("pw", salt=SALT), hashlib.sha256(b"pw").hexdigest()])
def test_comparison_is_constant_time(monkeypatch, stored):
    calls = []
    real = auth.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert not auth.verify_password("wrong", stored)
    assert auth.verify_password("pw", stored)
    assert len(calls) == 2


def test_environment_wins_over_secrets():
    config = {"auth": {"editor_password_sha256": "from-secrets"}}
    assert auth.configured_hash(config, env={}) == "from-secrets"
    assert auth.configured_hash(config, env={auth.ENV_VAR: "from-env"}) == "from-env"
    assert auth.configured_hash({"auth": {"editor_password_sha256": "  "}}, env={}) is None
    assert auth.configured_hash({}, env={}) is None
    assert auth.configured_hash({"auth": "oops"}, env={}) is None


def test_no_configuration_means_the_console_token_not_everyone(session):
    assert web_auth.mode() == "token"
    assert not web_auth.is_editor()
    assert not web_auth.may_see_names(screen=False)
    assert not web_auth.login("林建", "").ok
    assert not web_auth.login("林建", web_auth._TOKEN[:-1]).ok
    assert web_auth.login("林建", web_auth._TOKEN).ok
    assert web_auth.is_editor() and web_auth.editor_name() == "林建"
    assert web_auth.may_see_names(screen=False) and not web_auth.may_see_names(screen=True)


def test_a_viewer_is_not_an_editor_until_the_right_password(session, monkeypatch):
    monkeypatch.setenv(auth.ENV_VAR, auth.hash_password("pw", salt=SALT))
    assert web_auth.mode() == "password"
    assert not web_auth.is_editor()
    assert not web_auth.login("林建", "wrong").ok
    assert not web_auth.login("林建", web_auth._TOKEN).ok  # a password configured: the token is no key
    assert not web_auth.is_editor() and web_auth.editor_name() == ""
    assert web_auth.login(" 林建 ", "pw").ok
    assert web_auth.is_editor() and web_auth.editor_name() == "林建"
    assert web_auth.may_see_names(screen=False) and not web_auth.may_see_names(screen=True)
    assert "'pw'" not in repr(session)  # only a fingerprint of the hash is kept
    web_auth.logout()
    assert not web_auth.is_editor()


def test_changing_the_password_logs_sessions_out(session, monkeypatch):
    monkeypatch.setenv(auth.ENV_VAR, auth.hash_password("old", salt=SALT))
    assert web_auth.login("a", "old").ok
    monkeypatch.setenv(auth.ENV_VAR, auth.hash_password("new", salt=SALT))
    assert not web_auth.is_editor()


def test_a_malformed_hash_locks_the_role_instead_of_opening_it(session, monkeypatch):
    monkeypatch.setenv(auth.ENV_VAR, "not-a-hash")
    assert web_auth.mode() == "password"
    assert not web_auth.is_editor()
    with pytest.raises(auth.BadHash):
        web_auth.login("a", "not-a-hash")
    assert not web_auth.is_editor()


def test_hash_command_prints_a_line_for_secrets(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("攻坚2023\n"))
    assert auth.main(["hash"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "[auth]"
    key, value = out[1].split(" = ")
    assert key == "editor_password_sha256"
    assert auth.verify_password("攻坚2023", value.strip('"'))


def test_hash_command_usage_and_empty_password(monkeypatch, capsys):
    assert auth.main([]) == 2
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    assert auth.main(["hash"]) == 1
    assert "must not be empty" in capsys.readouterr().err


def test_hash_command_runs_as_a_module():
    done = subprocess.run([sys.executable, "-m", "lib.auth", "hash"], input="pw\n", capture_output=True, text=True,
                          check=True)
    assert auth.verify_password("pw", done.stdout.splitlines()[1].split(" = ")[1].strip('"'))
