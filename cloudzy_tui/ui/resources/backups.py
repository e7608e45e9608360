"""Backup profiles: list (status filter), detail with the profile's backup files; create, edit and delete.

A profile belongs to an instance (it is keyed by the instance id): ``b`` on an instance opens the schedule form
for it (create when the instance has none, see ``backup_profile_of``, else update); on this screen ``n`` creates
one for an instance without a profile, ``e`` edits the selected one and ``D`` deletes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.api import BackupProfile, BackupProfileRequest, CloudzyError, Instance
from cloudzy_tui.ops import Outcome
from cloudzy_tui.ops import backups as backup_ops
from cloudzy_tui.ops.backups import profile_of
from cloudzy_tui.ui.modals.backup_schedule import BackupScheduleModal
from cloudzy_tui.ui.modals.form import FormError
from cloudzy_tui.ui.operations import check, execute_in_form, show_outcome
from cloudzy_tui.ui.resources.base import Action, ActionCall, Column, ResourceSpec, Section, View, op_action
from cloudzy_tui.ui.resources.common import status_text, when
from cloudzy_tui.ui.resources.snapshots import instance_label, live_instances
from cloudzy_tui.ui.text import clean
from cloudzy_tui.units import money, percent, timestamp

if TYPE_CHECKING:
    from cloudzy_tui.core.catalog import Catalog
    from cloudzy_tui.ui.services import Console


def backup_hostname(b: BackupProfile, catalog: Catalog | None = None) -> str:
    """The instance's hostname: from the profile's ``instanceData`` (optional in a reply), else as the instances list
    named it this session (``catalog``), else the instance id."""
    data = b.instance_data
    if data and data.hostname:
        return data.hostname
    return catalog.instance_name(b.instance_id) if catalog is not None else b.instance_id


def schedule(b: BackupProfile) -> str:
    """``weekly (Mon, Thu)``, ``daily`` (days a server keeps for a daily schedule mean nothing: not shown)."""
    return backup_ops.schedule(b)


def is_daily(b: BackupProfile) -> bool:
    return (b.schedule_frequency or "").strip().lower() == "daily"


def backup_detail(b: BackupProfile, view: View) -> list[Section]:
    sections = [
        Section(
            "Backup profile",
            rows=[
                ("instance", backup_hostname(b, view.catalog)),
                ("instance id", b.instance_id),
                ("status", status_text(b.status)),
                ("frequency", b.schedule_frequency),
                ("weekdays", None if is_daily(b) else ", ".join(clean(d) for d in b.schedule_week_days or []) or None),
                ("retention", f"{b.period_id} days" if b.period_id is not None else None),
                ("max files", b.max_files),
                ("monthly price", money(b.monthly_price, per="mo") if b.monthly_price is not None else None),
                ("fee", percent(b.fee_percentage) or None),
                ("last successful backup", timestamp(b.last_successful_backup_time) or "never"),
                ("created", timestamp(b.created_at) or None),
            ],
        )
    ]
    files = b.backup_files or []
    if files:
        rows: list[tuple[str, Any]] = []
        for f in files[:50]:
            line = status_text(f.status)
            created = timestamp(f.created_at)
            if created:
                line.append(f"  {created}", style="dim")
            rows.append((clean(f.name or f.id, max_length=30), line))
        sections.append(Section(f"Backup files ({len(files)})", rows=rows))
    else:
        sections.append(Section("Backup files", rows=[("", Text("none yet", style="dim"))]))
    return sections


# ------------------------------------------------------------------------------------------------------ actions


async def backup_price_note(app: Console, profile: BackupProfile | None, instance: Instance | None) -> Text:
    """What backups cost, before anything is saved: the profile's own ``monthlyPrice`` (an update), else the fee
    the account's other profiles are charged (``feePercentage`` of the instance's price) applied to the plan's
    monthly price when the catalog knows it."""
    text = Text("Price  ", style="bold")
    if profile is not None and profile.monthly_price is not None:
        text.append(money(profile.monthly_price, per="mo"), style="bold green")
        if profile.fee_percentage is not None:
            text.append(f"  ({percent(profile.fee_percentage)} of the instance's price)", style="dim")
        return text
    fee = None
    product = None
    try:
        fee = next((p.fee_percentage for p in await app.client.backups.list() if p.fee_percentage is not None), None)
        if instance is not None and instance.product_id and instance.region:
            await app.ops.catalog.products_for(instance.region)
            product = app.ops.catalog.product(instance.product_id)
    except CloudzyError:
        pass
    plan = product.monthly_price if product is not None else None
    if fee is not None and plan is not None:
        text.append(f"≈ {money(float(plan) * float(fee) / 100, per='mo')}", style="bold green")
        text.append(f"  ({percent(fee)} of the plan's {money(plan, per='mo')})", style="dim")
    elif fee is not None:
        text.append(f"{percent(fee)} of the instance's price", style="bold")
    else:
        text.append("set by Cloudzy (a share of the instance's price); shown in the list once saved", style="dim")
    return text


async def _schedule_form(
    app: Console,
    *,
    profile: BackupProfile | None,
    instance: Instance | None,
    instance_choices: list[tuple[Text, str]] | None = None,
    candidates: dict[str, Instance] | None = None,
) -> Outcome | None:
    """Show the schedule form; what the operation did (``None``: cancelled)."""
    op = backup_ops.SET_SCHEDULE

    async def send(request: BackupProfileRequest, values: dict[str, Any]) -> Outcome:
        target = instance or (candidates or {}).get(request.instance_id)
        if target is None:
            raise FormError({"instance": "choose an instance"})
        params = backup_ops.ScheduleParams(
            schedule_frequency=request.schedule_frequency,
            schedule_week_days=request.schedule_week_days,
            period_id=request.period_id,
        )
        return await execute_in_form(app, op, target, params, values)

    hostname = (instance.hostname or instance.id) if instance is not None else ""
    if profile is None:
        title = f"Backups of {clean(hostname, max_length=40)}: new schedule" if instance else "New backup profile"
        label = "Create"
    else:
        title = f"Backups of {clean(hostname, max_length=40)}: edit schedule"
        label = "Save"
    modal = BackupScheduleModal(
        send,
        title=title,
        instance_id=instance.id if instance is not None else None,
        instance_choices=instance_choices or [],
        profile=profile,
        submit_label=label,
        price=await backup_price_note(app, profile, instance),
    )
    outcome: Outcome | None = await app.ask(modal)
    if outcome is not None:
        await show_outcome(app, op, outcome)
    return outcome


async def edit_backup_schedule_of_instance(call: ActionCall[Instance]) -> None:
    """``b`` on an instance: the schedule form, to create a profile (none yet) or update the one there is."""
    i = call.target
    if not await check(call.app, backup_ops.SET_SCHEDULE, i):
        return
    profile = await profile_of(call.app.ops, i.id)
    await _schedule_form(call.app, profile=profile, instance=i)


async def create_backup(call: ActionCall[BackupProfile]) -> None:
    """``n``: choose an instance without a profile, then its schedule."""
    app = call.app
    instances = await live_instances(app)
    have = {p.instance_id for p in await app.client.backups.list()}
    candidates = {i.id: i for i in instances if i.id not in have}
    if not candidates:
        app.toast("Every instance already has a backup profile (e edits one).", severity="warning")
        return
    await _schedule_form(
        app,
        profile=None,
        instance=None,
        candidates=candidates,
        instance_choices=[(instance_label(i), i.id) for i in candidates.values()],
    )


def _owner(b: BackupProfile, app: Console) -> Instance:
    """The instance a profile belongs to, as far as the profile tells (enough for the rails and the messages)."""
    return Instance(id=b.instance_id, hostname=backup_hostname(b, app.catalog))


async def edit_backup(call: ActionCall[BackupProfile]) -> None:
    b = call.target
    owner = _owner(b, call.app)
    if not await check(call.app, backup_ops.SET_SCHEDULE, owner):
        return
    await _schedule_form(call.app, profile=b, instance=owner)


BACKUP_ACTIONS: list[Action[BackupProfile]] = [
    op_action(backup_ops.SET_SCHEDULE, "n", id="create", title="New", run=create_backup, needs_item=False),
    op_action(backup_ops.SET_SCHEDULE, "e", id="edit", title="Edit", run=edit_backup, row_is_target=False),
    op_action(backup_ops.DELETE, "D", id="delete", title="Delete"),
]


BACKUPS: ResourceSpec[BackupProfile] = ResourceSpec(
    resource=backup_ops.BACKUPS,
    columns=[
        Column("instance", "Instance", lambda b, v: backup_hostname(b, v.catalog), max_width=24, priority=0, cut=True),
        Column("status", "Status", lambda b, v: status_text(b.status), max_width=10, priority=10),
        Column("schedule", "Schedule", lambda b, v: schedule(b), max_width=30, priority=20, cut=True),
        Column(
            "retention",
            "Retention",
            lambda b, v: f"{b.period_id}d" if b.period_id is not None else "",
            sort=lambda b: b.period_id,
            justify="right",
            max_width=9,
            priority=40,
        ),
        Column("files", "Files", lambda b, v: len(b.backup_files or []), justify="right", max_width=5, priority=60),
        Column(
            "price",
            "Monthly",
            lambda b, v: money(b.monthly_price),
            sort=lambda b: b.monthly_price,
            justify="right",
            max_width=9,
            priority=50,
        ),
        Column(
            "last",
            "Last backup",
            lambda b, v: when(b.last_successful_backup_time),
            sort=lambda b: b.last_successful_backup_time,
            max_width=20,
            priority=30,
        ),
    ],
    detail=backup_detail,
    actions=BACKUP_ACTIONS,
    empty_hint="No backup profiles yet: press n to schedule backups (or b on an instance).",
    refresh_interval=60.0,
)
