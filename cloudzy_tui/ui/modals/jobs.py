"""The jobs view: asynchronous operations in flight and finished, with elapsed time, updated live."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Label, Static

from cloudzy_tui.ui.text import safe_text
from cloudzy_tui.ui.widgets.key_footer import KeyFooter
from cloudzy_tui.units import duration, percent

if TYPE_CHECKING:
    from cloudzy_tui.core.jobs import Job
    from cloudzy_tui.ui.services import Console

STATE_STYLE = {"running": "bold yellow", "succeeded": "green", "failed": "bold red", "timed_out": "red"}


def _status_with_progress(job: Job) -> str | None:
    """The job's last status, with a download's percent while it runs (``DOWNLOADING 42%``)."""
    shown = percent(getattr(job.item, "progress", None)) if job.running else ""
    return f"{job.status} {shown}" if job.status and shown else job.status


class JobsScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,J,q", "close", "Close", id="jobs.close"),
        Binding("x", "clear_finished", "Clear finished", id="jobs.clear"),
    ]

    #: the timer that moves the elapsed times while the view is open
    _ticker: Timer | None = None

    @property
    def cloudzy(self) -> Console:
        return self.app  # type: ignore[return-value]

    @property
    def ticking(self) -> bool:
        """The view's elapsed-times timer runs (from its mount to its unmount)."""
        return self._ticker is not None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog wide jobs"):
            yield Label(Text("Jobs", style="bold"), id="dialog-title")
            with VerticalScroll():
                yield Static(id="jobs-table")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.render_jobs()
        # Both end with the view, in on_unmount (Textual would stop a node's timers too). Without that, a closed
        # view stayed subscribed (and in memory) until the next job event: Textual prunes a signal's dead
        # subscribers only when it publishes.
        self._ticker = self.set_interval(1.0, self._tick)
        self.cloudzy.job_updates.subscribe(self, self._job_changed)

    def on_unmount(self) -> None:
        self.cloudzy.job_updates.unsubscribe(self)
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    def _job_changed(self, _job: Job) -> None:
        self.render_jobs()

    def _tick(self) -> None:
        # Only running jobs' elapsed times move: with none, nothing to repaint (and nothing to send to the terminal).
        if self.cloudzy.jobs.in_flight:
            self.render_jobs()

    def render_jobs(self) -> None:
        jobs: list[Job] = list(self.cloudzy.jobs.jobs)
        body = self.query_one("#jobs-table", Static)
        if not jobs:
            body.update(Text("No jobs yet. Snapshots, downloads, power and OS changes appear here.", style="dim"))
            return
        now = self.cloudzy.monotonic()
        table = Table(expand=True, box=None, header_style="bold")
        table.add_column("state", no_wrap=True)
        table.add_column("job", ratio=2)
        table.add_column("status", no_wrap=True)
        table.add_column("elapsed", justify="right", no_wrap=True)
        table.add_column("note", ratio=2)
        for job in jobs:
            note = (
                job.last_error
                if job.state == "running" and job.last_error
                else (job.message if job.state != "running" else "")
            )
            table.add_row(
                Text(job.state.replace("_", " "), style=STATE_STYLE.get(job.state, "")),
                safe_text(f"{job.action} {job.label}"),
                safe_text(_status_with_progress(job)),
                Text(duration(job.elapsed(now))),
                safe_text(note, max_length=120),
            )
        body.update(table)

    def action_clear_finished(self) -> None:
        self.cloudzy.jobs.forget_finished()
        self.render_jobs()

    def action_close(self) -> None:
        self.dismiss(None)
