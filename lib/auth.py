"""The editor role (docs/design.md "Security and privacy"): credentials, signed sessions, throttling.

Who may edit is decided by the first of these that is configured:

1. **OIDC** — ``[auth]`` in ``.streamlit/secrets.toml`` names an identity
   provider (``client_id`` and ``server_metadata_url``, Streamlit's
   ``st.login`` settings); anyone it authenticates is an editor, or only the
   addresses in ``[auth] editors`` when that list is given.
2. **A password** — ``[auth] editor_password_sha256`` (environment
   ``EDITOR_PASSWORD_SHA256`` wins), in one of two formats:

   * ``scrypt$<n>$<r>$<p>$<salt hex>$<key hex>`` — salted scrypt, what
     ``python -m lib.auth hash`` prints (preferred);
   * 64 hex digits — a bare SHA-256 of the password (accepted for old configs;
     unsalted, so weak against a stolen secrets file).

   A hash that is set but malformed locks the role (nobody is an editor).
3. **Nothing configured** — a one-time editor token, new for every server
   process, printed on the server console and logged (as Jupyter does).
   Whoever started the server can edit; a share link never can.

Secrets are compared in constant time (:func:`hmac.compare_digest`). A login
is kept across reloads by a cookie signed with HMAC-SHA256 (:func:`sign_session`)
that expires after :data:`SESSION_HOURS` and dies when the credential changes.
Failed logins are throttled (:class:`Throttle`): a growing delay, then a
lockout, per client and for all clients together.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lib import store

SECRET_SECTION = "auth"
SECRET_KEY = "editor_password_sha256"
ENV_VAR = "EDITOR_PASSWORD_SHA256"
#: ``[auth] cookie_secret`` signs the session cookie (Streamlit's st.login uses the same key);
#: replicas behind a load balancer must share it. Environment ``EDITOR_COOKIE_SECRET`` wins.
COOKIE_SECRET_KEY = "cookie_secret"
COOKIE_SECRET_ENV = "EDITOR_COOKIE_SECRET"
#: The cookie that keeps an editor logged in across reloads, and how long it lives.
COOKIE_NAME = "cb_editor"
SESSION_HOURS = 8
#: ``[auth] editors``: the OIDC accounts (e-mail addresses) that may edit; absent = everyone the provider admits.
EDITORS_KEY = "editors"

#: scrypt cost for new hashes: 16 MiB and about 0.1 s on a 2-core server.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
#: Largest costs accepted from a config (a typo must not exhaust memory).
_MAX_N, _MAX_R, _MAX_P = 2**20, 32, 16
_SCRYPT = re.compile(r"^scrypt\$(\d+)\$(\d+)\$(\d+)\$([0-9a-f]{16,})\$([0-9a-f]{32,})$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")



class BadHash(ValueError):
    """The configured hash is not in a format :func:`verify_password` knows."""


# ------------------------------------------------------------------ pure part


def hash_password(password: str, *, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R,
                  p: int = SCRYPT_P) -> str:
    """A salted scrypt hash of ``password`` in the format the secrets file takes.

    Raises:
        ValueError: the password is empty.
    """
    if not password:
        raise ValueError("the editor password must not be empty")
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = _scrypt(password, salt, n, r, p)
    return f"scrypt${n}${r}${p}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored`` (scrypt or bare SHA-256), compared in constant time.

    Raises:
        BadHash: ``stored`` is in neither format (names what was expected).
    """
    stored = stored.strip().lower()
    if m := _SCRYPT.match(stored):
        n, r, p = (int(g) for g in m.groups()[:3])
        if not (1 < n <= _MAX_N and n & (n - 1) == 0 and 0 < r <= _MAX_R and 0 < p <= _MAX_P):
            raise BadHash(f"scrypt cost out of range: n={n}, r={r}, p={p}")
        salt, expected = bytes.fromhex(m.group(4)), bytes.fromhex(m.group(5))
        actual = _scrypt(password, salt, n, r, p, dklen=len(expected))
        return hmac.compare_digest(actual, expected)
    if _SHA256.match(stored):
        actual_hex = hashlib.sha256(password.encode("utf-8")).hexdigest()
        return hmac.compare_digest(actual_hex, stored)
    raise BadHash(
        f"[{SECRET_SECTION}] {SECRET_KEY} is neither 'scrypt$n$r$p$salt$key' nor 64 hex digits "
        "(make one with: python -m lib.auth hash)"
    )


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int = 32) -> bytes:
    maxmem = 128 * n * r * p + 32 * 1024 * 1024
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem)


