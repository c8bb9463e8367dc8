"""The editor role in a Streamlit session: login, logout, who may see names.

The password hashing and configuration are pure (``lib.auth``); this module
keeps the session's side of it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib.auth import BadHash, configured_hash, fingerprint, verify_password

__all__ = ["BadHash", "editor_name", "is_editor", "is_local_mode", "login", "logout", "may_see_names"]

_SESSION_KEY = "_auth_editor"  # fingerprint of the hash the session logged in against
_NAME_KEY = "_auth_name"


def _session() -> Any:
    return st.session_state


def is_local_mode() -> bool:
    """True when no editor password is configured: everyone is an editor (bannered)."""
    return configured_hash() is None


def is_editor() -> bool:
    """True when this session may see the data page and unmasked owner names.

    Local mode, or a login in this session against the password configured now.
    """
    stored = configured_hash()
    if stored is None:
        return True
    return _session().get(_SESSION_KEY) == fingerprint(stored)


def may_see_names(screen: bool) -> bool:
    """True when owner names may be shown unmasked: a logged-in editor, never on the big screen.

    Local mode does not count: without a password anyone holding a share link
    would be an "editor", and a share link must never show names.
    """
    return not screen and not is_local_mode() and is_editor()


def login(name: str, password: str) -> bool:
    """Check the password; on success this session is an editor (named ``name``).

    Raises:
        BadHash: the configured hash is malformed (nobody can log in until it is fixed).
    """
    stored = configured_hash()
    if stored is None:
        return True
    if not verify_password(password, stored):
        return False
    session = _session()
    session[_SESSION_KEY] = fingerprint(stored)
    session[_NAME_KEY] = name.strip()
    return True


def logout() -> None:
    """End this session's editor role."""
    session = _session()
    session.pop(_SESSION_KEY, None)
    session.pop(_NAME_KEY, None)


def editor_name() -> str:
    """The name given at login ("" in local mode or when none was given)."""
    return str(_session().get(_NAME_KEY, "") or "")


