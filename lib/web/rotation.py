"""The wall screen's playlist: which pages rotate, in what order, for how long (pure, no Streamlit).

``pages=command,teams,map`` chooses and orders the pages; ``rotate=60`` gives
every page 60 s, ``rotate=command:60,teams:30`` gives each its own dwell, and
both forms mix (``rotate=30,teams:60``: 30 s each, the leaderboard 60 s).
Without ``pages=`` a per-page ``rotate`` rotates the pages it names, and a bare
number rotates :data:`DEFAULT_PAGES`. A page that pages itself (the
leaderboard) stays at least until its every page was shown once
(:meth:`Rotation.dwell`'s ``at_least``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lib.i18n import t

#: Pages a wall screen may rotate through, and the default order: the command canvas first.
ROTATABLE = ("command", "overview", "map", "progress", "teams")
DEFAULT_PAGES = ROTATABLE
#: Seconds a page stays up when its dwell is not given.
DEFAULT_DWELL = 60
DWELL_RANGE = (5, 3600)


@dataclass(frozen=True)
class Rotation:
    """A playlist as the link states it: the page order and the dwell per page.

    Attributes:
        pages: the ``pages=`` list (empty when the link has none).
        every: the bare ``rotate=N`` seconds, if given.
        per_page: ``(page, seconds)`` from ``rotate=page:N`` items, in link order.
    """

    pages: tuple[str, ...] = ()
    every: int | None = None
    per_page: tuple[tuple[str, int], ...] = ()

    @property
    def active(self) -> bool:
        """True when the link asks for a rotation (a ``pages`` or ``rotate`` value survived parsing)."""
        return bool(self.pages) or self.every is not None or bool(self.per_page)

    def playlist(self) -> tuple[str, ...]:
        """The pages in rotation order."""
        if self.pages:
            return self.pages
        if self.per_page and self.every is None:
            return tuple(page for page, _ in self.per_page)
        return DEFAULT_PAGES

    def dwell(self, page: str, at_least: int = 0) -> int:
        """Seconds ``page`` stays up: its own dwell, else the bare one, else the default; never under ``at_least``."""
        own = dict(self.per_page).get(page)
        seconds = own if own is not None else self.every if self.every is not None else DEFAULT_DWELL
        return max(seconds, at_least)

    def next_page(self, current: str) -> str:
        """The page after ``current``; a page outside the playlist goes to its first page."""
        order = self.playlist()
        if current not in order:
            return order[0]
        return order[(order.index(current) + 1) % len(order)]

    def first_page(self) -> str:
        """Where a wall screen opened on ``/`` lands."""
        return self.playlist()[0]

    def to_params(self) -> dict[str, list[str]]:
        """The ``pages`` and ``rotate`` parameters that reproduce this rotation (canonical form)."""
        out: dict[str, list[str]] = {}
        if self.pages:
            out["pages"] = [",".join(self.pages)]
        items = ([str(self.every)] if self.every is not None else []) + [f"{p}:{s}" for p, s in self.per_page]
        if items:
            out["rotate"] = [",".join(items)]
        return out


def _seconds(text: str) -> int | None:
    try:
        value = int(text.strip())
    except ValueError:
        return None
    return value if DWELL_RANGE[0] <= value <= DWELL_RANGE[1] else None


def parse_rotation(params: Mapping[str, Sequence[str]], lang: str = "zh",
                   known: Sequence[str] = ROTATABLE) -> tuple[Rotation, list[str]]:
    """Parse ``pages`` and ``rotate``; every bad item is dropped with a notice, the rest kept.

    Args:
        params: the link's parameters, every value as a list (the last one counts).
        lang: language of the notices.
        known: the page paths that may rotate.

    Returns:
        The rotation and one notice per dropped item.
    """
    notices: list[str] = []
    pages: list[str] = []
    for raw in params.get("pages", [])[-1:]:
        for item in (p.strip() for p in raw.split(",")):
            if item in known:
                if item not in pages:
                    pages.append(item)
            elif item:
                notices.append(t("notice.unknown_value", lang, name="pages", value=item))
    every: int | None = None
    per_page: dict[str, int] = {}
    for raw in params.get("rotate", [])[-1:]:
        for item in (p.strip() for p in raw.split(",")):
            if not item:
                continue
            page, sep, number = item.rpartition(":")
            seconds = _seconds(number)
            if sep and page.strip() not in known:
                notices.append(t("notice.unknown_value", lang, name="rotate", value=item))
            elif seconds is None:
                notices.append(t("notice.bad_number", lang, name="rotate", value=item, low=DWELL_RANGE[0], high=DWELL_RANGE[1]))
            elif sep:
                per_page[page.strip()] = seconds
            else:
                every = seconds
    return Rotation(pages=tuple(pages), every=every, per_page=tuple(per_page.items())), notices
