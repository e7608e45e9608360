"""Work-arounds for Textual bugs (Textual 8.2.8 is pinned): two that cost a console left open for days its memory,
one that hides what a person just pasted.

Each has a strict-xfail canary that starts failing when Textual fixes it (``tests/ui/test_memory.py``,
``tests/ui/test_paste_scroll.py``); the memory one is applied only where the bug is there.

* ``StylesCache.get_inner_outer`` (Textualize/textual#6665) is an ``lru_cache(1024)`` on an *instance* method, so
  its key holds the ``StylesCache`` of the widget that asked, with every line that widget last rendered: up to 1,024
  caches of widgets long gone (closed dialogs, old footer keys), ~0.7 MB per screen round trip until it is full.
  The result depends only on the two colours: the cache is kept, keyed by them alone.

(The other one, the footer keeping every ``FooterKey`` it built, textual#6666, is avoided by not using Textual's
``Footer``: see ``widgets/key_footer.py``.)

* ``Input`` scrolls to its cursor when the selection changes, except while ``_initial_value`` is set, which stays
  set until the field's first change: a paste into a field nobody has typed in yet (a public key pasted into the new
  SSH key form) left the view at the start, the cursor and the end of the paste out of sight until the next key.
  After every paste the cursor is scrolled into view (a no-op where Textual already did it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.events import Paste
from textual.geometry import Region
from textual.widgets import Input

_applied = False
#: ``Input._on_paste`` as Textual defines it (before ``apply``)
ORIGINAL_INPUT_ON_PASTE: Any = Input.__dict__["_on_paste"]
#: ``StylesCache.get_inner_outer`` as Textual defines it (before ``apply``)
ORIGINAL_GET_INNER_OUTER: Any = StylesCache.__dict__.get("get_inner_outer")


def styles_cache_retains_instances() -> bool:
    """True when Textual's ``StylesCache.get_inner_outer`` is an ``lru_cache`` on the instance method (the bug)."""
    original = ORIGINAL_GET_INNER_OUTER
    return callable(original) and hasattr(original, "cache_clear") and hasattr(original, "__wrapped__")


def apply() -> None:
    """Apply the work-arounds (idempotent)."""
    global _applied
    if _applied:
        return
    _applied = True
    if styles_cache_retains_instances():
        compute: Callable[..., Any] = ORIGINAL_GET_INNER_OUTER.__wrapped__

        @lru_cache(1024)
        def inner_outer(base_background: Color, background: Color) -> Any:
            return compute(None, base_background, background)  # the body never reads its first argument

        def get_inner_outer(self: StylesCache, base_background: Color, background: Color) -> Any:
            return inner_outer(base_background, background)

        get_inner_outer.cache_info = inner_outer.cache_info  # type: ignore[attr-defined]
        get_inner_outer.cache_clear = inner_outer.cache_clear  # type: ignore[attr-defined]
        StylesCache.get_inner_outer = get_inner_outer  # type: ignore[assignment,method-assign]

    def on_paste(self: Input, event: Paste) -> None:
        ORIGINAL_INPUT_ON_PASTE(self, event)
        self.call_after_refresh(scroll_to_cursor, self)

    Input._on_paste = on_paste  # type: ignore[method-assign]


def scroll_to_cursor(field: Input) -> None:
    """Scroll ``field`` so that its cursor is in view (what Textual does after a typed key)."""
    if field.is_mounted:
        field.scroll_to_region(Region(field._cursor_offset, 0, width=1, height=1), force=True, animate=False)