def configured_hash(config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> str | None:
    """The editor password hash: env ``EDITOR_PASSWORD_SHA256``, then secrets; None when unset or blank.

    Args:
        config: the parsed secrets (default: ``store.secrets()``).
        env: the environment (default: ``os.environ``).
    """
    env = os.environ if env is None else env
    value = env.get(ENV_VAR)
    if not value:
        if config is None:
            config = store.secrets()
        section = config.get(SECRET_SECTION) or {}
        value = section.get(SECRET_KEY) if isinstance(section, Mapping) else None
    value = str(value).strip() if value is not None else ""
    return value or None


def fingerprint(stored: str) -> str:
    """What the session remembers: changing the password logs every session out."""
    return hashlib.sha256(("editor:" + stored).encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh one-time editor token (32 URL-safe characters, 192 bits)."""
    return secrets.token_urlsafe(24)


def check_token(given: str, token: str) -> bool:
    """True when ``given`` is the editor token, compared in constant time."""
    return bool(given) and hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8"))


def configured_cookie_secret(config: Mapping[str, Any] | None = None,
                             env: Mapping[str, str] | None = None) -> str | None:
    """The key that signs session cookies: env ``EDITOR_COOKIE_SECRET``, then ``[auth] cookie_secret``."""
    env = os.environ if env is None else env
    value = env.get(COOKIE_SECRET_ENV)
    if not value:
        section = (store.secrets() if config is None else config).get(SECRET_SECTION) or {}
        value = section.get(COOKIE_SECRET_KEY) if isinstance(section, Mapping) else None
    value = str(value).strip() if value is not None else ""
    return value or None


def oidc_configured(config: Mapping[str, Any]) -> bool:
    """True when ``[auth]`` holds the settings Streamlit's ``st.login`` needs for one provider."""
    section = config.get(SECRET_SECTION) or {}
    if not isinstance(section, Mapping):
        return False
    return bool(section.get("client_id") and section.get("server_metadata_url") and section.get("redirect_uri"))


def oidc_may_edit(email: str | None, config: Mapping[str, Any]) -> bool:
    """True when an account the identity provider logged in may edit (``[auth] editors``, case-blind).

    Without an ``editors`` list every account of the district's provider may.
    """
    if not email:
        return False
    section = config.get(SECRET_SECTION) or {}
    allowed = section.get(EDITORS_KEY) if isinstance(section, Mapping) else None
    if allowed is None:
        return True
    return email.strip().lower() in {str(a).strip().lower() for a in allowed}


def sign_session(name: str, credential: str, key: str, *, now: float, hours: float = SESSION_HOURS) -> str:
    """A cookie value naming the editor, valid for ``hours`` and only while ``credential`` stays the same.

    Args:
        name: the editor's name (goes into the audit trail).
        credential: :func:`fingerprint` of the password hash or token logged in with.
        key: the signing key (:func:`configured_cookie_secret` or a per-process one).
        now: the time, in seconds since the epoch.
        hours: lifetime.
    """
    payload = json.dumps([name, int(now + hours * 3600), credential[:16]], ensure_ascii=False)
    body = base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")
    mac = hmac.new(key.encode("utf-8"), body.encode("ascii"), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def read_session(cookie: str | None, credential: str, key: str, *, now: float) -> str | None:
    """The editor's name from a cookie made by :func:`sign_session`; None when forged, expired or stale."""
    if not cookie or cookie.count(".") != 1:
        return None
    body, mac = cookie.split(".")
    expected = hmac.new(key.encode("utf-8"), body.encode("ascii", "replace"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac.encode("ascii", "replace"), expected.encode("ascii")):
        return None
    try:
        name, expires, cred = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8"))
    except (ValueError, TypeError):
        return None
    if not isinstance(name, str) or not isinstance(expires, int) or expires <= now:
        return None
    return name if hmac.compare_digest(str(cred), credential[:16]) else None


@dataclass(frozen=True)
class Throttle:
    """How failed logins slow down the next attempt.

    Within ``window_s``, a client's first ``free`` failures cost nothing; each
    further one makes it wait ``base_s`` doubled per failure (at most
    ``max_s``) after its latest failure; from ``lockout_after`` failures it is
    locked out for ``lockout_s``. When all clients together failed
    ``global_lockout_after`` times, everyone is locked out (an attack from
    many addresses) until ``lockout_s`` after the latest failure.
    """

    free: int = 3
    base_s: float = 2.0
    max_s: float = 120.0
    lockout_after: int = 10
    lockout_s: float = 900.0
    global_lockout_after: int = 30
    window_s: float = 900.0

    def client_wait_s(self, failures: Sequence[float], now: float) -> float:
        """Seconds until this client may try again, given its failure times (epoch seconds)."""
        recent = sorted(f for f in failures if f > now - self.window_s)
        n = len(recent)
        if n < self.free:
            return 0.0
        if n >= self.lockout_after:
            pause = self.lockout_s
        else:
            pause = min(self.base_s * 2 ** (n - self.free), self.max_s)
        return max(0.0, recent[-1] + pause - now)

    def wait_s(self, client_failures: Sequence[float], all_failures: Sequence[float], now: float) -> float:
        """Seconds until the next attempt is even checked: the client's own wait or the global lockout."""
        recent = sorted(f for f in all_failures if f > now - self.window_s)
        wait = self.client_wait_s(client_failures, now)
        if len(recent) >= self.global_lockout_after:
            wait = max(wait, recent[-1] + self.lockout_s - now)
        return wait


#: The board's login throttle.
THROTTLE = Throttle()


def time_to_fail(throttle: Throttle, attempts: int) -> float:
    """Seconds one client needs for ``attempts`` wrong passwords, trying each the moment it is allowed."""
    now, failures = 0.0, list[float]()
    for _ in range(attempts):
        now += throttle.wait_s(failures, failures, now)
        failures.append(now)
    return now


# --------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lib.auth hash``: ask for a password, print the line for secrets.toml."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] != ["hash"]:
        print("usage: python -m lib.auth hash   (reads the password from the terminal or stdin)", file=sys.stderr)
        return 2
    if sys.stdin.isatty():
        password = getpass.getpass("editor password: ")
        if getpass.getpass("again: ") != password:
            print("the two passwords differ", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        print("the editor password must not be empty", file=sys.stderr)
        return 1
    print(f"[{SECRET_SECTION}]")
    print(f'{SECRET_KEY} = "{hash_password(password)}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
