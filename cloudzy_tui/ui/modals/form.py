"""One generic modal form: fields, validation at the field, a submit that may fail without losing anything.

The form stays open until ``submit`` succeeds: client-side validation errors and server 422s appear under the
fields they name, other errors above the buttons, and what the user typed stays where it was. The submit button is
disabled while a request is in flight, so nothing is sent twice.

At the keyboard: ctrl+s submits from any field (said in the dialog's bottom border, beside Esc), as the button
does; the first field in error is focused and scrolled into view with its message (at 80x24 a form scrolls);
control characters typed or pasted into a text field are removed before the submit sees the value
(``ui/inputs.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Literal, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList, Static, TextArea

from cloudzy_tui.ui.forms import RoutedErrors, route_exception
from cloudzy_tui.ui.inputs import clean_input

R = TypeVar("R")

FieldKind = Literal["text", "secret", "int", "number", "bool", "choice", "multi", "textarea"]


@dataclass
class FormField:
    name: str
    label: str
    kind: FieldKind = "text"
    value: Any = None
    choices: Sequence[tuple[Text | str, Any]] = ()
    placeholder: str = ""
    help: str = ""
    required: bool = False
    # Other names a server or model error may use for this field (JSON names, dotted paths).
    aliases: tuple[str, ...] = ()


class FormError(Exception):
    """Raised by a submit function to put messages on fields without calling the API."""

    def __init__(self, by_field: dict[str, str] | None = None, general: str | None = None) -> None:
        super().__init__(general or "; ".join((by_field or {}).values()))
        self.by_field = by_field or {}
        self.general = general


Submit = Callable[[dict[str, Any]], Awaitable[R]]


class FormModal(ModalScreen[R | None], Generic[R]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal.cancel"),
        Binding("ctrl+s", "submit", "Submit", id="form.submit"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        submit: Submit[R],
        *,
        submit_label: str = "Save",
        description: Text | str | None = None,
        danger: bool = False,
    ) -> None:
        super().__init__(classes="modal")
        self.form_title = title
        self.fields = list(fields)
        self._submit = submit
        self._submit_label = submit_label
        self._description = description
        self._danger = danger
        self.busy = False

    # ------------------------------------------------------------- compose

    def _widget_for(self, f: FormField) -> Widget:
        wid = f"field-{f.name}"
        if f.kind == "bool":
            return Checkbox(f.label, value=bool(f.value), id=wid)
        if f.kind == "choice":
            options = [(label if isinstance(label, Text) else Text(str(label)), value) for label, value in f.choices]
            kwargs: dict[str, Any] = {"allow_blank": not f.required or f.value is None}
            if f.value is not None and any(v == f.value for _, v in f.choices):
                kwargs["value"] = f.value
            return Select(options, id=wid, prompt=f.placeholder or "Choose…", **kwargs)
        if f.kind == "multi":
            chosen = set(f.value or ())
            return SelectionList[Any](
                *[
                    (label if isinstance(label, Text) else Text(str(label)), value, value in chosen)
                    for label, value in f.choices
                ],
                id=wid,
            )
        if f.kind == "textarea":
            area = TextArea(str(f.value or ""), id=wid, soft_wrap=True, show_line_numbers=False)
            return area
        value = "" if f.value is None else str(f.value)
        restrict = {"int": r"-?[0-9]*", "number": r"-?[0-9]*\.?[0-9]*"}.get(f.kind)
        return Input(
            value,
            placeholder=f.placeholder,
            password=f.kind == "secret",
            restrict=restrict,
            id=wid,
        )

    def compose(self) -> ComposeResult:
        dialog = Vertical(id="dialog", classes="dialog form danger" if self._danger else "dialog form")
        dialog.border_subtitle = f"ctrl+s {self._submit_label} · Esc Cancel"
        with dialog:
            yield Label(Text(self.form_title, style="bold"), id="dialog-title")
            if self._description is not None:
                yield Static(self._description, id="dialog-message")
            with VerticalScroll(id="form-fields"):
                for f in self.fields:
                    with Vertical(classes="form-row", id=f"row-{f.name}"):
                        if f.kind != "bool":
                            yield Label(Text(f.label + (" *" if f.required else "")), classes="field-label")
                        yield self._widget_for(f)
                        if f.help:
                            yield Static(Text(f.help), classes="field-help")
                        yield Static("", classes="field-error", id=f"error-{f.name}")
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self._submit_label, id="submit", variant="error" if self._danger else "primary")

    def on_mount(self) -> None:
        first = next((f for f in self.fields), None)
        if first is not None:
            # At once (``widget.focus()`` is deferred): keys typed ahead land in the first field.
            # Not scrolled to: the form opens at its top, the first field's label in view.
            self.set_focus(self.query_one(f"#field-{first.name}"), scroll_visible=False)
        for error in self.query(".field-error"):
            error.display = False
        self.query_one("#form-error").display = False

    # -------------------------------------------------------------- values

    def field_widget(self, name: str) -> Widget:
        return self.query_one(f"#field-{name}")

    def raw_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for f in self.fields:
            widget = self.field_widget(f.name)
            if isinstance(widget, Checkbox):
                values[f.name] = widget.value
            elif isinstance(widget, Select):
                values[f.name] = None if widget.value is Select.NULL else widget.value
            elif isinstance(widget, SelectionList):
                values[f.name] = list(widget.selected)
            elif isinstance(widget, TextArea):
                values[f.name] = widget.text
            elif isinstance(widget, Input):
                values[f.name] = widget.value
        return values

    def _parse(self) -> tuple[dict[str, Any], RoutedErrors]:
        errors = RoutedErrors()
        values = self.raw_values()
        for f in self.fields:
            value = values[f.name]
            if isinstance(value, str):
                value = clean_input(value, multiline=f.kind == "textarea").strip()
                values[f.name] = value
            if f.required and value in (None, "", []):
                errors.add(f.name, "required")
                continue
            if f.kind in ("int", "number") and value not in (None, ""):
                try:
                    values[f.name] = int(value) if f.kind == "int" else float(value)
                except ValueError:
                    errors.add(f.name, "enter a number" if f.kind == "number" else "enter a whole number")
            elif f.kind in ("int", "number"):
                values[f.name] = None
        return values, errors

    def show_errors(self, errors: RoutedErrors) -> None:
        for f in self.fields:
            box = self.query_one(f"#error-{f.name}", Static)
            messages = errors.by_field.get(f.name, [])
            box.update(Text("; ".join(messages), style="bold"))
            box.display = bool(messages)
            self.query_one(f"#row-{f.name}").set_class(bool(messages), "invalid")
        general = self.query_one("#form-error", Static)
        general.update(Text("\n".join(errors.general)))
        general.display = bool(errors.general)
        first = next((f for f in self.fields if f.name in errors.by_field), None)
        if first is not None:
            self.reveal_field(first.name)
        elif errors.general:
            self.call_after_refresh(general.scroll_visible, animate=False)

    def reveal_field(self, name: str) -> None:
        """Focus a field and scroll its whole row (label, field, message) into view, after the layout settles."""
        self.set_focus(self.field_widget(name), scroll_visible=False)
        row = self.query_one(f"#row-{name}")
        self.call_after_refresh(row.scroll_visible, animate=False)

    def _known_names(self) -> dict[str, str]:
        known: dict[str, str] = {}
        for f in self.fields:
            known[f.name] = f.name
            for alias in f.aliases:
                known[alias] = f.name
        return known

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(TextArea.Changed)
    @on(SelectionList.SelectedChanged)
    def _on_field_edited(
        self,
        event: Input.Changed | Select.Changed | Checkbox.Changed | TextArea.Changed | SelectionList.SelectedChanged,
    ) -> None:
        """Editing a field takes its error away (the next submit checks it again)."""
        wid = event.control.id if event.control is not None else None
        if not wid or not wid.startswith("field-"):
            return
        name = wid.removeprefix("field-")
        for box in self.query(f"#error-{name}").results(Static):
            box.update("")
            box.display = False
        for row in self.query(f"#row-{name}"):
            row.remove_class("invalid")

    # -------------------------------------------------------------- submit

    @on(Button.Pressed, "#submit")
    @on(Input.Submitted)
    def _on_submit(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        if self.busy:
            return
        values, errors = self._parse()
        if not errors.empty:
            self.show_errors(errors)
            return
        self._set_busy(True)
        self._run_submit(values)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        button = self.query_one("#submit", Button)
        button.disabled = busy
        button.label = "Working…" if busy else self._submit_label

    @work(group="form-submit", exclusive=False, exit_on_error=False)
    async def _run_submit(self, values: dict[str, Any]) -> None:
        try:
            result = await self._submit(values)
        except FormError as exc:
            errors = RoutedErrors()
            for name, message in exc.by_field.items():
                errors.add(name, message)
            if exc.general:
                errors.add(None, exc.general)
            self._set_busy(False)
            self.show_errors(errors)
            return
        except Exception as exc:  # every failure lands on the form; nothing typed is lost
            self._set_busy(False)
            self.show_errors(route_exception(exc, self._known_names()))
            return
        self._set_busy(False)
        self.dismiss(result)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        if self.busy:
            self.notify("A request is in flight; wait for its answer.", severity="warning", markup=False)
            return
        self.dismiss(None)
