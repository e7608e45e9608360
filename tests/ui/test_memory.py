"""A console left open for a week: what screen switches and dialogs leave behind stays bounded.

Counts live objects (after a full collection) after a warm-up and again after more rounds of "go to snapshots, back
to instances, open and close the jobs view, the help, the command line and a confirmation". Before the fix each
round left ~20 footer keys (Textual's ``Footer`` rebuilds its ``FooterKey`` children on every resume, and each one
stays registered as a watcher of the footer's ``compact`` reactive: Textualize/textual#6666) and one jobs view
(subscribed to the app's job updates until the next job event).

The canaries at the end watch Textual's own ``Footer``: if an upgrade fixes #6666 it starts failing (strict xfail),
a sign the stock footer could be used again; if a change brings the stock footer back into the console, the counts
of the first test grow and it fails.
"""

from __future__ import annotations

import gc
import weakref
from collections import Counter
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from textual._styles_cache import StylesCache
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.dom import DOMNode
from textual.pilot import Pilot
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Footer, Label
from textual.widgets._footer import FooterKey

from cloudzy_tui.ui import textual_fixes
from cloudzy_tui.ui.modals.command_line import CommandLine
from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.modals.help import HelpScreen
from cloudzy_tui.ui.modals.jobs import JobsScreen
from cloudzy_tui.ui.screens.resource import ResourceScreen

from .helpers import loaded, screen_text, select_instance, settle, wait_for

# Rounds after the warm-up: enough that one object per round stands out from any bounded churn (4 > SLACK).
ROUNDS = 4
# What may differ between two counts without anything accumulating (an object in flight in a message queue).
SLACK = 2


def _live(kind: type) -> list[Any]:
    return [o for o in gc.get_objects() if isinstance(o, kind)]


def _collected_live(kind: type) -> list[Any]:
    gc.collect()
    return _live(kind)


def _watchers(node: DOMNode) -> int:
    """Watchers registered on ``node``'s reactives by other nodes (Textual keeps them in ``__watchers``)."""
    registry: dict[str, list[Any]] = getattr(node, "__watchers", {})
    return sum(len(entries) for entries in registry.values())


def _nodes(app: App[Any]) -> Iterator[DOMNode]:
    screens: list[Screen[Any]] = list(app.screen_stack)
    screens += [s for s in app._installed_screens.values() if isinstance(s, Screen) and s not in screens]
    for screen in screens:
        yield screen
        yield from screen.walk_children(with_self=False)


def census(app: App[Any]) -> Counter[str]:
    """Live objects worth counting, after a full collection."""
    gc.collect()
    counts: Counter[str] = Counter()
    counts["FooterKey"] = len(_live(FooterKey))
    screens = _live(Screen)
    counts["Screen"] = len(screens)
    for screen in screens:
        counts[f"Screen:{type(screen).__name__}"] += 1
    counts["Widget"] = len(_live(Widget))
    counts["StylesCache"] = len(_live(StylesCache))
    nodes = list(_nodes(app))
    counts["watchers"] = sum(_watchers(node) for node in nodes)
    counts["footer watchers"] = sum(_watchers(node) for node in nodes if "Footer" in type(node).__name__)
    counts["job_updates subscribers"] = len(app.job_updates._subscriptions)  # type: ignore[attr-defined]
    return counts


async def _back_on_list(pilot: Pilot[Any]) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ResourceScreen))
    await settle(pilot, rounds=1)


async def one_round(pilot: Pilot[Any], simulator: Any) -> None:
    """Instances → snapshots → instances by the command line; the jobs view; the help; a confirmation."""
    await pilot.press("colon", *"snap", "enter")
    await loaded(pilot, "snapshots")
    await pilot.press("colon", *"in", "enter")
    await loaded(pilot, "instances")
    await pilot.press("J")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, JobsScreen))
    await pilot.press("escape")
    await _back_on_list(pilot)
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
    await pilot.press("escape")
    await _back_on_list(pilot)
    await pilot.press("colon")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandLine))
    await pilot.press("escape")
    await _back_on_list(pilot)
    await select_instance(pilot, simulator, "web-01")
    await pilot.press("D")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
    await pilot.press("escape")
    await _back_on_list(pilot)


async def test_screen_switches_and_dialogs_leave_nothing_behind(make_app: Any, simulator: Any) -> None:
    gc.unfreeze()  # what an earlier test froze would hide from the counts
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        for _ in range(2):  # warm-up: both screens installed, every dialog class seen once
            await one_round(pilot, simulator)
        before = census(app)
        for _ in range(ROUNDS):
            await one_round(pilot, simulator)
        after = census(app)
        grown = {name: after[name] - before[name] for name in after | before if after[name] - before[name] > SLACK}
        report = ", ".join(f"{name} {before[name]} -> {after[name]}" for name in sorted(grown))
        assert not grown, f"grew over {ROUNDS} rounds: {report}"
        # Nothing of the stock footer is alive, no closed dialog is subscribed, and at most the last dialog of a
        # kind is still in memory: an idle widget's message loop keeps the last message it handled until the next
        # one, and a message names the node that sent it (Textual internals; replaced, not accumulated).
        assert after["FooterKey"] == 0
        assert after["job_updates subscribers"] == 0
        for kind in (JobsScreen, HelpScreen, CommandLine, ConfirmModal):
            await wait_for(pilot, lambda kind=kind: len(_collected_live(kind)) <= 1)


