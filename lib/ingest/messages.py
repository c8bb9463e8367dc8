"""Importer messages as data: an i18n key and its parameters, rendered in the reader's language.

Every text the importer says lives in :data:`lib.i18n.STRINGS` under
``ingest.*``; a :class:`Message` only names its key and carries the values
that fill it. Parameters are rendered per language: a list joins with 、 or
", ", a :class:`Term` is looked up as ``<kind>.<value>``, a nested
:class:`Message` (or anything with ``text(lang)``) is rendered first. So the same problem reads in Chinese on
one screen and in English on another, and a stored change summary needs no
language at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lib.i18n import LANGS, t


@dataclass(frozen=True)
class Term:
    """A domain word translated at render time, e.g. ``Term("ingest.stage", "signed")``."""

    kind: str
    value: str


@dataclass(frozen=True)
class Message:
    """One importer message: ``key`` in :data:`lib.i18n.STRINGS`, filled with ``params``."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """The message in ``lang`` (zh or en)."""
        return t(self.key, lang, **{k: render(v, lang) for k, v in self.params.items()})


def msg(key: str, /, **params: Any) -> Message:
    """Shorthand: ``msg("ingest.file.empty")``, ``msg("ingest.too_big", size=..., limit=...)``."""
    return Message(key, params)


def render(value: Any, lang: str) -> str:
    """One parameter as text in ``lang``."""
    if isinstance(value, Message) or callable(getattr(value, "text", None)):
        return value.text(lang)  # a Message, or anything that says itself per language (a change summary)
    if isinstance(value, Term):
        return t(f"{value.kind}.{value.value}", lang)
    if isinstance(value, (list, tuple)):
        return ("、" if lang == "zh" else ", ").join(render(v, lang) for v in value)
    return "" if value is None else str(value)


def both(message: Message, separator: str = " / ") -> str:
    """The message in every language, for logs and ``str(exception)``."""
    return separator.join(message.text(lang) for lang in LANGS)


class InBothLanguages:
    """``message_zh`` / ``message_en`` for anything with a ``text(lang)``."""

    def text(self, lang: str) -> str:
        """The text in ``lang``."""
        raise NotImplementedError

    @property
    def message_zh(self) -> str:
        """The text in Chinese."""
        return self.text("zh")

    @property
    def message_en(self) -> str:
        """The text in English."""
        return self.text("en")


class BilingualError(InBothLanguages, ValueError):
    """An error carrying a :class:`Message`; ``str(exc)`` is "中文 / English"."""

    def __init__(self, key: str | Message, /, **params: Any) -> None:
        self.message = key if isinstance(key, Message) else Message(key, params)
        super().__init__(both(self.message))

    def text(self, lang: str) -> str:
        """The message in ``lang``."""
        return self.message.text(lang)

