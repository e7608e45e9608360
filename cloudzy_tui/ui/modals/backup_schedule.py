"""The backup schedule form: frequency, weekdays, retention; creates or updates an instance's backup profile.

Built on the generic FormModal (errors at the fields, nothing lost, one request at a time). Retention offers the
periods the API is known to accept, the profile's current one, and "Other…" with a number of days for whatever
else a server accepts (the server has the last word: its 422 lands on the retention field). A weekly schedule
needs at least one day; that is checked before anything is sent. Daily hides the weekdays and sends none (a daily
schedule with days is what the list used to show as ``daily (Mon, Thu)``). The price, where the API says it, is
shown above the fields before anything is saved.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from rich.text import Text
from textual import on
from textual.widgets import Select, SelectionList

from cloudzy_tui.api import WEEKDAYS, BackupProfile, BackupProfileRequest
from cloudzy_tui.api import ValidationError as ApiValidationError
from cloudzy_tui.ui.forms import route_field_errors
from cloudzy_tui.ui.modals.form import FormError, FormField, FormModal
from cloudzy_tui.ui.text import clean

#: retention periods (days) offered first: those the simulator, and examples of the real API, accept
RETENTION_DAYS: tuple[int, ...] = (7, 14, 30, 60, 90)
OTHER = "other"
FREQUENCIES: tuple[tuple[str, str], ...] = (
    ("Daily", "daily"),
    ("Weekly, on the days chosen below", "weekly"),
)

#: where a server's field errors go (JSON names of the request → form fields)
_KNOWN = {
    "instanceId": "instance",
    "instance": "instance",
    "scheduleFrequency": "frequency",
    "frequency": "frequency",
    "scheduleWeekDays": "days",
    "days": "days",
    "periodId": "retention",
    "retention": "retention",
}

Send = Callable[[BackupProfileRequest, dict[str, Any]], Awaitable[Any]]


def retention_choices(current: int | None) -> list[tuple[str, Any]]:
    days = sorted({*RETENTION_DAYS, *([current] if current is not None and current > 0 else [])})
    choices: list[tuple[str, Any]] = [(f"{d} days" + ("  (current)" if d == current else ""), d) for d in days]
    choices.append(("Other…", OTHER))
    return choices


class BackupScheduleModal(FormModal[Any]):
    """Create (``profile`` None) or update a backup profile. Dismissed with what ``send`` returned, or None when
    cancelled."""

    def __init__(
        self,
        send: Send,
        *,
        title: str,
        instance_id: str | None = None,
        instance_choices: Sequence[tuple[Text | str, str]] = (),
        profile: BackupProfile | None = None,
        submit_label: str = "Save",
        price: Text | None = None,
    ) -> None:
        self._send_schedule = send
        self._schedule_instance = instance_id
        self.sent = False
        current_days = list(profile.schedule_week_days) if profile is not None else []
        raw_frequency = (profile.schedule_frequency or "") if profile is not None else "weekly"
        frequency = raw_frequency.strip().lower()
        frequencies: list[tuple[str, str]] = list(FREQUENCIES)
        if frequency not in ("daily", "weekly"):
            if frequency:
                # A schedule this console cannot set (the API's list is open): shown as it is, not silently
                # replaced by "daily"; saving asks for one of the known ones.
                frequencies.append((f"{clean(raw_frequency, max_length=30)} (current)", frequency))
            else:
                frequency = "daily"
        period = profile.period_id if profile is not None else None
        fields: list[FormField] = []
        if instance_id is None:
            fields.append(
                FormField(
                    "instance",
                    "Instance",
                    kind="choice",
                    required=True,
                    choices=list(instance_choices),
                    help="Instances that have no backup profile yet.",
                    aliases=("instanceId",),
                )
            )
        # Keep any day the server spelt its own way, so an update does not silently drop it.
        day_choices = list(WEEKDAYS) + [d for d in current_days if d not in WEEKDAYS]
        fields += [
            FormField(
                "frequency",
                "Frequency",
                kind="choice",
                required=True,
                value=frequency,
                choices=frequencies,
                aliases=("scheduleFrequency",),
            ),
            FormField(
                "days",
                "Weekdays",
                kind="multi",
                value=current_days,
                choices=[(clean(d), d) for d in day_choices],
                help="At least one day. Space toggles a day.",
                aliases=("scheduleWeekDays",),
            ),
            FormField(
                "retention",
                "Retention",
                kind="choice",
                required=True,
                value=period if period is not None and period > 0 else 7,
                choices=retention_choices(period),
                help="How long each backup is kept.",
                aliases=("periodId",),
            ),
            FormField("retention_other", "Retention (days)", kind="int", placeholder="e.g. 21"),
        ]
        if frequency == "daily":
            # A daily profile the server keeps days for: they mean nothing, and saving sends none.
            for f in fields:
                if f.name == "days":
                    f.value = []
        super().__init__(title, fields, self._submit_schedule, submit_label=submit_label, description=price)

    def on_mount(self) -> None:
        # FormModal.on_mount runs too (Textual calls the handler of every class): it focuses the first field.
        # This form is tall (seven days): its fields scroll within ~60% of the screen, so that the buttons stay
        # visible at 80x24 (an inline style: the stylesheet's fixed max-height would win over DEFAULT_CSS).
        self.query_one("#form-fields").styles.max_height = "58vh"
        self._show_other()
        self._show_days()

    @on(Select.Changed, "#field-frequency")
    def _frequency_changed(self) -> None:
        self._show_days()

    def _show_days(self) -> None:
        """Weekdays only for a weekly schedule: choosing Daily clears and hides them."""
        weekly = self.query_one("#field-frequency", Select).value != "daily"
        if not weekly:
            self.query_one("#field-days", SelectionList).deselect_all()
        self.query_one("#row-days").display = weekly

    @on(Select.Changed, "#field-retention")
    def _retention_changed(self) -> None:
        self._show_other()

    def _show_other(self) -> None:
        other = self.query_one("#field-retention", Select).value == OTHER
        self.query_one("#row-retention_other").display = other

    async def _submit_schedule(self, values: dict[str, Any]) -> Any:
        problems: dict[str, str] = {}
        frequency = values["frequency"]
        days = [d for d in values["days"] or []] if frequency != "daily" else []
        if frequency not in ("daily", "weekly"):
            problems["frequency"] = "this console sets daily or weekly schedules: choose one of them"
        elif frequency == "weekly" and not days:
            problems["days"] = "a weekly schedule needs at least one day"
        retention_field = "retention"
        period = values["retention"]
        if period == OTHER:
            retention_field = "retention_other"
            period = values["retention_other"]
            if period is None:
                problems["retention_other"] = "give the number of days"
            elif period < 1:
                problems["retention_other"] = "at least 1 day"
        instance_id = self._schedule_instance or values.get("instance")
        if not instance_id:
            problems["instance"] = "choose an instance"
        if problems:
            raise FormError(problems)
        request = BackupProfileRequest(
            instance_id=str(instance_id),
            schedule_frequency=frequency,
            schedule_week_days=days or None,
            period_id=int(period),
        )
        try:
            result = await self._send_schedule(request, values)
        except ApiValidationError as exc:
            known = dict(_KNOWN, periodId=retention_field, retention=retention_field)
            routed = route_field_errors(exc.field_errors, known)
            if routed.empty:
                raise FormError(general=clean(exc.message, max_length=500)) from None
            raise FormError(
                {name: "; ".join(messages) for name, messages in routed.by_field.items()},
                general="\n".join(routed.general) or None,
            ) from None
        self.sent = True
        return result
