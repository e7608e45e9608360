"""Work-arounds for Textual bugs that cost a console left open for days its memory (Textual 8.2.8 is pinned).

Each is applied only where the bug is there (an upgrade that fixes it turns the work-around off), and each has a
strict-xfail canary in ``tests/ui/test_memory.py`` that starts failing when Textual fixes it.

* ``StylesCache.get_inner_outer`` (Textualize/textual#6665) is an ``lru_cache(1024)`` on an *instance* method, so
  its key holds the ``StylesCache`` of the widget that asked, with every line that widget last rendered: up to 1,024
  caches of widgets long gone (closed dialogs, old footer keys), ~0.7 MB per screen round trip until it is full.
  The result depends only on the two colours: the cache is kept, keyed by them alone.

(The other one, the footer keeping every ``FooterKey`` it built, textual#6666, is avoided by not using Textual's
``Footer``: see ``widgets/key_footer.py``.)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from textual._styles_cache import StylesCache
from textual.color import Color

_applied = False
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
