"""Keys typed ahead land where they were meant to: one at a time, each on what its predecessor put on screen.

Over SSH a burst such as ``:regions⏎`` arrives in one read, so Textual queues every key on the App before the
first one has done anything. In Textual 8.2.8 a key is forwarded to the focused widget and its (non-priority)
binding runs only when the event has bubbled back up to the App; a pushed screen composes in its own task and a
``widget.focus()`` is an ``app.call_later``. So without a gate, ``regions⏎`` is forwarded to the table *before*
``:`` has even opened the command line: the letters are lost (or, worse, run the table's bindings: ``s``, ``n``).

:class:`KeyGate` serialises input (keys and pastes) the way a slow typist does: a key is dispatched at once when
nothing is in flight; the next one waits until the previous one has *settled*:

* the event has travelled the path it was forwarded on (focused widget, its ancestors, the screen, the App: a
  marker callback is posted to each in turn, after the event, and awaited);
* what it set off is done: a screen it pushed or popped is mounted, what the screen deferred to after its next
  refresh has run, a focus it asked for is set (the same markers, repeated until two rounds see the same screen and
  focused widget);
* an action worker it started (group ``actions``: the resource actions, which open their dialogs from a worker)
  has either put a new screen up, or ended, or run for ``ACTION_WAIT`` seconds (an action that only calls the API
  must not hold the keyboard for the length of a request).

Typing one key at a time is unaffected (nothing is in flight when the next key arrives). Keys are never dropped
and never reordered; nothing waits forever (every wait is bounded). Printable keys for a focused text field need
no settling (they change nothing but its text); a run of them held together goes in as one insertion, which is
what typing them does, at the cost of one repaint instead of one per character.

Esc then a key within Textual's ``ESCDELAY`` (100 ms) is read by the terminal parser as Alt+key. The console has no
Alt bindings, so the gate hands such a key on as Esc followed by the key: a quick ``Esc :`` behaves as typed slowly.

``PasteSafeParser``: inside a bracketed paste Textual's parser treats an ESC as the start of a key sequence, so a
pasted ``abc<ESC>`` delivered an Esc *key* (closing the form) and cut the paste at the ESC. The parser used here
drops ESC characters inside a paste (control characters are removed from pasted text anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual._xterm_parser import XTermParser
from textual.widgets import Input, TextArea

from cloudzy_tui.ui.inputs import clean_input

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.widget import Widget

log = logging.getLogger("cloudzy_tui.ui.typeahead")

# How long the next key may wait for an action started by the previous one to open its dialog.
ACTION_WAIT = 5.0
# How long one marker may take to come back from a message pump (a pump that is closing never answers).
MARKER_WAIT = 2.0
# Rounds of markers before a key counts as settled whatever happens (a screen that keeps changing focus).
MAX_ROUNDS = 12

Dispatch = Callable[[events.Event], Awaitable[None]]


def split_alt(event: events.Key, bound: Callable[[str], bool] = lambda key: False) -> list[events.Key]:
    """Alt+<printable> (which is also how a quick Esc-then-key reads) as Esc followed by the key, unless
    ``bound(key)`` says something on screen binds that Alt key (the wizard's alt+b)."""
    key, character = event.key, event.character
    if not key.startswith("alt+") or character is None or len(character) != 1 or bound(key):
        return [event]
    if not (character.isprintable() or character in "\r\t"):
        return [event]
    base = key.removeprefix("alt+")
    return [events.Key("escape", "\x1b"), events.Key(base, character)]


class KeyGate:
    """Input events in, one at a time, each once the previous one has settled (see the module's docstring)."""

    def __init__(self, app: App[Any], dispatch: Dispatch, *, action_group: str = "actions") -> None:
        self.app = app
        self._dispatch = dispatch
        self._action_group = action_group
        self._held: deque[events.Event] = deque()
        self._in_flight = False
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        #: keys dispatched since the start (for tests and the benchmark)
        self.dispatched = 0

    @property
    def held(self) -> int:
        return len(self._held)

    @property
    def idle(self) -> bool:
        return not self._in_flight and not self._held

    async def feed(self, event: events.Event) -> None:
        """An input event from the terminal (called in the App's task)."""
        if self._closed:
            return
        self._held.append(event)
        if not self._in_flight:
            # One hop through the App's queue first: the rest of a burst already queued there is held by then, so
            # a run of characters for a text field goes in as one insertion.
            self._in_flight = True
            if not self.app.call_later(self._next):
                self._in_flight = False

    def close(self) -> None:
        """Shutting down: drop what is held, stop waiting."""
        self._closed = True
        self._held.clear()
        if self._task is not None:
            self._task.cancel()

    # ------------------------------------------------------------------ internals

    def _ready(self) -> bool:
        try:
            screen = self.app.screen
        except Exception:
            return False
        return screen.is_mounted

    async def _next(self) -> None:
        """Dispatch the next held event (App task), then settle before the one after."""
        if self._closed or not self._held:
            self._in_flight = False
            return
        self._in_flight = True
        if not self._ready():  # at start-up, the first screen is not up yet
            self._start_settle(None, set())
            return
        target = self._target()
        event = self._take(target)
        # Characters typed into a text field change nothing but its text: dispatched without settling, in order
        # (the same widget's queue), so 10,000 typed characters cost what Textual's input costs, no more.
        while self._is_text_for(event, target):
            run = [event]
            while self._held and self._plain_text_key(self._held[0], target):
                run.append(self._held.popleft())
            if len(run) > 1 and self._coalescable(target):
                # What typing these characters does, in one insertion (10,000 keys: one repaint, not 10,000).
                await self._dispatch(events.Paste("".join(k.character or "" for k in run if isinstance(k, events.Key))))
            else:
                for key in run:
                    await self._dispatch(key)
            self.dispatched += len(run)
            if not self._held:
                self._in_flight = False
                return
            event = self._take(target)
        workers = self._action_workers()
        before = self._screen()
        try:
            await self._dispatch(event)
        finally:
            self.dispatched += 1
            self._start_settle(target, workers, before)

    def _start_settle(self, target: Widget | None, workers: set[Any], before: Any = None) -> None:
        self._task = asyncio.create_task(self._settle_then_release(target, workers, before))

    async def _settle_then_release(self, target: Widget | None, workers: set[Any], before: Any) -> None:
        try:
            await self._settle(target, workers, before)
        except asyncio.CancelledError:
            return
        except Exception:  # never leave the keyboard held
            log.exception("typeahead: settling failed; releasing the keys")
        if self._closed:
            return
        if not self.app.call_later(self._next):
            self._in_flight = False

    def _take(self, target: Widget | None) -> events.Event:
        """The next held event as it is to be dispatched to ``target``."""
        event = self._held.popleft()
        if isinstance(event, events.Key) and event.key.startswith("alt+"):
            # Decided now, on the screen that receives it (an Alt binding there wins).
            first, *rest = split_alt(event, self._bound)
            self._held.extendleft(reversed(rest))
            return first
        if isinstance(event, events.Paste):
            return events.Paste(clean_paste(event.text, target))
        return event

    def _is_text_for(self, event: events.Event, target: Widget | None) -> bool:
        """A printable key for a focused, editable text field, with no priority binding to run instead."""
        if not isinstance(event, events.Key) or not event.is_printable:
            return False
        if isinstance(target, TextArea):
            if target.read_only:
                return False
        elif not isinstance(target, Input):
            return False
        return not self._bound(event.key, priority_only=True)

    def _plain_text_key(self, event: events.Event, target: Widget | None) -> bool:
        """A held printable key (not an Alt key, decided at dispatch) for the same text field."""
        if isinstance(event, events.Key) and event.key.startswith("alt+"):
            return False
        return self._is_text_for(event, target)

    @staticmethod
    def _coalescable(target: Widget | None) -> bool:
        """Typing a run of characters equals inserting them at once (no per-character filter to apply)."""
        if isinstance(target, TextArea):
            return True
        return isinstance(target, Input) and not target.restrict and not target.max_length

    def _bound(self, key: str, *, priority_only: bool = False) -> bool:
        try:
            chain = self.app._binding_chain
        except Exception:
            return False
        return any(
            binding.priority or not priority_only
            for _node, bindings in chain
            for binding in bindings.key_to_bindings.get(key, ())
        )

    def _screen(self) -> Any:
        try:
            return self.app.screen
        except Exception:
            return None

    def _target(self) -> Widget | None:
        screen = self._screen()
        if screen is None:
            return None
        return screen.focused or screen

    def _action_workers(self) -> set[Any]:
        return {w for w in self.app.workers if w.group == self._action_group and w.is_running}

    async def _marker(self, pump: MessagePump) -> bool:
        """Wait until ``pump`` has processed what was queued on it; True if nothing more was queued meanwhile."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bool] = loop.create_future()

        def reached() -> None:
            if not done.done():
                done.set_result(pump._message_queue.empty())

        if not pump.call_later(reached):
            return True
        try:
            return await asyncio.wait_for(done, MARKER_WAIT)
        except TimeoutError:
            return True

    async def _flush_path(self, start: Widget | None) -> bool:
        """Markers along the path a key travels: the widget, each ancestor, the screen, the App (in turn)."""
        quiet = True
        if start is not None:
            for node in start.ancestors_with_self:
                if node is self.app:
                    break
                quiet = await self._marker(node) and quiet
        await self._marker(self.app)
        return quiet

    async def _settle(self, target: Widget | None, workers: set[Any], before: Any) -> None:
        loop = asyncio.get_running_loop()
        action_deadline = loop.time() + ACTION_WAIT
        last: tuple[Any, Any] | None = None
        path = target
        for _ in range(MAX_ROUNDS):
            quiet = await self._flush_path(path)
            screen = self._screen()
            if screen is not None and screen.is_mounted:
                # What the screen asked to do after its next refresh (a wizard focusing its step), then what that
                # asked of the App (the focus itself is an ``app.call_later``).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(screen.wait_for_refresh(), MARKER_WAIT)
                await self._marker(self.app)
                screen = self._screen()
            if screen is None:
                return
            if not screen.is_mounted:
                try:
                    await asyncio.wait_for(screen._mounted_event.wait(), ACTION_WAIT)
                except TimeoutError:
                    return
                last, path = None, screen.focused or screen
                continue
            state = (screen, screen.focused)
            path = screen.focused or screen
            if state != last or not quiet:
                last = state
                continue
            # Settled on screen; an action the key started may still be opening its dialog.
            started = self._action_workers() - workers
            if started and screen is before and loop.time() < action_deadline:
                await asyncio.sleep(0.01)
                last = None
                continue
            return


def clean_paste(text: str, target: Widget | None) -> str:
    """A paste without control characters; line breaks kept only for a multi-line field."""
    return clean_input(text, multiline=isinstance(target, TextArea))


class PasteSafeParser(XTermParser):
    """Textual's parser, except that an ESC inside a bracketed paste is dropped instead of read as a key."""

    START = "\x1b[200~"
    END = "\x1b[201~"

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._in_paste = False
        self._tail = ""  # the end of what was passed on outside a paste (a start sequence split across reads)
        self._pending = ""  # inside a paste: a possible start of the end sequence, held for the next read

    def _filter(self, data: str) -> str:
        out: list[str] = []
        data = self._pending + data
        self._pending = ""
        i = 0
        while i < len(data):
            if not self._in_paste:
                seen = self._tail + data[i:]
                j = seen.find(self.START)
                if j < 0:
                    out.append(data[i:])
                    self._tail = seen[-(len(self.START) - 1) :]
                    return "".join(out)
                end = j + len(self.START) - len(self._tail)  # index in data just after the start sequence
                out.append(data[i : i + end])
                i += end
                self._tail = ""
                self._in_paste = True
                continue
            k = data.find("\x1b", i)
            if k < 0:
                out.append(data[i:])
                return "".join(out)
            out.append(data[i:k])
            rest = data[k:]
            if rest.startswith(self.END):
                out.append(self.END)
                i = k + len(self.END)
                self._in_paste = False
                continue
            if self.END.startswith(rest):  # the end sequence, cut by the read: wait for the rest
                self._pending = rest
                return "".join(out)
            i = k + 1  # an ESC inside the paste: dropped
        return "".join(out)

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Any:
        """Esc then a key (within ESCDELAY) comes here with ``alt``: Textual keeps the Alt only for letters and
        digits and silently drops the Esc before ``:``, ``/``, Enter... Keep it on every key, as ``alt+<key>``, so
        the key gate can hand it on as Esc followed by the key (see :func:`split_alt`)."""
        for event in super()._sequence_to_key_events(sequence, alt):
            if alt and len(sequence) == 1 and not event.key.startswith("alt+"):
                yield events.Key(f"alt+{event.key}", event.character)
            else:
                yield event

    def feed(self, data: str) -> Any:
        if not data:
            return super().feed(data)
        return super().feed(self._filter(data))


def install_paste_safe_parser() -> bool:
    """Make Textual's Linux driver read the terminal with :class:`PasteSafeParser` (idempotent)."""
    try:
        from textual.drivers import linux_driver
    except ImportError:  # pragma: no cover - not on this platform
        return False
    if linux_driver.XTermParser is not PasteSafeParser:
        linux_driver.XTermParser = PasteSafeParser  # type: ignore[misc]
    return True
