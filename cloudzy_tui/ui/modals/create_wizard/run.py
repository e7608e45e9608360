"""Opening the create wizard from the instances screen: load what it offers, run it, follow what it created."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudzy_tui.api import CloudzyError, Instance, SnapshotFilters
from cloudzy_tui.core.jobs import Expectation
from cloudzy_tui.ui.modals.create_wizard.screen import CreateWizard
from cloudzy_tui.ui.text import clean

if TYPE_CHECKING:
    from cloudzy_tui.api import Application, Iso, OperatingSystem, Snapshot, SshKey
    from cloudzy_tui.ui.services import Console, ListScreen

__all__ = ["run_create_wizard"]


async def run_create_wizard(app: Console, screen: ListScreen) -> list[Instance]:
    """Load what the wizard offers, run it, then show the new instances and follow them until ``active``."""
    try:
        regions = await app.catalog.ensure_regions()
    except CloudzyError as exc:
        app.report_error(exc, context="New instance: could not load the regions")
        return []
    notes: dict[str, str] = {}
    systems: list[OperatingSystem] = []
    try:
        systems = await app.catalog.ensure_os()
    except CloudzyError as exc:
        notes["os"] = (
            f"Operating systems could not be loaded ({clean(exc.message, max_length=160)}): "
            "the server installs its default."
        )
    applications: list[Application] = []
    try:
        applications = await app.catalog.ensure_applications()
    except CloudzyError as exc:
        notes["applications"] = f"Applications could not be loaded: {clean(exc.message, max_length=200)}"
    ssh_keys: list[SshKey] = []
    try:
        ssh_keys = await app.client.ssh_keys.list()
    except CloudzyError as exc:
        notes["ssh_keys"] = f"SSH keys could not be loaded: {clean(exc.message, max_length=200)}"
    isos: list[Iso] = []
    snapshots: list[Snapshot] = []
    try:
        isos = await app.client.isos.list_all(status="READY")
        snapshots = await app.client.snapshots.list_all(SnapshotFilters(status="ACTIVE"))
    except CloudzyError as exc:
        notes["media"] = f"Custom ISOs and snapshots could not be loaded: {clean(exc.message, max_length=200)}"
    known_ids = set(screen.model.items)
    wizard = CreateWizard(
        isos=isos,
        snapshots=snapshots,
        regions=regions,
        systems=systems,
        applications=applications,
        ssh_keys=ssh_keys,
        notes=notes,
        known_ids=known_ids,
    )
    result = await app.ask(wizard)
    instances: list[Instance] = list(result or [])
    if not instances:
        return []
    outcome = wizard.outcome
    followed = {job.id for job in outcome.jobs} if outcome is not None else set()
    # Instances found by hostname after a lost answer were not part of an outcome: show and follow them here.
    found = [i for i in instances if i.id not in followed]
    if found:
        screen.upsert_items(found)
        for instance in found:
            app.track(
                "instance", instance.id, instance.hostname or instance.id, "create", Expectation.instance_created()
            )
    names = ", ".join(i.hostname or i.id for i in instances)
    if outcome is not None and not found:
        app.toast(outcome.message, title="New instance")  # with the figures: region, plan, source
    else:
        app.toast(f"Creating {len(instances)} instance(s): {names}", title="New instance")
    app.call_after_refresh(screen.table.move_cursor_to_key, instances[0].id)
    return instances
