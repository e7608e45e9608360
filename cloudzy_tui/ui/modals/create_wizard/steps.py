"""The wizard's steps as thin views: each composes its widgets once and fills them from the draft when it is entered.

A step view decides nothing: what may be chosen and what is wrong come from :mod:`cloudzy_tui.ops.create_draft`,
what is shown from :mod:`.labels`. The wizard screen (``screen.py``) routes the widgets' events to the view of the
step they belong to (:data:`~cloudzy_tui.ops.create_draft.FIELDS` says which) and mirrors inputs and checkboxes into
the draft.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from cloudzy_tui.ops.create_draft import FIELD_BY_NAME, Choices, Draft
from cloudzy_tui.ops.create_offer import MAX_HOSTNAMES, NO_APP, SOURCE_OS, allowed_features, max_floating_ips
from cloudzy_tui.ui.modals.create_wizard import labels

__all__ = ["STEP_VIEWS", "StepView", "WizardForm"]


@dataclass
class WizardForm:
    """What the step views share with the wizard screen."""

    draft: Draft
    choices: Choices
    #: option list id → {option id → value}; events of options no longer listed are ignored
    values: dict[str, dict[str, Any]]
    #: start loading a region's products (the screen's worker)
    load_products: Callable[[str], object]

    def region_changed(self) -> None:
        if self.draft.region_changed(self.choices) and self.draft.region_id is not None:
            self.load_products(self.draft.region_id)


def error_box(name: str) -> Static:
    box = Static("", classes="field-error", id=f"err-{name}")
    box.display = False
    return box


def hint(text: str) -> Static:
    return Static(Text(text, style="dim"), classes="wizard-hint")


def list_field(name: str) -> ComposeResult:
    """A single-choice list of the field table and its error box."""
    yield OptionList(id=FIELD_BY_NAME[name].widget)
    yield error_box(name)


def number_field(name: str, value: str, placeholder: str = "") -> ComposeResult:
    """A labelled number input of the field table and its error box."""
    spec = FIELD_BY_NAME[name]
    with Horizontal(classes="wizard-row"):
        yield Label(spec.label, classes="wizard-row-label")
        yield Input(
            value, id=spec.widget, restrict=r"[0-9]*", compact=True, placeholder=placeholder or "none", max_length=6
        )
    yield error_box(name)


def check_field(name: str, value: bool) -> Checkbox:
    spec = FIELD_BY_NAME[name]
    return Checkbox(spec.label, value, id=spec.widget, compact=True)


class StepView(VerticalScroll):
    """One step: composes its widgets, fills them from the draft, mirrors its lists' choices into the draft."""

    STEP: ClassVar[str]

    def __init__(self, form: WizardForm) -> None:
        super().__init__(id=f"step-{self.STEP}", classes="wizard-step")
        self.form = form

    @property
    def draft(self) -> Draft:
        return self.form.draft

    @property
    def choices(self) -> Choices:
        return self.form.choices

    def set_options(self, list_id: str, entries: Sequence[labels.Entry], selected: Any) -> Any:
        """Fill an option list with (value, prompt, disabled) and highlight ``selected`` (else the first enabled
        entry). Returns the value now highlighted (``None`` if none can be)."""
        widget = self.query_one(f"#{list_id}", OptionList)
        values: dict[str, Any] = {}
        options: list[Option] = []
        for position, (value, prompt, disabled) in enumerate(entries):
            option_id = f"{list_id}-{position}"
            values[option_id] = value
            options.append(Option(prompt, id=option_id, disabled=disabled))
        self.form.values[list_id] = values
        widget.set_options(options)
        index: int | None = next((i for i, (v, _, off) in enumerate(entries) if v == selected and not off), None)
        if index is None:
            index = next((i for i, (_, _, off) in enumerate(entries) if not off), None)
        if index is not None:
            widget.highlighted = index
            return entries[index][0]
        return None

    def prepare(self) -> None:
        """Fill what depends on nothing chosen later (when the wizard opens)."""

    def populate(self) -> None:
        """Fill what depends on earlier choices (each time the step is entered)."""

    def choose(self, list_id: str, value: Any) -> None:
        """A list of this step now highlights ``value``."""

    def chosen(self, list_id: str, value: Any) -> bool:
        """Enter on a list of this step: True when the view moved the focus itself, else the wizard moves on."""
        return False

    def mirrored(self, attr: str, *, current: bool) -> None:
        """An input or checkbox of this step was copied into the draft's ``attr``."""

    def focus_target(self) -> Widget | None:
        """What has the focus when the step is entered (``None``: the Next button)."""
        return None


