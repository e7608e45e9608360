"""The console's shell: the registry of resource screens, navigation (the command line, back, help, jobs), the bridge
from the job tracker and the operations session to the screens (signals, outcomes), and the crash report's scrub.

It implements the services of ``ui/services.py`` (``Console``, ``ScreenHost``), which is all the screens, specs,
flows and modals know of it: nothing in ``ui/`` imports this module but the entry point (``ui/run.py``). A screen
owns what it shows (status line, export, filters, raw JSON, the runs of its actions).
"""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.segment import Segments
from rich.text import Text
from textual import events
from textual.app import App, SuspendNotSupported, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import Notification, Notify
from textual.screen import Screen
from textual.signal import Signal

from cloudzy_tui.api import AuthError, CloudzyClient, CloudzyError, Page, RequestBudget
from cloudzy_tui.api.redact import register_secret, scrub
from cloudzy_tui.config import screenshots_dir
from cloudzy_tui.connect import ConsoleConnection, ProfileSwitcher
from cloudzy_tui.core.audit import AuditLog
from cloudzy_tui.core.cache import ListCache
from cloudzy_tui.core.catalog import Catalog
from cloudzy_tui.core.jobs import Expectation, Job, JobEvent, JobTracker
from cloudzy_tui.core.offloop import OffLoop
from cloudzy_tui.logs import open_private, private_dir
from cloudzy_tui.ops import JobRef, Operation, Outcome, Policy, Session
from cloudzy_tui.ops.freshness import DEFAULT_IDLE_PER_MINUTE, FreshnessPlanner
from cloudzy_tui.ops.ssh import SshSettings
from cloudzy_tui.ui import partial_output, textual_fixes
from cloudzy_tui.ui.history import ConsoleExtras
from cloudzy_tui.ui.modals.command_line import CommandLine
from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.modals.help import HelpScreen
from cloudzy_tui.ui.modals.jobs import JobsScreen
from cloudzy_tui.ui.modals.token import TokenModal
from cloudzy_tui.ui.profiles import ProfileSwitching
from cloudzy_tui.ui.refresh import FIRST_PAGE_ONLY
from cloudzy_tui.ui.resources import EVERY_SPEC, resolve_resource
from cloudzy_tui.ui.resources.base import ResourceSpec
from cloudzy_tui.ui.screens.kinds import screen_class
from cloudzy_tui.ui.screens.resource import ResourceScreen
from cloudzy_tui.ui.services import ScreenHost
from cloudzy_tui.ui.text import clean, safe_text
from cloudzy_tui.ui.typeahead import KeyGate, install_paste_safe_parser

log = logging.getLogger("cloudzy_tui.ui")


# Toasts on screen at once: a newer one pushes out the least severe, oldest first (``CloudzyApp.on_notify``; each
# also expires after its timeout, 3-12 s, and Textual forgets expired ones), so a burst never stacks dozens of
# toasts or keeps them in memory, and a failure is not pushed off by news that went well.
MAX_TOASTS = 5
#: which toasts make room first when MAX_TOASTS are shown: the least severe (then the oldest)
TOAST_WEIGHT = {"information": 0, "warning": 1, "error": 2}


def _ignore_signal(signum: int, frame: object) -> None:
    """A signal that must not end the console (SIGINT while ssh runs in its place): let it pass."""


def _valid_colour(colour: str) -> bool:
    from rich.color import Color, ColorParseError

    try:
        Color.parse(colour)
    except ColorParseError:
        log.warning("profile colour %r is not a colour; ignored", colour)
        return False
    return True


