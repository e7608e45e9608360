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

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from cloudzy_tui.ops.bulk import BULK_LIMIT, BulkPlan, count_of, nouns
from cloudzy_tui.ui.text import safe_text

#: targets listed before "... and N more" (the list scrolls; beyond this it would only cost time to build)
MAX_LISTED = 2000


class BulkConfirmModal(ModalScreen[object]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal.cancel"),
    ]

    DEFAULT_CSS = """
    BulkConfirmModal #bulk-targets {
        height: auto;
        max-height: 50vh;
        border: round $panel;
        padding: 0 1;
        margin-bottom: 1;
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

    def targets(self) -> Group:
        """Every target: those that will run, then those refused with the reason (a hanging indent each)."""
        plan = self.plan
        parts: list[RenderableType] = []
        budget = MAX_LISTED

        def grid() -> Table:
            table = Table.grid(padding=(0, 1))
            table.add_column(width=3, justify="right", no_wrap=True)
            table.add_column(ratio=1)
            return table

        allowed, refused = plan.allowed, plan.refused
        if allowed:
            parts.append(Text(f"Will run ({len(allowed)}):", style="bold"))
            table = grid()
            for target in allowed[:budget]:
                table.add_row(Text("✓", style="green"), safe_text(target.line, max_length=120))
            budget -= min(budget, len(allowed))
            parts.append(table)
        if refused:
            parts.append(Text(f"Refused ({len(refused)}), nothing sent for these:", style="bold"))
            table = grid()
            for target in refused[:budget]:
                line = Text(end="")  # wraps (safe_text's one-line values do not)
                line.append_text(safe_text(target.line, max_length=120))
                line.append("\n")
                line.append_text(safe_text(plan.reason(target), style="red", single_line=False, max_length=300))
                table.add_row(Text("✗", style="red"), line)
            budget -= min(budget, len(refused))
            parts.append(table)
        listed = MAX_LISTED - budget
        if listed < len(plan.targets):
            parts.append(Text(f"… and {len(plan.targets) - listed} more", style="dim"))
        return Group(*parts)

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
            with VerticalScroll(id="bulk-targets"):
                yield Static(self.targets(), id="bulk-list")
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

    def on_mount(self) -> None:
        # Set at once (not ``widget.focus()``, which is deferred): keys typed ahead go to the right place.
        if self._require is not None:
            self.set_focus(self.query_one("#require-input", Input))
        else:
            self.set_focus(self.query_one("#cancel", Button))

    def _matches(self, value: str) -> bool:
        return self._require is not None and value == self._require

    @on(Input.Changed, "#require-input")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#confirm", Button).disabled = not self._matches(event.value)
        self.query_one("#require-prompt", Static).update(self._prompt())

    @on(Input.Submitted, "#require-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if self._matches(event.value):
            self.dismiss(event.value)
            return
        self.app.bell()
        self.query_one("#require-prompt", Static).update(self._prompt(mismatch=bool(event.value), typed=event.value))

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
