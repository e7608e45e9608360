"""One confirmation for an operation on every marked row (``ops/bulk.py`` decides what it asks).

It lists every target (the list scrolls), the ones that will run first, then the ones refused with the reason
(protected, read-only, the host the console runs on, a state the operation does not apply to): nothing is sent for
those. A bulk that destroys asks for the number of targets typed: the dialog opens with focus on that field, and
Enter confirms only when what was typed is exactly the number. Otherwise Cancel is focused (a reflexive Enter never
runs anything). Esc cancels. When every target is refused there is nothing to confirm: the dialog says so, lists
why, and only closes.

Dismissed with the answer for :func:`cloudzy_tui.ops.bulk.run_bulk` (``True``, or the typed count), or ``None``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Button, Input, Label, Static

from cloudzy_tui.ops.bulk import BULK_LIMIT, BulkPlan, count_of, nouns
from cloudzy_tui.ui.modals.confirm import TypedConfirmation
from cloudzy_tui.ui.text import safe_text


class TargetList(ScrollView, can_focus=True):
    """The targets, one line each, rendered only as they scroll into view: 1,000 targets open as fast as ten.

    A line wider than the list wraps with a hanging indent (a long refusal reason); the lines are laid out again
    only when the width changes."""

    # Moves without animation: every frame of a smooth scroll would cross the SSH link.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup", "move(-10)", "Page up", show=False),
        Binding("pagedown", "move(10)", "Page down", show=False),
        Binding("home", "move(-1000000)", "First", show=False),
        Binding("end", "move(1000000)", "Last", show=False),
    ]

    def action_move(self, lines: int) -> None:
        if abs(lines) == 10:
            lines = max(1, self.scrollable_content_region.height - 1) * (1 if lines > 0 else -1)
        self.scroll_to(y=max(0, min(self.max_scroll_y, int(self.scroll_y) + lines)), animate=False)

    DEFAULT_CSS = """
    TargetList {
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    """

    def __init__(self, lines: list[Text], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._source = lines
        self._lines: list[Text] = list(lines)
        self._laid_out_for = -1
        self._strips: dict[int, Strip] = {}
        self.virtual_size = Size(0, len(lines))

    @property
    def text(self) -> str:
        """The lines as laid out, as plain text."""
        return "\n".join(line.plain for line in self._lines)

    def _layout(self, width: int) -> None:
        if width == self._laid_out_for or width <= 4:
            return
        self._laid_out_for = width
        lines: list[Text] = []
        for line in self._source:
            if line.cell_len <= width:
                lines.append(line)
                continue
            indent = len(line.plain) - len(line.plain.lstrip(" ")) + 2
            for number, part in enumerate(line.wrap(self.app.console, width - indent if width > indent + 8 else width)):
                part.rstrip()
                lines.append(Text(" " * indent) + part if number else part)
        self._lines = lines
        self._strips.clear()
        self.virtual_size = Size(width, len(lines))
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._layout(width - 1 if width > 1 else width)  # the scrollbar's column
        return len(self._lines)

    def on_resize(self) -> None:
        self._layout(self.scrollable_content_region.width - 1)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_y) + y
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            line = self._lines[index].copy()
            line.no_wrap = True
            line.end = ""
            strip = Strip(list(line.render(self.app.console)))
            self._strips[index] = strip
        return strip.crop_extend(0, width, self.rich_style).apply_style(self.rich_style)


class BulkConfirmModal(TypedConfirmation[object]):
    DEFAULT_CSS = """
    BulkConfirmModal #bulk-targets {
        height: auto;
        max-height: 50vh;
        border: round $panel;
        padding: 0 0 0 1;
        margin-bottom: 1;
    }
    BulkConfirmModal #bulk-targets:focus {
        border: round $accent;
    }
    BulkConfirmModal #bulk-counts {
        height: auto;
    }
    BulkConfirmModal #require-prompt {
        padding-top: 1;
    }
    """

    def __init__(self, plan: BulkPlan) -> None:
        super().__init__(classes="modal")
        self.plan = plan
        confirmation = plan.confirmation
        self._require = confirmation.require if confirmation.level == "type" and plan.allowed else None
        self._danger = plan.op.mutating and (plan.op.disruptive or plan.op.danger != "none" or plan.op.destroys)

    # ------------------------------------------------------------------ content

    def _title(self) -> Text:
        plan = self.plan
        if not plan.allowed:
            return Text(f"{plan.op.title}: nothing to run", style="bold")
        return Text(plan.confirmation.title, style="bold")

    def _message(self) -> Text:
        plan = self.plan
        if not plan.allowed:
            singular, plural = nouns(plan.op.resource)
            if len(plan.targets) == 1:
                return Text(f"The marked {singular} is refused: nothing is sent.", style="bold")
            return Text(f"All {len(plan.targets)} marked {plural} are refused: nothing is sent.", style="bold")
        question, _, rest = plan.confirmation.message.partition("\n")
        text = safe_text(question, style="bold", max_length=300)
        if rest:
            text.append("\n")
            text.append_text(safe_text(rest, single_line=False, max_length=1000))
        return text

    def target_lines(self) -> list[Text]:
        """Every target, one logical line each: those that will run, then those refused with the reason."""
        plan = self.plan
        lines: list[Text] = []
        allowed, refused = plan.allowed, plan.refused
        if allowed:
            lines.append(Text(f"Will run ({len(allowed)}):", style="bold"))
            for target in allowed:
                line = Text("  ✓ ", style="green")
                line.append_text(safe_text(target.line, max_length=120))
                lines.append(line)
        if refused:
            lines.append(Text(f"Refused ({len(refused)}), nothing sent for these:", style="bold"))
            for target in refused:
                line = Text("  ✗ ", style="red")
                line.append_text(safe_text(target.line, max_length=120))
                lines.append(line)
                reason = Text("    ")
                reason.append_text(safe_text(plan.reason(target), style="red", max_length=300))
                lines.append(reason)
        return lines

    def _counts(self) -> Text:
        plan = self.plan
        text = Text(f"{len(plan.allowed)} will run", style="bold")
        if plan.refused:
            text.append(f" · {len(plan.refused)} refused (not run)", style="bold red")
        text.append(f" · {BULK_LIMIT} at a time", style="dim")
        return text

    def _prompt(self, *, mismatch: bool = False, typed: str = "") -> Text:
        plan = self.plan
        n = len(plan.allowed)
        prompt = Text("Type ")
        prompt.append(str(self._require), style="bold")
        verb = plan.op.title.lower()
        prompt.append(f" (the number of {nouns(plan.op.resource)[1]} to {verb}) to confirm:")
        if mismatch:
            prompt.append("\n")
            prompt.append_text(safe_text(typed, style="bold red", max_length=20))
            prompt.append(f" is not {n}: type exactly {n}", style="bold red")
        return prompt

    # ------------------------------------------------------------------ widgets

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog danger" if self._danger else "dialog"):
            yield Label(self._title(), id="dialog-title")
            yield Static(self._message(), id="dialog-message")
            yield TargetList(self.target_lines(), id="bulk-targets")
            if self.plan.allowed:
                yield Static(self._counts(), id="bulk-counts")
            if self._require is not None:
                yield Static(self._prompt(), id="require-prompt")
                yield Input(placeholder=f"number of {nouns(self.plan.op.resource)[1]}", id="require-input")
            with Horizontal(classes="buttons"):
                if self.plan.allowed:
                    yield Button("Cancel", id="cancel", variant="default")
                    yield Button(
                        f"{self.plan.op.title} {count_of(len(self.plan.allowed), self.plan.op.resource)}",
                        id="confirm",
                        variant="error" if self._danger else "primary",
                        disabled=self._require is not None,
                    )
                else:
                    yield Button("Close", id="cancel", variant="primary")

    def _answer(self, typed: str) -> object:
        return typed  # run_bulk checks the typed count again

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        if self._require is None:
            self.dismiss(True)
            return
        value = self.query_one("#require-input", Input).value
        if self._matches(value):
            self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