class RegionStep(StepView):
    STEP = "region"

    def compose(self) -> ComposeResult:
        yield hint("Where the instances run. Out-of-stock regions are listed but cannot be chosen.")
        yield from list_field("region")
        yield Static("", id="region-info")

    def prepare(self) -> None:
        chosen = self.set_options("region-list", labels.region_entries(self.choices), self.draft.region_id)
        if chosen is not None and chosen != self.draft.region_id:
            self.draft.region_id = chosen
            self.form.region_changed()
        self.query_one("#region-info", Static).update(labels.region_note(self.draft, self.choices))

    def choose(self, list_id: str, value: Any) -> None:
        if value != self.draft.region_id:
            self.draft.region_id = value
            self.form.region_changed()
        region = self.draft.region(self.choices)
        if region is not None:
            self.query_one("#region-info", Static).update(labels.region_info(region))

    def focus_target(self) -> Widget | None:
        return self.query_one("#region-list")


class ClassStep(StepView):
    STEP = "class"

    def compose(self) -> ComposeResult:
        yield hint("The kind of server. The region decides which classes exist.")
        yield from list_field("class")

    def populate(self) -> None:
        entries = labels.class_entries(self.draft, self.choices)
        self.draft.instance_class = self.set_options("class-list", entries, self.draft.instance_class)

    def choose(self, list_id: str, value: Any) -> None:
        self.draft.instance_class = value

    def focus_target(self) -> Widget | None:
        return self.query_one("#class-list")


class PlanStep(StepView):
    STEP = "plan"

    def compose(self) -> ComposeResult:
        d = self.draft
        yield check_field("custom", d.custom)
        yield Static("", id="plan-note", classes="wizard-hint")
        with Vertical(id="plan-fixed"):
            yield from list_field("product")
            yield from number_field("extra_disk", d.extra_disk)
            yield from number_field("extra_bandwidth", d.extra_bandwidth)
        with Vertical(id="plan-custom-fields"):
            yield from number_field("cpu", d.cpu, "required")
            yield from number_field("ram", d.ram, "required")
            yield from number_field("disk", d.disk, "required")
            yield from number_field("bandwidth", d.bandwidth)

    def populate(self) -> None:
        d, c = self.draft, self.choices
        offered = d.custom_offered(c)
        if not offered:
            d.custom = False
        checkbox = self.query_one("#plan-custom", Checkbox)
        checkbox.display = offered
        checkbox.value = d.custom
        self.query_one("#plan-note", Static).update(labels.plan_note(d, c))
        self._show_mode()
        if d.class_products(c) is None and c.products_error.get(d.region_id or "") and d.region_id:
            self.form.load_products(d.region_id)  # try again
        d.product_id = self.set_options("product-list", labels.product_entries(d, c), d.product_id)

    def _show_mode(self) -> None:
        self.query_one("#plan-fixed").display = not self.draft.custom
        self.query_one("#plan-custom-fields").display = self.draft.custom

    def choose(self, list_id: str, value: Any) -> None:
        self.draft.product_id = value

    def mirrored(self, attr: str, *, current: bool) -> None:
        if attr == "custom" and current:
            self._show_mode()
            self.populate()

    def focus_target(self) -> Widget | None:
        return self.query_one("#custom-cpu" if self.draft.custom else "#product-list")


