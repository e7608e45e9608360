"""The create-instance wizard screen: navigation between the step views, errors on their fields, and the order.

One modal screen, nine steps in a ``ContentSwitcher``. Every widget is composed once and kept, and every change is
mirrored into one :class:`~cloudzy_tui.ops.create_draft.Draft`, so Back/Next never lose anything; lists that depend
on earlier choices (classes and products of the region, the OSes of an application, the features a region supports)
are rebuilt from the draft when their step is entered, keeping the draft's choice when it is still valid.

Keys: Enter on a list chooses and moves on (in the application list it moves to the OS list), Enter in a text
field moves on, Tab walks fields and buttons, ``ctrl+n``/``alt+n`` next, ``alt+b`` back, Esc cancels (asking
first when something was entered). Single choices are ``OptionList``s whose highlighted option is the choice.

Errors land on the step and field that caused them: the draft's rules when leaving a step, the request model's
checks and a server 422 (via :func:`route_field_errors`) when Create is pressed; a 460 shows the required and
available balance on the review step. Create is disabled while the request is in flight; a request whose outcome is
unknown is never resent: the wizard looks the hostnames up and says which instances exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

import pydantic
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, ContentSwitcher, Input, Label, OptionList, Static

from cloudzy_tui.api import (
    CloudzyError,
    CreateInstanceRequest,
    Instance,
    InstanceFilters,
    LowBalanceError,
    OutcomeUnknownError,
    field_errors_from_pydantic,
)
from cloudzy_tui.api import ValidationError as ApiValidationError
from cloudzy_tui.ops import Outcome, Refused
from cloudzy_tui.ops import instances as instance_ops
from cloudzy_tui.ops.create_draft import (
    ERROR_FIELDS,
    FIELD_BY_NAME,
    FIELDS,
    REVIEW,
    STEP_IDS,
    STEPS,
    WIDGET_ATTR,
    Choices,
    Draft,
    fields_of,
    wire_fields,
)
from cloudzy_tui.ui.forms import RoutedErrors, route_exception, route_field_errors
from cloudzy_tui.ui.modals.create_wizard.steps import STEP_VIEWS, StepView, WizardForm
from cloudzy_tui.ui.text import clean
from cloudzy_tui.units import money

if TYPE_CHECKING:
    from cloudzy_tui.api import Application, Iso, OperatingSystem, Region, Snapshot, SshKey
    from cloudzy_tui.ui.services import Console

__all__ = ["CreateWizard"]

# Short names for the step strip (fits 80 columns on one line).
STEP_SHORT: dict[str, str] = {"hostnames": "Hosts", "ssh": "Keys"}
#: widget id → the step it is on
WIDGET_STEP: dict[str, str] = {f.widget: f.step for f in FIELDS}


class CreateWizard(ModalScreen["list[Instance] | None"]):
    """Dismissed with the created instances (``None`` when cancelled before anything was created)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="wizard.cancel"),
        # The app's "q" (quit) would throw away everything typed: here it closes the wizard, asking first.
        Binding("q", "cancel", "Close", show=False, id="wizard.close"),
        Binding("ctrl+n", "next", "Next", id="wizard.next"),
        Binding("alt+n", "next", "Next", show=False, id="wizard.next_alt"),
        Binding("alt+b", "back", "Back", id="wizard.back"),
        # As in every form: ctrl+s submits from any field (here: on to the review, step by step, stopping at the
        # first error; on the review, Create).
        Binding("ctrl+s", "submit", "Review/Create", id="wizard.submit"),
    ]

    def __init__(
        self,
        *,
        regions: Sequence[Region],
        systems: Sequence[OperatingSystem],
        applications: Sequence[Application] = (),
        ssh_keys: Sequence[SshKey] = (),
        notes: dict[str, str] | None = None,
        known_ids: Iterable[str] = (),
        draft: Draft | None = None,
        isos: Sequence[Iso] = (),
        snapshots: Sequence[Snapshot] = (),
    ) -> None:
        super().__init__(classes="modal")
        #: what may be chosen: offerable regions, active systems and applications, ACTIVE snapshots, custom ISOs
        #: (offered when READY in the chosen region), products per region as they load
        self.choices = Choices.offered(
            regions=regions,
            systems=systems,
            applications=applications,
            ssh_keys=ssh_keys,
            isos=isos,
            snapshots=snapshots,
            notes=notes,
        )
        self.known_ids = set(known_ids)
        self.draft = draft or Draft()
        self.step = 0
        self.busy = False
        #: instances known to exist after a request whose answer was lost (kept, returned on dismiss)
        self.created: list[Instance] = []
        self.outcome: Outcome | None = None
        #: hostnames of a request whose outcome is still unknown (Create then checks instead of sending)
        self.unresolved: list[str] | None = None
        self.errors: dict[str, list[str]] = {}
        self.general_error: Text | None = None
        # option list id -> {option id -> value}; events of options no longer listed are ignored
        self._values: dict[str, dict[str, Any]] = {}
        self.form = WizardForm(self.draft, self.choices, self._values, self._load_products)
        self.views: dict[str, StepView] = {view.STEP: view(self.form) for view in STEP_VIEWS}

    @property
    def cloudzy(self) -> Console:
        return cast("Console", self.app)

    # ------------------------------------------------------------- compose

    def compose(self) -> ComposeResult:
        with Vertical(id="wizard"):
            yield Label("", id="wizard-title")
            yield Static("", id="wizard-steps")
            with ContentSwitcher(initial="step-region", id="wizard-body"):
                yield from self.views.values()
            with Horizontal(id="wizard-buttons"):
                yield Button("Cancel", id="wizard-cancel", compact=True)
                yield Button("Back", id="wizard-back", compact=True)
                yield Button("Next", id="wizard-next", variant="primary", compact=True)
                yield Button("Create", id="wizard-create", variant="success", compact=True)
            yield Static(
                Text("Enter next · Tab move · alt+b back · ctrl+s review/create · Esc cancel", style="dim"),
                id="wizard-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#review-error", Static).display = False
        for view in self.views.values():
            view.prepare()
        self._go(0)

    def _view_of(self, widget_id: str | None) -> StepView | None:
        step = WIDGET_STEP.get(widget_id or "")
        return self.views[step] if step is not None else None

    # ------------------------------------------------------------- lists

    def _event_value(self, event: OptionList.OptionMessage) -> tuple[str, Any] | None:
        list_id = event.option_list.id or ""
        values = self._values.get(list_id)
        option = event.option
        if values is None or option.id not in values or option.disabled:
            return None
        if not any(o is option for o in event.option_list.options):
            return None  # a message about an option list that has been refilled since
        return list_id, values[option.id]

    @on(OptionList.OptionHighlighted)
    def _option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        found = self._event_value(event)
        view = self._view_of(found[0]) if found is not None else None
        if found is not None and view is not None:
            view.choose(*found)

    @on(OptionList.OptionSelected)
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        found = self._event_value(event)
        view = self._view_of(found[0]) if found is not None else None
        if found is None or view is None:
            return
        view.choose(*found)
        if not view.chosen(*found):
            self.action_next()

    # ------------------------------------------------------------- products

    @work(group="wizard-products", exclusive=True, exit_on_error=False)
    async def _load_products(self, region_id: str) -> None:
        c = self.choices
        try:
            products = await self.cloudzy.catalog.products_for(region_id)
        except CloudzyError as exc:
            c.products_error[region_id] = exc.message
        else:
            c.products[region_id] = products
            c.products_error.pop(region_id, None)
        if region_id == self.draft.region_id and STEP_IDS[self.step] in ("class", "plan"):
            self.views[STEP_IDS[self.step]].populate()

    # ------------------------------------------------------------- input mirrors

    def _mirror(self, widget_id: str | None, value: Any) -> None:
        attr = WIDGET_ATTR.get(widget_id or "")
        view = self._view_of(widget_id)
        if attr is None or view is None:
            return
        setattr(self.draft, attr, value)
        view.mirrored(attr, current=STEP_IDS[self.step] == view.STEP)

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        self._mirror(event.input.id, event.value)

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    @on(Checkbox.Changed)
    def _checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._mirror(event.checkbox.id, event.value)

    # ------------------------------------------------------------- errors shown

    def _show_errors(self, fields: Iterable[str], errors: Mapping[str, list[str]]) -> None:
        """Replace the messages of ``fields`` with those in ``errors`` (others stay as they are)."""
        for name in fields:
            messages = errors.get(name, [])
            if messages:
                self.errors[name] = list(messages)
            else:
                self.errors.pop(name, None)
            box = self.query_one(f"#err-{name}", Static)
            box.update(Text("\n".join(messages)))
            box.display = bool(messages)
        self._update_header()

    def _set_general(self, text: Text | None) -> None:
        self.general_error = text
        box = self.query_one("#review-error", Static)
        box.update(text or "")
        box.display = text is not None

    def _focus_field(self, name: str) -> None:
        """Focus the field in error and scroll it and its message into view (at 80x24 a step scrolls)."""
        widget = self.query_one(f"#{FIELD_BY_NAME[name].widget}", Widget)
        if widget.display and widget.focusable:
            self.set_focus(widget, scroll_visible=False)
        box = self.query_one(f"#err-{name}", Static)

        def reveal() -> None:
            widget.scroll_visible(animate=False)
            if box.display:
                box.scroll_visible(animate=False)

        self.call_after_refresh(reveal)

    # ------------------------------------------------------------- navigation

    def _update_header(self) -> None:
        title = STEPS[self.step][1]
        self.query_one("#wizard-title", Label).update(
            Text.assemble(("New instance", "bold"), f"  ·  Step {self.step + 1}/{len(STEPS)} · {title}")
        )
        failing = {FIELD_BY_NAME[f].step for f in self.errors}
        strip = Text()
        for i, (sid, name) in enumerate(STEPS):
            if i:
                strip.append(" › ", style="dim")
            name = STEP_SHORT.get(sid, name)
            style = "bold reverse" if i == self.step else ("dim" if i > self.step else "")
            if sid in failing:
                style += " red"
            strip.append(name, style=style.strip())
        self.query_one("#wizard-steps", Static).update(strip)

    def _update_buttons(self) -> None:
        last = self.step == REVIEW
        self.query_one("#wizard-back", Button).disabled = self.step == 0 or self.busy
        next_button = self.query_one("#wizard-next", Button)
        next_button.display = not last
        next_button.disabled = self.busy
        create = self.query_one("#wizard-create", Button)
        create.display = last
        create.disabled = self.busy
        if self.busy:
            create.label = "Creating…" if self.unresolved is None else "Checking…"
        else:
            create.label = "Check again" if self.unresolved is not None else "Create"

    def _go(self, index: int, *, focus: bool = True) -> None:
        self.step = max(0, min(REVIEW, index))
        step_id = STEP_IDS[self.step]
        self.views[step_id].populate()
        if step_id == "review":
            self._set_general(self.general_error)
        self.query_one("#wizard-body", ContentSwitcher).current = f"step-{step_id}"
        self._update_header()
        self._update_buttons()
        if focus:
            self.call_after_refresh(self._focus_step, step_id)

    def _focus_step(self, step_id: str) -> None:
        if STEP_IDS[self.step] != step_id:
            return
        if step_id == "review":
            self.query_one("#wizard-create", Button).focus()
            return
        widget = self.views[step_id].focus_target()
        (widget if widget is not None else self.query_one("#wizard-next", Button)).focus()

    def action_submit(self) -> None:
        """ctrl+s: Create on the review; before it, Next until the review or the first step with an error."""
        if self.busy:
            return
        if self.step == REVIEW:
            self.action_create()
            return
        while self.step < REVIEW:
            before = self.step
            self.action_next()
            if self.step == before:  # stopped at an error (shown and focused by action_next)
                return

    def action_next(self) -> None:
        if self.busy:
            return
        if self.step == REVIEW:
            self.action_create()
            return
        step_id = STEP_IDS[self.step]
        errors = self.draft.validate(step_id, self.choices)
        self._show_errors(fields_of(step_id), errors)
        if errors:
            self._focus_field(next(iter(errors)))
            return
        self._go(self.step + 1)

    def action_back(self) -> None:
        if self.busy or self.step == 0:
            return
        self._go(self.step - 1)

    @on(Button.Pressed, "#wizard-next")
    def _next_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_next()

    @on(Button.Pressed, "#wizard-back")
    def _back_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_back()

    @on(Button.Pressed, "#wizard-create")
    def _create_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_create()

    @on(Button.Pressed, "#wizard-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        if self.busy:
            self.notify("A request is in flight; wait for its answer.", severity="warning", markup=False)
            return
        if self.step == 0 and not self.draft.has_input():
            self.dismiss(self.created or None)
            return
        from cloudzy_tui.ui.modals.confirm import ConfirmModal

        def done(discard: bool | None) -> None:
            if discard:
                self.dismiss(self.created or None)

        message = Text("Close the wizard? What was entered is lost.")
        if self.created:
            message.append(f"\n{len(self.created)} instance(s) already exist and stay; they will be followed.")
        self.app.push_screen(
            ConfirmModal("Discard the new instance?", message, confirm_label="Discard", danger=True), done
        )

    # ------------------------------------------------------------- building and sending

    def _route(self, exc: BaseException, names: Sequence[str]) -> RoutedErrors:
        """Errors to fields; a hostname error with an index names the hostname."""
        known = wire_fields(self.draft.custom)
        if isinstance(exc, pydantic.ValidationError):
            field_errors = field_errors_from_pydantic(exc)
        elif isinstance(exc, ApiValidationError):
            field_errors = exc.field_errors
        else:
            return route_exception(exc, known)
        by_host = [e for e in field_errors if e.field == "hostnames" and e.index is not None and e.index < len(names)]
        rest = [
            e for e in field_errors if not (e.field == "hostnames" and e.index is not None and e.index < len(names))
        ]
        routed = route_field_errors(rest, known)
        for error in by_host:
            assert error.index is not None
            name = clean(names[error.index], max_length=63)
            routed.add("hostnames", f"{name}: {clean(error.message, max_length=300)}")
        if routed.empty:
            routed.add(None, clean(getattr(exc, "message", str(exc)), max_length=500))
        return routed

    def _show_routed(self, routed: RoutedErrors) -> None:
        """Put errors on their fields and jump to the first step that has one (else stay on the review)."""
        self._show_errors(ERROR_FIELDS, routed.by_field)
        self._set_general(Text("\n".join(routed.general)) if routed.general else None)
        first = next((f for f in ERROR_FIELDS if f in routed.by_field), None)
        if first is None:
            self._go(REVIEW, focus=False)
            self.query_one("#wizard-create", Button).focus()
            return
        self._go(STEP_IDS.index(FIELD_BY_NAME[first].step), focus=False)
        self.call_after_refresh(self._focus_field, first)

    def action_create(self) -> None:
        if self.busy or self.step != REVIEW:
            return
        if self.unresolved is not None:
            self._set_busy(True)
            self._check_outcome(list(self.unresolved))
            return
        routed = RoutedErrors(by_field=self.draft.validate_all(self.choices))
        if routed.empty:
            try:
                request = self.draft.to_request(self.choices)
            except (pydantic.ValidationError, ValueError) as exc:
                routed = self._route(exc, self.draft.hostnames)
        if not routed.empty:
            self._show_routed(routed)
            return
        self._set_general(None)
        self._set_busy(True)
        self._send(request)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_buttons()

    @work(group="wizard-create", exclusive=False, exit_on_error=False)
    async def _send(self, request: CreateInstanceRequest) -> None:
        names = list(request.hostnames)
        try:
            # The one way an instance is created: the operation (rails, audit, jobs followed to ``active``).
            outcome = await self.cloudzy.ops.execute(instance_ops.CREATE, None, request, confirm=True)
        except Refused as refusal:
            self._set_busy(False)
            self._set_general(Text(refusal.message, style="bold"))
            return
        except OutcomeUnknownError as exc:
            self._outcome_unknown(names, exc.message)
            return
        except LowBalanceError as exc:
            self._set_busy(False)
            self._show_low_balance(exc)
            return
        except Exception as exc:  # every failure lands on the wizard; nothing typed is lost
            self._set_busy(False)
            self._show_routed(self._route(exc, names))
            return
        instances = [item for kind, item in outcome.changed if kind == "instances"]
        if not instances:
            # The API answered OK without the instances: find them by hostname.
            self._outcome_unknown(names, "The API accepted the order but did not list the new instances.")
            return
        self.busy = False
        self.outcome = outcome
        self.dismiss([*self.created, *instances])

    def _show_low_balance(self, exc: LowBalanceError) -> None:
        required, available = exc.minimum_required_balance, exc.customer_balance
        text = Text("Not enough balance for this order: ", style="bold")
        text.append(
            f"required {money(required) or 'unknown'}, available {money(available) or 'unknown'}.", style="bold"
        )
        text.append("\nTop up the account, then press Create again: nothing needs to be entered again.")
        self._set_general(text)
        self._go(REVIEW, focus=False)
        self.query_one("#wizard-create", Button).focus()

    def _outcome_unknown(self, names: list[str], message: str) -> None:
        self.unresolved = names
        self._set_general(Text(f"{clean(message, max_length=300)}\nLooking the hostnames up…"))
        self._check_outcome(names)

    @work(group="wizard-create", exclusive=False, exit_on_error=False)
    async def _check_outcome(self, names: list[str]) -> None:
        """After a request whose answer was lost: which of these hostnames now exist? Nothing is resent."""
        self.unresolved = names
        self._update_buttons()
        try:
            found = await self._lookup(names)
        except CloudzyError as exc:
            self.busy = False
            text = Text(
                "It is not known whether the instances were created, and looking them up failed: ", style="bold"
            )
            text.append(clean(exc.message, max_length=300))
            text.append("\nNothing was sent again. Press Check again to look once more.")
            self._set_general(text)
            self._go(REVIEW, focus=False)
            return
        self.unresolved = None
        self.busy = False
        existing = [n for n in names if n.lower() in found]
        missing = [n for n in names if n.lower() not in found]
        self.created.extend(found[n.lower()] for n in existing)
        if not missing:
            self.cloudzy.toast(
                f"The API did not confirm the order, but all {len(existing)} instance(s) exist: "
                f"{', '.join(existing)}. They are being followed.",
                title="New instance",
            )
            self.dismiss(list(self.created))
            return
        text = Text()
        if existing:
            text.append("The API did not confirm the order. These instances exist and are kept: ", style="bold")
            text.append(", ".join(clean(n, max_length=63) for n in existing))
            text.append("\nNot created: ")
            text.append(", ".join(clean(n, max_length=63) for n in missing))
            text.append(". The hostnames were reduced to those; press Create to create only them.")
            self.draft.hostnames_text = " ".join(missing)
            self.query_one("#hostnames", Input).value = self.draft.hostnames_text
        else:
            text.append(
                "The API did not confirm the order, and no instance with these hostnames exists: nothing "
                "was created. Press Create to try again.",
                style="bold",
            )
        self._set_general(text)
        self._go(REVIEW, focus=False)
        self.query_one("#wizard-create", Button).focus()

    async def _lookup(self, names: Sequence[str]) -> dict[str, Instance]:
        """hostname (lower case) → an instance created by this order: same hostname and region, not known before."""
        found: dict[str, Instance] = {}
        client = self.cloudzy.client
        for name in names:
            for instance in await client.instances.list_all(InstanceFilters(hostname=name)):
                if (
                    (instance.hostname or "").lower() == name.lower()
                    and instance.id not in self.known_ids
                    and (instance.region in (None, self.draft.region_id))
                    and (instance.status or "").lower() != "deleted"
                ):
                    found[name.lower()] = instance
        return found