class CloudzyApp(ConsoleExtras, ProfileSwitching, App[None]):
    TITLE = "cloudzy-tui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("colon", "command_line", "Go to", id="app.command_line"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("J", "jobs", "Jobs", id="app.jobs"),
        Binding("q", "quit_from_list", "Quit", id="app.quit"),
        # Raw mode reads Ctrl-Z as a key: suspend like other terminal programs (Textual's driver leaves the
        # screen, stops; on `fg` it takes the screen back and repaints).
        Binding("ctrl+z", "suspend_process", "Suspend", show=False, id="app.suspend"),
    ]

    def __init__(
        self,
        client: CloudzyClient | None = None,
        *,
        api_label: str = "",
        read_only: bool = False,
        initial_resource: str = "instances",
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        refresh_seconds: float = 15.0,
        detail_delay: float = 0.3,
        job_interval: float = 1.0,
        ssh_command: str = "ssh root@{ip}",
        ssh: SshSettings | None = None,
        profile_colour: str | None = None,
        profile_name: str = "default",
        protected: Sequence[str] = (),
        audit: AuditLog | None = None,
        keymap: dict[str, str] | None = None,
        theme: str | None = None,
        local_hostname: str | None = None,
        secrets: Sequence[str] = (),
        list_client: CloudzyClient | None = None,
        budget: RequestBudget | None = None,
        list_cache: ListCache | None = None,
        idle_requests_per_minute: float = DEFAULT_IDLE_PER_MINUTE,
        connection: ConsoleConnection | None = None,
        profiles: ProfileSwitcher | None = None,
    ) -> None:
        textual_fixes.apply()  # Textual bugs that would grow a long-running console's memory
        install_paste_safe_parser()  # an ESC inside a bracketed paste is not a key (ui/typeahead.py)
        super().__init__()
        # Keys typed ahead (an SSH burst) are handled one at a time, each by what the previous one put on screen.
        self.keys = KeyGate(self, self._dispatch_input)
        self.initial_resource = initial_resource
        self.clock = clock
        self._monotonic = monotonic
        self.refresh_seconds = refresh_seconds
        # How long the cursor must rest on a row before its full detail is fetched (tests set 0).
        self.detail_delay = max(0.0, detail_delay)
        self._keymap_settings = dict(keymap or {})
        self._theme_setting = theme
        self._asking_token = False
        self._job_interval = job_interval
        self._idle_requests_per_minute = idle_requests_per_minute
        self._local_hostname = local_hostname if local_hostname is not None else socket.gethostname()
        #: the config's profiles, for ``:profile NAME`` (None: switching is not available, e.g. ``--demo``)
        self.profiles = profiles
        self.audit = audit if audit is not None else AuditLog(None, profile_name)
        self.resource_updates: Signal[tuple[str, Any]] = Signal(self, "resource-updates")
        self.catalog_loaded: Signal[None] = Signal(self, "catalog-loaded")
        self.job_updates: Signal[Job] = Signal(self, "job-updates")
        self._screens: dict[str, ResourceScreen[Any]] = {}
        self._history: list[str] = []  # for Esc (back): the last 20 screens left
        if connection is None:  # the pieces given one by one (tests, benchmarks)
            if client is None:
                raise TypeError("CloudzyApp needs a client or a connection")
            connection = ConsoleConnection(
                profile_name=profile_name,
                label=api_label,
                client=client,
                list_client=list_client,
                budget=budget,
                list_cache=list_cache,
                read_only=read_only,
                protected=list(protected),
                colour=profile_colour,
                ssh=ssh if ssh is not None else SshSettings(command=ssh_command, profile=profile_name),
                secrets=list(secrets),
            )
        self._bind_connection(connection)

    def _bind_connection(self, connection: ConsoleConnection) -> None:
        """Take the profile's clients and policy, and build what hangs on them: the catalog, the operations
        session, the job tracker, the freshness planner. At start-up and on every profile switch (the old ones are
        let go by ``switch_profile``)."""
        self.connection = connection
        client = connection.client
        list_client = connection.list_client
        budget = connection.budget
        self.client = client
        self.api_label = connection.label
        self.read_only = connection.read_only
        # How ``s`` reaches an instance (command template, user, port, tmux window/split/here): ops/ssh.py.
        self.ssh_settings = connection.ssh or SshSettings(profile=connection.profile_name)
        self.ssh_command = self.ssh_settings.command
        colour = connection.colour
        self.profile_colour = colour if colour and _valid_colour(colour) else None
        self.profile_name = connection.profile_name
        self.audit.profile = connection.profile_name  # one audit log per session; each line names its profile
        # Strings that must never reach the screen or a crash report (the token): the client registered its own
        # already (api/redact.py); these are added to the same registry, which every scrub reads.
        for secret in connection.secrets:
            register_secret(secret)
        # Long list walks run on a background loop with a client of their own (read-only: GET only).
        self.list_client = list_client
        self._offloop: OffLoop | None = None
        if list_client is not None:
            list_client.read_only = True
            list_client.trace = client.trace  # one request trace (:requests, :pulse) for both clients
            self._offloop = OffLoop()
        # One request budget shared by both clients (and so by every worker): see cloudzy_tui.api.budget.
        self.budget = budget
        if budget is not None:
            for each in (client, list_client):
                if each is not None:
                    each.budget = budget
        # When a list is walked in full and what is read between (ops/freshness.py); the local list cache.
        self.freshness = FreshnessPlanner(idle_per_minute=self._idle_requests_per_minute, clock=self._monotonic)
        self.list_cache = connection.list_cache
        self.catalog = Catalog(client)
        # Every operation of the console runs through this session: the rails (read-only, protected instances,
        # the host it runs on, confirmations), the audit log and the job hand-off are applied there, once.
        self.ops = Session(
            client,
            policy=Policy(
                read_only=connection.read_only,
                protected=list(connection.protected),
                local_hostname=self._local_hostname,
            ),
            audit=self.audit,
            catalog=self.catalog,
            track=self._track_job,
            walker=self.walk_pages,
            profile=connection.profile_name,
        )
        self.ops.add_listener(self._on_outcome)
        self.jobs = JobTracker(client, clock=self._monotonic, min_interval=self._job_interval)
        self.jobs.subscribe(self._on_job_event)

    # ---------------------------------------------------------------- input

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            await self.keys.feed(event)
            return
        await super().on_event(event)

    async def _dispatch_input(self, event: events.Event) -> None:
        await super().on_event(event)

    # ------------------------------------------------------------- services

    def now(self) -> float:
        return self.clock()

    def monotonic(self) -> float:
        return self._monotonic()

    def requests_sent(self) -> int:
        """HTTP attempts made by this console's clients so far (a walk's cost is the difference)."""
        return self.client.requests_sent + (self.list_client.requests_sent if self.list_client is not None else 0)

    def request_rate(self) -> float | None:
        """Requests a minute this console sent over the last five minutes (every client, every worker), for the
        status bar; ``None`` without a request budget (nothing counts them)."""
        return self.budget.rate() if self.budget is not None else None

    def shown_toasts(self) -> list[Notification]:
        """The notifications on screen now, oldest first (the one place that reads Textual's private list)."""
        return list(self._notifications)

    def toast(self, message: str, *, severity: str = "information", title: str = "", timeout: float = 6) -> None:
        """A notification whose text is taken literally (server strings included); at most MAX_TOASTS shown."""
        self.notify(
            clean(message, max_length=600, single_line=False),
            title=clean(title, max_length=80),
            severity=severity,  # type: ignore[arg-type]
            timeout=timeout,
            markup=False,
        )

    def on_notify(self, event: Notify) -> None:
        """Room for the toast about to be shown (Textual's own handler adds it next): at most MAX_TOASTS on screen.

        Done here, where each is added, not where it is asked for (``notify`` only posts a message): several asked
        for in one tick (jobs ending in the same poll) are counted too. What makes room is the least severe, the
        oldest among those: a bulk's "6 done, 1 failed" or a failed job is not pushed off by the "Job finished"
        toasts of the jobs that went well."""
        shown = list(self._notifications)
        excess = len(shown) - MAX_TOASTS + 1
        if excess > 0:
            by_weight = sorted(range(len(shown)), key=lambda n: (TOAST_WEIGHT.get(shown[n].severity, 0), n))
            for n in by_weight[:excess]:
                self._unnotify(shown[n], refresh=False)

    def report_error(self, exc: BaseException, *, context: str = "") -> None:
        message = exc.message if isinstance(exc, CloudzyError) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, CloudzyError):
            log.error("unexpected error: %s: %s", context, type(exc).__name__)
        self.toast(self.scrub(f"{context}: {message}" if context else message), severity="error", timeout=10)
        if isinstance(exc, AuthError):
            self.ask_for_token()

    @property
    def offloop(self) -> OffLoop | None:
        """The background loop long list walks run on (``None`` without a list client)."""
        return self._offloop

    async def walk_pages(self, make: Callable[[CloudzyClient], AsyncIterator[Page[Any]]]) -> AsyncIterator[list[Any]]:
        """The items of a paged list walk, page by page; off the UI thread when a list client is configured."""
        if FIRST_PAGE_ONLY.get():  # a light refresh: one page, on this loop, and the walk closed after it
            pages = make(self.client)
            try:
                async for page in pages:
                    yield list(page.items)
                    return
            finally:
                await pages.aclose()  # type: ignore[attr-defined]
            return
        if self._offloop is not None and self.list_client is not None and not self._offloop.closed:
            list_client = self.list_client
            async for page in self._offloop.iterate(lambda: make(list_client)):
                yield list(page.items)
        else:
            async for page in make(self.client):
                yield list(page.items)

    def scrub(self, text: str) -> str:
        """The one scrub of the API layer (every secret any client registered, in every encoding it detects)."""
        return scrub(text)

    def ask_for_token(self) -> None:
        """The API refused the token: offer to enter another one, without restarting."""
        if self._asking_token:
            return
        self._asking_token = True

        def done(token: str | None) -> None:
            self._asking_token = False
            if token:
                self.client.set_token(token)
                if self.list_client is not None:
                    self.list_client.set_token(token)
                self.toast("Token replaced for this session; reloading.")
                screen = self.screen
                if isinstance(screen, ResourceScreen):
                    screen.reload()
                self._load_catalog()

        self.push_screen(TokenModal(), done)

    # -------------------------------------------------------------- startup

    def on_mount(self) -> None:
        # Over SSH every byte counts: write only the cells that changed since the last frame (issue 11).
        partial_output.install(self)
        if self._keymap_settings:
            self.set_keymap(self._keymap_settings)
        if self._theme_setting:
            try:
                self.theme = self._theme_setting
            except Exception:
                self.toast(f"Unknown theme {self._theme_setting!r}; using the default.", severity="warning")
        self.show_resource(self.initial_resource)
        self._load_catalog()
        self.run_worker(self.jobs.run(), group="jobs", exit_on_error=False, name="job tracker")
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if not self.screen_stack:  # shutting down: the screens are gone before the timers
            return
        screen = self.screen
        if isinstance(screen, ResourceScreen):
            screen.update_status()

    def _load_catalog(self) -> None:
        self.run_worker(self._catalog_worker(), group="catalog", exclusive=True, exit_on_error=False)

    def ensure_catalog(self) -> None:
        """Fetch the parts of the catalog that failed before (names come back once the API recovers)."""
        catalog = self.catalog
        incomplete = catalog.regions is None or catalog.os is None or catalog.applications is None
        running = any(w.group == "catalog" and not w.is_finished for w in self.workers)  # pending counts too
        if incomplete and not running:
            self._load_catalog()

    async def _catalog_worker(self) -> None:
        for loader in (self.catalog.ensure_regions, self.catalog.ensure_os, self.catalog.ensure_applications):
            try:
                await loader()
            except CloudzyError as exc:
                log.warning("catalog: %s", exc.message)
        self.catalog_loaded.publish(None)

    async def confirm(
        self,
        title: str,
        message: Text | str,
        *,
        confirm_label: str = "Confirm",
        danger: bool = True,
        require: str | None = None,
        require_label: str = "name",
    ) -> bool:
        """Ask (from a worker); True only if the user confirmed."""
        modal = ConfirmModal(
            title, message, confirm_label=confirm_label, danger=danger, require=require, require_label=require_label
        )
        return bool(await self.push_screen_wait(modal))  # type: ignore[arg-type]

    async def ask(self, modal: Screen[Any]) -> Any:
        """Show a modal (from a worker) and return what it was dismissed with."""
        return await self.push_screen_wait(modal)

    def track(
        self,
        kind: str,
        target_id: str,
        label: str,
        action: str,
        expect: Expectation,
        *,
        timeout: float | None = None,
    ) -> Job:
        """Follow an asynchronous operation to its end; rows update and a toast announces the end."""
        if timeout is None:
            return self.jobs.track(kind=kind, target_id=target_id, label=label, action=action, expect=expect)
        return self.jobs.track(
            kind=kind, target_id=target_id, label=label, action=action, expect=expect, timeout=timeout
        )

    # ----------------------------------------------------------- navigation

    def screen_for(self, name: str) -> ResourceScreen[Any]:
        spec = resolve_resource(name)
        if spec is None:
            raise KeyError(name)
        screen = self._screens.get(spec.name)
        if screen is None:
            screen = self.new_screen(spec)
            self._screens[spec.name] = screen
            self.install_screen(screen, spec.name)
        return screen

    def new_screen(self, spec: ResourceSpec[Any]) -> ResourceScreen[Any]:
        """A new screen for the resource (not installed)."""
        screen: ResourceScreen[Any] = screen_class(spec)(spec)  # the console's own views have theirs
        return screen

    def show_resource(self, name: str, *, select: str | None = None, remember: bool = True) -> bool:
        spec = resolve_resource(name)
        if spec is None:
            self.toast(f"No resource called {name!r}. Try :instances, :snapshots, :keys …", severity="warning")
            return False
        screen = self.screen_for(spec.name)
        current = self.screen if len(self.screen_stack) > 0 else None
        if current is not screen:
            if isinstance(current, ResourceScreen) and remember:
                self._history.append(current.spec.name)
                del self._history[:-20]
            if len(self.screen_stack) <= 1:
                self.push_screen(spec.name)
            else:
                self.switch_screen(spec.name)
        if select is not None:
            screen.select_key(select)
        return True

    def go_back(self) -> None:
        while self._history:
            name = self._history.pop()
            current = self.screen
            if isinstance(current, ResourceScreen) and current.spec.name == name:
                continue
            self.show_resource(name, remember=False)
            return

    def action_command_line(self) -> None:
        def go(name: str | None) -> None:
            if name and (name == "profile" or name.startswith("profile ")):
                self.profile_command(name.removeprefix("profile"))
            elif name:
                self.show_resource(name)

        self.push_screen(CommandLine(), go)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def action_jobs(self) -> None:
        if not isinstance(self.screen, JobsScreen):
            self.push_screen(JobsScreen())

    def _on_outcome(self, op: Operation[Any], outcome: Outcome) -> None:
        """An operation ran (from any key or dialog): the lists on display show what it changed at once."""
        for name, item in outcome.changed:
            screen = self._mounted_screen(name)
            if screen is not None and item is not None:
                screen.upsert_items([item])
        for name, key in outcome.removed:
            screen = self._mounted_screen(name)
            if screen is not None:
                screen.remove_item(key)
        for name in outcome.reload:
            screen = self._mounted_screen(name)
            if screen is not None:
                screen.reload()

    def _mounted_screen(self, name: str) -> ResourceScreen[Any] | None:
        screen = self._screens.get(name)
        return screen if screen is not None and screen.is_mounted else None

    def _track_job(self, job: JobRef) -> None:
        self.track(job.kind, job.id, job.label, job.action, job.expect)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        target = screen
        if isinstance(target, ResourceScreen):
            for action in target.enabled_actions():
                yield SystemCommand(
                    f"{target.spec.title}: {action.title}",
                    action.description or action.title,
                    lambda a=action, s=target: s.perform_action(a),  # on the marked rows when there are marks
                )
        for spec in EVERY_SPEC:
            yield SystemCommand(
                f"Go to {spec.title}",
                f":{spec.name}" + (f" (or :{', :'.join(spec.aliases)})" if spec.aliases else ""),
                lambda n=spec.name: self.show_resource(n),
            )
        yield SystemCommand("Jobs", "Show jobs in flight and finished", self.action_jobs)
        yield from self.profile_commands()
        yield SystemCommand("Help", "Show every key of this screen", self.action_help)
        yield from super().get_system_commands(screen)

    # ------------------------------------------------------------------ jobs

    def _on_job_event(self, event: JobEvent) -> None:
        job = event.job
        if event.item is not None:
            self.resource_updates.publish((job.kind, event.item))
        self.job_updates.publish(job)
        for screen in self._screens.values():
            if screen.is_mounted:
                screen.update_status()
        if event.kind == "finished":
            severity = "information" if job.state == "succeeded" else "error"
            self.toast(job.message, severity=severity, title="Job finished", timeout=8)
            self.ring_if_away()

    # --------------------------------------------------------------- status

    def status_badges(self) -> list[tuple[int, Text]]:
        """The shell's items at the right of every screen's status line (the screen owns the rest:
        ``ResourceScreen.status_items``), each with a rank (lower is kept longer on a narrow line)."""
        right: list[tuple[int, Text]] = []
        rate = self.request_rate()
        if rate is not None:
            right.append((8, Text(f"{rate:.0f} req/min", style="dim")))
        if self.read_only:
            right.append((3, Text(" READ-ONLY ", style="bold reverse yellow")))
        label = self.api_label if self.profile_name == "default" else f"{self.profile_name} · {self.api_label}"
        right.append(
            (3, safe_text(label, f"bold reverse {self.profile_colour}" if self.profile_colour else "", max_length=50))
        )
        return right

    # ----------------------------------------------------------------- misc

    async def run_external(self, argv: list[str], *, banner: str = "") -> tuple[int, str]:
        """Run a terminal program (ssh) with the console suspended; back on exit. Returns (status, error).

        ``banner`` is written to the terminal first (what is connecting, how to come back). Ctrl-C while the
        program runs ends the program only: the console's SIGINT handler is a no-op meanwhile, and since it is a
        Python handler (not SIG_IGN) the program starts with the default one (exec resets caught signals)."""
        if self.is_web:  # cloudzy-tui serve: there is no terminal to hand over
            return -1, "not available in the browser (cloudzy-tui serve); use the console in a terminal"
        try:
            with self.suspend():
                if banner:
                    sys.stdout.write(banner)
                    sys.stdout.flush()
                previous = signal.signal(signal.SIGINT, _ignore_signal)
                try:
                    return subprocess.call(argv), ""
                except OSError as exc:
                    return -1, exc.strerror or str(exc)
                finally:
                    signal.signal(signal.SIGINT, previous)
        except SuspendNotSupported:
            return -1, "this terminal cannot hand the screen to another program"

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """The palette's Screenshot: an SVG under the state dir's ``screenshots`` (0700; the file 0600), or in
        ``path``; the toast says where. (Textual's default, ``~/Downloads``, fails where that does not exist.)"""
        from textual._files import generate_datetime_filename

        if self._driver is not None and self._driver.is_web:  # in a browser: Textual's download
            return super().deliver_screenshot(filename, path, time_format)
        folder = Path(path).expanduser() if path else screenshots_dir()
        target = folder / (filename or generate_datetime_filename(self.title, ".svg", time_format))
        shown = clean(str(target), max_length=200)
        try:
            svg = self.export_screenshot()
            if not path:
                private_dir(folder)
            with open_private(target, append=False, exclusive=True) as handle:
                handle.write(svg)
        except OSError as exc:
            self.toast(f"Screenshot not saved to {shown}: {exc.strerror or exc}", severity="error", title="Screenshot")
            return None
        self.toast(f"Screenshot saved to {shown}", title="Screenshot")
        return str(target)

    def _handle_exception(self, error: Exception) -> None:
        self._crash = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Textual's crash report prints every frame's locals; ours does not, and scrubs the token."""
        import rich
        from rich.traceback import Traceback

        self.bell()
        error = getattr(self, "_crash", None) or sys.exc_info()[1]
        if error is None:
            super()._fatal_error()
            return
        trace = Traceback.extract(type(error), error, error.__traceback__, show_locals=False)
        for stack in trace.stacks:
            stack.exc_value = self.scrub(stack.exc_value)
            stack.notes = [self.scrub(note) for note in stack.notes]
        traceback = Traceback(trace, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `q` quits from the lists only: inside a dialog it must never throw away what was typed.
        if action != "quit_from_list":
            return True
        # Listed in the help (which itself closes on q); never active inside a dialog with typed input.
        return bool(self.screen_stack) and isinstance(self.screen, ResourceScreen | HelpScreen)

    async def action_quit_from_list(self) -> None:
        self.exit()

    async def on_unmount(self) -> None:
        self.keys.close()
        if self._offloop is not None and self.list_client is not None:
            self._offloop.close(self.list_client.aclose())
        if self.list_cache is not None:
            self.list_cache.close()
        await self.client.aclose()


if TYPE_CHECKING:

    def _provides_the_services(app: CloudzyApp) -> ScreenHost:
        """(For mypy) the shell implements the contract its screens, specs, flows and modals are typed against."""
        return app