async def test_a_closed_jobs_view_unsubscribes_at_once(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        for _ in range(5):  # no job event meanwhile: nothing else would prune a dead subscriber
            await pilot.press("J")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, JobsScreen))
            view = pilot.app.screen
            assert len(app.job_updates._subscriptions) == 1
            assert view.ticking, "the jobs view ticks (elapsed times) while open"
            await pilot.press("escape")
            await _back_on_list(pilot)
            # Gone as soon as it is closed, and so is its timer.
            assert len(app.job_updates._subscriptions) == 0
            assert not view.ticking
            del view
        # And the views go: what may still name one is bounded (a cancelled timer's handle until its time comes,
        # an idle widget's last message), not one per view opened.
        await wait_for(pilot, lambda: len(_collected_live(JobsScreen)) <= SLACK)


# ------------------------------------------------------------------------------------------------------------
# The canary: Textual's own Footer (Textualize/textual#6666)


class _Dialog(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        yield Label("dialog")


class _StockFooterApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("d", "dialog", "Dialog"), Binding("x", "bell", "Bell")]

    def compose(self) -> ComposeResult:
        yield Label("main")
        yield Footer()

    def action_dialog(self) -> None:
        self.push_screen(_Dialog())


@pytest.mark.xfail(
    strict=True,
    reason="Textual 8.2.8's Footer keeps every FooterKey it ever built (textual#6666); "
    "an XPASS means Textual fixed it and the stock Footer could be used again",
)
async def test_stock_textual_footer_keeps_its_old_keys() -> None:
    gc.unfreeze()
    app = _StockFooterApp()
    async with app.run_test(size=(80, 10)) as pilot:
        for _ in range(2):
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        gc.collect()
        before = len(_live(FooterKey))
        for _ in range(ROUNDS):
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        await pilot.pause()
        gc.collect()
        after = len(_live(FooterKey))
        assert after - before <= SLACK, f"FooterKey objects {before} -> {after}"


# ------------------------------------------------------------------------------------------------------------
# The other Textual leak: StylesCache.get_inner_outer (Textualize/textual#6665), worked around in textual_fixes


def _retained(get_inner_outer: Any, count: int = 20) -> int:
    """How many of ``count`` fresh StylesCache objects outlive their last reference after one colour lookup."""
    refs = []
    for n in range(count):
        cache = StylesCache()
        get_inner_outer(cache, Color(n, 0, 0), Color(0, n, 0))
        refs.append(weakref.ref(cache))
        del cache
    gc.collect()
    return sum(1 for ref in refs if ref() is not None)


def test_styles_caches_are_not_kept_by_the_colour_cache() -> None:
    textual_fixes.apply()
    assert _retained(StylesCache.get_inner_outer) == 0
    # Same answers as Textual's own.
    cache = StylesCache()
    colours = (Color(10, 20, 30), Color(40, 50, 60, 0.5))
    assert cache.get_inner_outer(*colours) == textual_fixes.ORIGINAL_GET_INNER_OUTER(cache, *colours)


@pytest.mark.xfail(
    strict=True,
    reason="Textual 8.2.8's StylesCache.get_inner_outer keeps up to 1,024 StylesCache objects (textual#6665); an "
    "XPASS means Textual fixed it and ui/textual_fixes.py can go",
)
def test_textual_styles_cache_keeps_its_callers() -> None:
    assert _retained(textual_fixes.ORIGINAL_GET_INNER_OUTER) == 0


async def test_a_burst_of_toasts_shows_at_most_max_toasts(make_app: Any) -> None:
    from cloudzy_tui.ui.app import MAX_TOASTS

    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        for n in range(3 * MAX_TOASTS):
            app.toast(f"failure number {n}", severity="error", timeout=60)
            await pilot.pause()
        shown = [n.message for n in app.shown_toasts()]
        assert shown == [f"failure number {n}" for n in range(2 * MAX_TOASTS, 3 * MAX_TOASTS)]
        await wait_for(pilot, lambda: f"failure number {3 * MAX_TOASTS - 1}" in screen_text(app))
        assert "failure number 0" not in screen_text(app)


async def test_toasts_asked_for_in_one_tick_are_capped_and_the_least_severe_make_room(make_app: Any) -> None:
    """``notify`` only posts a message: a burst in one tick (jobs ending in the same poll) is counted where each is
    added. An error and a warning outlive any number of information toasts; among equals the oldest goes."""
    from cloudzy_tui.ui.app import MAX_TOASTS

    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        app.toast("the one that failed", severity="error", timeout=60)
        app.toast("careful", severity="warning", timeout=60)
        for n in range(3 * MAX_TOASTS):
            app.toast(f"went well {n}", timeout=60)
        await pilot.pause()
        shown = [n.message for n in app.shown_toasts()]
        kept = MAX_TOASTS - 2
        assert shown == ["the one that failed", "careful"] + [
            f"went well {n}" for n in range(3 * MAX_TOASTS - kept, 3 * MAX_TOASTS)
        ]
        await wait_for(pilot, lambda: "the one that failed" in screen_text(app))
        assert "careful" in screen_text(app)
        for n in range(MAX_TOASTS):  # warnings push out information first, then the oldest warning; the error stays
            app.toast(f"warning {n}", severity="warning", timeout=60)
        await pilot.pause()
        shown = [n.message for n in app.shown_toasts()]
        assert shown == ["the one that failed"] + [f"warning {n}" for n in range(1, MAX_TOASTS)]
