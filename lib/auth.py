"""The editor role (docs/design.md "Security and privacy").

The data page and unmasked owner names need the editor password. Its hash
lives in ``.streamlit/secrets.toml`` as ``[auth] editor_password_sha256``
(environment ``EDITOR_PASSWORD_SHA256`` wins), in one of two formats:

* ``scrypt$<n>$<r>$<p>$<salt hex>$<key hex>`` — salted scrypt, what
  ``python -m lib.auth hash`` prints (preferred);
* 64 hex digits — a bare SHA-256 of the password (accepted for old configs;
  unsalted, so weak against a stolen secrets file).

Both are compared in constant time (:func:`hmac.compare_digest`). With no
hash configured the board runs in *local mode*: everyone is an editor, and the
pages say so. A hash that is set but malformed locks the role (nobody is an
editor) rather than falling back to local mode.

The login lives in the Streamlit session only: it is never written to the URL,
so a share link opened elsewhere is always a viewer's.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import os
import re
import secrets
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from lib import store

SECRET_SECTION = "auth"
SECRET_KEY = "editor_password_sha256"
ENV_VAR = "EDITOR_PASSWORD_SHA256"

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