class SoftwareStep(StepView):
    STEP = "software"

    def compose(self) -> ComposeResult:
        yield Label(FIELD_BY_NAME["source"].label, classes="wizard-label")
        yield OptionList(id="source-list")
        yield Static("", id="source-info", classes="wizard-hint")
        yield error_box("source")
        with Vertical(id="software-os"):
            yield Label(FIELD_BY_NAME["app"].label, classes="wizard-label")
            yield OptionList(id="app-list")
            yield Static("", id="app-info", classes="wizard-hint")
            yield error_box("app")
            yield Label(FIELD_BY_NAME["os"].label, classes="wizard-label")
            yield from list_field("os")

    def prepare(self) -> None:
        self.draft.app_id = self.set_options("app-list", labels.application_entries(self.choices), self.draft.app_id)
        self.draft.app_id = self.draft.app_id or NO_APP
        self._show_app_info()
        self._populate_os()

    def populate(self) -> None:
        d = self.draft
        d.source = self.set_options("source-list", labels.source_entries(d, self.choices), d.source) or SOURCE_OS
        self._show_source()
        self._populate_os()

    def _show_source(self) -> None:
        self.query_one("#software-os").display = self.draft.source == SOURCE_OS
        self.query_one("#source-info", Static).update(labels.source_info(self.draft, self.choices))

    def _show_app_info(self) -> None:
        self.query_one("#app-info", Static).update(labels.application_info(self.draft, self.choices))

    def _populate_os(self) -> None:
        entries, selected = labels.os_entries(self.draft, self.choices)
        self.draft.os_id = self.set_options("os-list", entries, selected)

    def choose(self, list_id: str, value: Any) -> None:
        d = self.draft
        if list_id == "source-list":
            d.source = value
            self._show_source()
        elif list_id == "app-list":
            if value != d.app_id:
                d.app_id = value
                self._populate_os()
            self._show_app_info()
        elif list_id == "os-list":
            d.os_id = value

    def chosen(self, list_id: str, value: Any) -> bool:
        if list_id == "app-list":
            self.query_one("#os-list").focus()
            return True
        if list_id == "source-list" and value == SOURCE_OS:
            self.query_one("#app-list").focus()
            return True
        return False

    def focus_target(self) -> Widget | None:
        """The source list when there is something else than an OS to start from, else the first OS list."""
        if len(self.query_one("#source-list", OptionList).options) > 1:
            return self.query_one("#source-list")
        return self.query_one("#app-list" if self.choices.applications else "#os-list")


class HostnamesStep(StepView):
    STEP = "hostnames"

    def compose(self) -> ComposeResult:
        yield hint(
            f"One instance per hostname: 1 to {MAX_HOSTNAMES} names separated by spaces "
            "or commas (letters, digits, hyphens and dots)."
        )
        yield Input(self.draft.hostnames_text, id="hostnames", placeholder="web-1 web-2")
        yield Static("", id="hostnames-preview")
        yield error_box("hostnames")

    def mirrored(self, attr: str, *, current: bool) -> None:
        self.query_one("#hostnames-preview", Static).update(labels.hostnames_preview(self.draft.hostnames))

    def focus_target(self) -> Widget | None:
        return self.query_one("#hostnames")


class SshStep(StepView):
    STEP = "ssh"

    def compose(self) -> ComposeResult:
        yield Static("", id="ssh-note", classes="wizard-hint")
        yield SelectionList[int](id="ssh-keys")
        yield error_box("ssh_keys")

    def prepare(self) -> None:
        widget = self.query_one("#ssh-keys", SelectionList)
        chosen = set(self.draft.ssh_key_ids)
        selections = [
            Selection(prompt, key_id, key_id in chosen) for key_id, prompt in labels.ssh_key_entries(self.choices)
        ]
        widget.clear_options()
        widget.add_options(selections)
        widget.display = bool(selections)
        if selections:
            widget.highlighted = 0
        self.query_one("#ssh-note", Static).update(labels.ssh_note(self.choices, bool(selections)))

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[int]) -> None:
        self.draft.ssh_key_ids = [int(v) for v in event.selection_list.selected]

    def focus_target(self) -> Widget | None:
        widget = self.query_one("#ssh-keys")
        return widget if widget.display else None


