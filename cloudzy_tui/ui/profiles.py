"""Switching profile at runtime: ``:profile NAME``, the palette's "Profile: NAME", ``:profile`` alone (the list).

``ProfileSwitching`` is mixed into ``CloudzyApp``. A switch builds the new profile's connection with the one factory
start-up uses (``cloudzy_tui.connect.open_console``, through the app's ``ProfileSwitcher``), then lets go of the old
one: the old screens' loads, the job tracker and the catalog load are cancelled and waited for, the screens are
dropped (the one in view is replaced by a fresh one of the same resource, which loads from the new account: no
marks, filters, cached rows or freshness of the old one survive), and only then are the old clients closed (the
off-loop thread joined, the list cache closed).

Rules an operator can rely on:
- nothing changes until the new connection is built: an unknown profile, a broken config file, a bad URL or a
  cancelled token prompt leaves the console as it was, and says why;
- the switch is refused while an action or a job of the current profile is in flight (the message names them): a
  job is followed by the profile's own client, and its end must not be lost or reported under another account;
- a profile without a token asks for one with the masked token dialog (kept in memory for this session only);
- a token the API refuses (401, asked with one read of the regions before anything changes) leaves the console as it
  was and says so; a typed one is forgotten, so the next switch asks again;
- ``CLOUDZY_API_TOKEN`` / ``CLOUDZY_API_URL`` and ``--api-url`` apply to the profile the console started with only;
  ``--read-only`` holds for every profile;
- ``--demo`` runs one embedded simulator: there are no profiles to switch to.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import WorkerError

from cloudzy_tui.api import AuthError, CloudzyError
from cloudzy_tui.connect import ConsoleConnection, NoTokenError
from cloudzy_tui.ui.text import clean

if TYPE_CHECKING:
    from textual.worker import Worker

log = logging.getLogger("cloudzy_tui.ui")

#: the app-level worker groups that belong to a profile (the screens' own workers go with the screens)
PROFILE_WORKER_GROUPS = ("jobs", "catalog")
NOT_AVAILABLE = "Switching profile is not available: --demo runs one embedded simulator (no profiles)."


class ProfileSwitching:
    """Mixed into ``CloudzyApp`` (see the module's text for the rules)."""

    _switching_profile: bool = False
    _adopting_profile: bool = False

    @property
    def switching_profile(self) -> bool:
        """Whether a profile switch is under way (from ``switch_profile`` until its worker ends)."""
        return self._switching_profile

    @property
    def _app(self) -> Any:
        """The app this is mixed into (typed loosely: nothing in ``ui/`` but the entry point imports the shell)."""
        return self

    # ------------------------------------------------------------------ what there is

    def profile_names(self) -> list[str]:
        """The profiles one may switch to (the config file as it is now), or none when switching is unavailable."""
        profiles = self._app.profiles
        return profiles.names() if profiles is not None else []

    def profile_commands(self) -> Iterable[SystemCommand]:
        """The palette's "Profile: NAME" entries (the current one says so)."""
        app = self._app
        for name in self.profile_names():
            current = name == app.profile_name
            yield SystemCommand(
                f"Profile: {clean(name, max_length=40)}",
                "the profile in use" if current else f"Switch to profile {clean(name, max_length=40)} (:profile)",
                lambda n=name: self.switch_profile(n),
            )

    def profile_command(self, argument: str) -> None:
        """``:profile`` (the list) or ``:profile NAME`` (switch)."""
        name = argument.strip()
        if name:
            self.switch_profile(name)
        else:
            self.show_profiles()

    def show_profiles(self) -> None:
        app = self._app
        if app.profiles is None:
            app.toast(NOT_AVAILABLE, severity="warning")
            return
        lines = []
        for name in self.profile_names():
            mark = "●" if name == app.profile_name else " "
            lines.append(f"{mark} {name}" + ("  (in use)" if name == app.profile_name else ""))
        app.toast(
            "\n".join(lines) + "\n:profile NAME switches",
            title="Profiles",
            timeout=10,
        )

    # ------------------------------------------------------------------ switching

    def switch_profile(self, name: str) -> Worker[bool] | None:
        """Switch to profile ``name`` without restarting (in a worker; the toasts say how it went)."""
        app = self._app
        if app.profiles is None:
            app.toast(NOT_AVAILABLE, severity="warning")
            return None
        if self._switching_profile:
            app.toast("A profile switch is already under way.", severity="warning")
            return None
        self._switching_profile = True
        return app.run_worker(self._switch_profile(name), group="profile", exit_on_error=False, name=f"profile {name}")

    def profile_busy(self) -> list[str]:
        """What of the current profile is in flight (actions, jobs): a switch would abandon it."""
        app = self._app
        busy = [f"{job.action} {job.label}" for job in app.jobs.in_flight]
        # the actions running (a dialog open, a request under way): workers of the "actions" group, wherever they run
        busy += [f"{w.name} (an action)" for w in app.workers if w.group == "actions" and not w.is_finished]
        return busy

    async def _switch_profile(self, name: str) -> bool:
        app = self._app
        self._adopting_profile = False
        try:
            return await self._try_switch(name)
        except Exception as exc:
            log.error("profile switch to %r failed: %s", name, type(exc).__name__)
            if self._adopting_profile:  # the swap itself failed (not expected): say where the console stands
                app.toast(
                    app.scrub(f"Profile switch failed midway ({exc}); now on {app.profile_name}. Restart if in doubt."),
                    severity="error",
                    timeout=15,
                )
            else:  # before the swap: nothing changed
                app.toast(app.scrub(f"Profile not switched: {exc}"), severity="error", timeout=10)
            return False
        finally:
            self._switching_profile = False

    async def _try_switch(self, name: str) -> bool:
        from cloudzy_tui.config import ConfigError
        from cloudzy_tui.ui.modals.token import TokenModal
        from cloudzy_tui.ui.screens.resource import ResourceScreen

        app = self._app
        profiles = app.profiles
        assert profiles is not None
        shown = clean(name, max_length=40)
        if name == app.profile_name:
            app.toast(f"Already on profile {shown}.")
            return False
        busy = self.profile_busy()
        if busy:
            listed = "; ".join(busy[:6]) + (f"; and {len(busy) - 6} more" if len(busy) > 6 else "")
            app.toast(
                f"Profile not switched: still in flight on {app.profile_name}: {listed}. "
                "Switch when they have ended (J shows the jobs).",
                severity="warning",
                timeout=10,
            )
            return False
        try:
            connection = profiles.resolve(name)
        except ConfigError as exc:
            app.toast(f"Profile not switched: {exc}", severity="error", timeout=10)
            return False
        token = profiles.token(connection)
        if token is None:
            token = await app.push_screen_wait(
                TokenModal(
                    title=f"Profile {shown} has no API token",
                    message=(
                        f"Enter the API token for profile {shown} ({clean(connection.api_url, max_length=80)}). "
                        "It is kept in memory for this session only; to keep it, save it in the profile."
                    ),
                )
            )
            if not token:
                app.toast(f"Profile switch cancelled; still on {app.profile_name}.")
                return False
            profiles.remember(connection.profile_name, token)
        try:
            bundle = profiles.open(connection, token)
        except (ConfigError, NoTokenError, CloudzyError, ValueError, OSError) as exc:
            app.toast(app.scrub(f"Profile not switched: {exc}"), severity="error", timeout=10)
            return False
        finally:
            del token
        refused = await _token_refused(bundle)
        if refused is not None:
            await _close(bundle)
            profiles.forget(connection.profile_name)  # a token typed this session and refused: asked for again
            app.toast(
                app.scrub(
                    f"Profile not switched: the API refused profile {shown}'s token ({refused}); "
                    f"still on {app.profile_name}."
                ),
                severity="error",
                timeout=12,
            )
            return False
        current = await self._in_view()
        if len(app.screen_stack) > 1 and not isinstance(current, ResourceScreen):
            await _close(bundle)
            app.toast("Profile not switched: close the dialog first, then switch.", severity="warning")
            return False
        await self._adopt(bundle, current)
        badge = " (read-only)" if app.read_only else ""
        app.toast(f"Profile {app.profile_name}: {app.api_label}{badge}", title="Profile switched")
        return True

    async def _in_view(self) -> Screen[Any] | None:
        """Wait for the dialog that asked for the switch (command line, palette, token) to be gone, and close the
        console's own views in front of the resource screen (jobs, help); the resource screen in view."""
        from cloudzy_tui.ui.screens.resource import ResourceScreen

        app = self._app
        for _ in range(300):
            screen = app.screen
            if isinstance(screen, ResourceScreen) or len(app.screen_stack) <= 1:
                return screen
            if _closable(screen):
                await app.pop_screen()
            else:
                await asyncio.sleep(0.01)  # being dismissed: its pop is under way
        return app.screen

    async def _adopt(self, bundle: ConsoleConnection, current: Screen[Any] | None) -> None:
        """Let go of the current connection and take ``bundle``: workers, screens, clients (see the module).
        ``current``: the resource screen in view (replaced by a fresh one of the same resource)."""
        from cloudzy_tui.ui.resources import resolve_resource
        from cloudzy_tui.ui.screens.resource import ResourceScreen

        app = self._app
        self._adopting_profile = True
        old_screens = list(app._screens.values())
        old_client, old_list_client, old_offloop, old_cache = app.client, app.list_client, app.offloop, app.list_cache
        # 1. stop everything that talks to the old account, and wait for it to stop
        stopping: list[Worker[Any]] = [
            w
            for w in app.workers
            if (w.group in PROFILE_WORKER_GROUPS and w.node is app) or any(w.node is s for s in old_screens)
        ]
        for worker in stopping:
            worker.cancel()
        for worker in stopping:
            with contextlib.suppress(WorkerError):  # cancelled (or failed, or never started): ended either way
                await worker.wait()
        # 2. screens: the one in view is replaced by a fresh one (loads from the new account); the others dropped
        name = current.spec.name if isinstance(current, ResourceScreen) else app.initial_resource
        spec = resolve_resource(name)
        assert spec is not None
        # (the old screen in view stays installed under the resource's name until it is out of the stack: a
        # one-line screen stands in meanwhile, and says what is happening)
        app._screens = {}
        standing_in = _Switching(f"Switching to profile {clean(bundle.profile_name, max_length=40)}…")
        if isinstance(current, ResourceScreen):
            await app.switch_screen(standing_in)
        else:
            await app.push_screen(standing_in)
        for screen in old_screens:
            app.uninstall_screen(screen)
            if screen.is_attached:
                await screen.remove()
        # 3. the new connection, and what hangs on it (catalog, operations session, job tracker, freshness)
        app._bind_connection(bundle)
        fresh = app.new_screen(spec)
        app.install_screen(fresh, spec.name)
        await app.switch_screen(fresh)
        app._screens[spec.name] = fresh
        # 4. the new profile's background work
        app.run_worker(app.jobs.run(), group="jobs", exit_on_error=False, name="job tracker")
        app.ensure_catalog()  # (unless the new screen's first load already asked for it)
        # 5. the old clients closed (the off-loop thread joined off the UI thread), the old cache closed
        if old_offloop is not None and old_list_client is not None:
            await asyncio.to_thread(old_offloop.close, old_list_client.aclose())
        if old_cache is not None:
            old_cache.close()
        await old_client.aclose()


class _Switching(Screen[None]):
    """What shows for the moment between the old profile's screens and the new one's."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self._message = message

    def compose(self) -> ComposeResult:
        yield Static(Text(self._message, style="italic"))


def _closable(screen: Screen[Any]) -> bool:
    """The console's own views that a switch may close (never a dialog with something typed in it)."""
    from cloudzy_tui.ui.modals.help import HelpScreen
    from cloudzy_tui.ui.modals.jobs import JobsScreen

    return isinstance(screen, JobsScreen | HelpScreen)


async def _token_refused(bundle: ConsoleConnection) -> str | None:
    """Why the API refuses the new connection's token, asked with one small read (the regions: one request more
    per switch, as the new catalog reads them again); ``None`` when it does not refuse it. Any other failure (the
    API unreachable, a 5xx) says nothing about the token: the switch goes on, and the new screen shows that failure
    as any load does."""
    try:
        await bundle.client.regions.list()
    except AuthError as exc:
        return exc.message
    except CloudzyError:
        pass
    return None


async def _close(bundle: ConsoleConnection) -> None:
    """A connection built but not taken (the switch stopped before the swap): its clients and cache closed."""
    if bundle.list_client is not None:
        await bundle.list_client.aclose()
    if bundle.list_cache is not None:
        bundle.list_cache.close()
    await bundle.client.aclose()