class NetworkStep(StepView):
    STEP = "network"

    def compose(self) -> ComposeResult:
        d = self.draft
        yield check_field("ipv4", d.assign_ipv4)
        yield error_box("ipv4")
        yield check_field("ipv6", d.assign_ipv6)
        yield Static("", id="ipv6-note", classes="wizard-hint")
        yield error_box("ipv6")
        yield from number_field("floating_ips", d.floating_ips)
        yield check_field("ddos", d.ddos)
        yield Static("", id="ddos-note", classes="wizard-hint")
        yield error_box("ddos")

    def populate(self) -> None:
        d, c = self.draft, self.choices
        cfg = d.config(c)
        for widget_id, offered, value, what in (
            ("ipv6", cfg.support_ipv6, d.assign_ipv6, "IPv6"),
            ("ddos", cfg.support_ddos_ipv4, d.ddos, "DDoS protection"),
        ):
            checkbox = self.query_one(f"#{widget_id}", Checkbox)
            checkbox.display = offered
            checkbox.value = value if offered else False
            note = self.query_one(f"#{widget_id}-note", Static)
            note.display = not offered
            note.update(labels.not_offered(what, d, c))
        label = self.query_one(".wizard-row-label", Label)
        label.update(f"{FIELD_BY_NAME['floating_ips'].label} (0–{max_floating_ips(cfg)})")

    def focus_target(self) -> Widget | None:
        return self.query_one("#ipv4")


class BillingStep(StepView):
    STEP = "billing"

    def compose(self) -> ComposeResult:
        yield Label(FIELD_BY_NAME["billing_cycle"].label, classes="wizard-label")
        yield from list_field("billing_cycle")
        yield check_field("auto_renew", self.draft.auto_renew)
        yield error_box("auto_renew")
        yield Label(FIELD_BY_NAME["features"].label, classes="wizard-label")
        yield SelectionList[str](id="features")
        yield error_box("features")

    def populate(self) -> None:
        d, c = self.draft, self.choices
        d.billing_cycle = self.set_options("cycle-list", labels.cycle_entries(d, c), d.billing_cycle) or "hourly"
        self.query_one("#auto-renew", Checkbox).value = d.auto_renew
        features = allowed_features(d.config(c))
        d.features = [f for f in d.features if f in features]
        widget = self.query_one("#features", SelectionList)
        widget.clear_options()
        widget.add_options([Selection(labels.feature_prompt(f), f, f in d.features) for f in features])
        if features:
            widget.highlighted = 0

    def choose(self, list_id: str, value: Any) -> None:
        self.draft.billing_cycle = value

    def chosen(self, list_id: str, value: Any) -> bool:
        self.query_one("#auto-renew").focus()
        return True

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        self.draft.features = [str(v) for v in event.selection_list.selected]

    def focus_target(self) -> Widget | None:
        return self.query_one("#cycle-list")


class ReviewStep(StepView):
    STEP = "review"

    def compose(self) -> ComposeResult:
        yield Static("", id="review-summary")
        yield Static("", id="review-price")
        yield Static("", id="review-error", classes="form-error")

    def populate(self) -> None:
        self.query_one("#review-summary", Static).update(labels.review_summary(self.draft, self.choices))
        self.query_one("#review-price", Static).update(labels.price_text(self.draft, self.choices))


#: the step views in the order of :data:`~cloudzy_tui.ops.create_draft.STEPS`
STEP_VIEWS: tuple[type[StepView], ...] = (
    RegionStep,
    ClassStep,
    PlanStep,
    SoftwareStep,
    HostnamesStep,
    SshStep,
    NetworkStep,
    BillingStep,
    ReviewStep,
)
