"""The Cloudzy API simulator: a stateful, deterministic fake of the Cloudzy Developer API v1.

    from cloudzy_tui.sim import SimConfig, Simulator, create_app, FakeClock
    clock = FakeClock()
    sim = Simulator(SimConfig(seed=1, token="demo-token", clock=clock))
    app = create_app(sim)      # Starlette ASGI app serving /developers/v1/...
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim/developers",
                               headers={"API-Token": "demo-token"})

It imports nothing from the client (``cloudzy_tui.api``), the UI or the configuration: it is the independent
check of the client. Wire contract: the Cloudzy API reference and the project's API notes
(cloudzy-api-reference.md, cloudzy-api-notes.md).

The house: ``store.py`` (the account's state, one ``Store``), ``resources/`` (the operations, one module per
resource family, each over the store), ``seed.py`` (the seeded account, built with those same functions),
``state.py`` (``Simulator``: a seeded store plus the request log, counters, faults and rate limiter),
``routes.py`` (the 41 endpoints: request checks -> resource calls), ``app.py`` (the HTTP pipeline),
``server.py`` (``cloudzy-tui sim``). No module imports one that imports it back (``tests/sim/test_structure.py``).

Choices where the reference is silent (all answers use the ``{"detail", "code", "data"}`` envelope):

- Success is always HTTP 200, ``code: "OKAY"``. Actions return the affected object in ``data``; deletes
  ``null``; create instance ``{"instances": [...]}``; change-pass ``{"password": ...}``; floating-IP
  allocate ``{"floatingIps": [...]}``.
- Errors: 401 missing/wrong ``API-Token``; 404 unknown path, unknown id in the path, and unknown ids
  referenced in bodies (region, productId, osId, appId, isoId, fromSnapshot, sshKeyIds, instanceId) -- the
  detail names what was not found; 405 wrong method (with ``Allow``); 422 shape errors in body, query or
  path (pydantic-v1 style list, no ``code``); 400 well-formed but impossible requests (inactive or
  out-of-stock region, product of another region, no custom plans / IPv6 / GPU / DDoS in the region,
  OS needs more RAM, ISO not READY, disk shrink, resize across regions); 409 state conflicts (any action
  on an instance in a transitional status, power on when not ``shutdown``, power off when not ``active``,
  a second snapshot while one is IN_PROGRESS, restoring a non-ACTIVE snapshot, deleting an IN_PROGRESS /
  RESTORING snapshot, a second backup profile for an instance, a duplicate SSH key fingerprint, touching a
  released floating IP, deleting an already deleted ISO/image or an ISO attached to an instance);
  460 low balance with the reference's exact body (``customerBalance`` is the available balance as a
  string, ``numberOfDaysBalanceValidatedAgainst`` 30).
- Balance: creating charges nothing, but holds the monthly price (of the chosen billing cycle, + app
  price) x count; a resize to a pricier plan holds the difference; deleting releases the hold.
  ``available = balance - holds``; a request needing more than that gets 460.
- Instance statuses: ``active``, ``shutdown``, ``deleted`` and the transitional ``preparing_disk``,
  ``initializing``, ``stopping``, ``starting``, ``resetting``, ``resizing``, ``restoring``. Each step takes
  ``job_seconds``: create and change-os preparing_disk -> initializing -> active; poweroff stopping ->
  shutdown; poweron starting -> active; reset (from active or shutdown) resetting -> active; resize
  resizing -> the previous status (specs change when it ends); restore: instance restoring -> active,
  snapshot RESTORING -> ACTIVE with ``lastRestoredAt``. Delete is immediate: status ``deleted``, hidden
  unless ``includeDeleted=true``, GET/actions on it 404; its snapshots get ``isInstanceDeleted``, its
  floating IPs are detached, its backup profile removed. add-traffic works in any state.
- Snapshots: IN_PROGRESS -> ACTIVE after one step, or FAILED with probability ``snapshot_failure_rate``
  (drawn at creation from a seeded RNG; 1.0 forces it). ``size`` is GB.
- Add traffic: ``amount`` TB (number > 0, at most 1000); ``extraResource.bandwidthInTB`` stays an integer
  (whole TB credited, fractions accumulate until they make one).
- Images: ``format``/``decompress`` not sent are read from the URL's file name (``x.raw.gz`` -> raw, gzip;
  else qcow2, none), so an image always carries both as strings.
- ISO/image downloads: DOWNLOADING -> READY after two steps (``progress`` 0..99 meanwhile, then 100);
  FAILED after one step when the URL is unreachable: host ``localhost`` or ending ``.invalid``, ``.test``,
  ``.localhost``, or the URL contains ``unreachable`` or ``fail`` anywhere (case-insensitive). Delete marks
  DELETED: hidden from lists unless ``status=DELETED``, still readable by id.
- Time units: instance ``insertedAt`` ISO-8601 UTC string; snapshot ``createdAt``/``lastRestoredAt`` and
  backup ``createdAt``/``lastSuccessfulBackupTime`` epoch **milliseconds**; floating-IP ``expiresAt`` and
  ISO/image ``createdAt`` epoch **seconds** (mixed on purpose; the client must accept both).
  ``expires_after`` accepts seconds or milliseconds (values above 1e11).
- Paging: instances newest first; ``limit`` 5..100 (default 10); ``bookmark`` opaque; the reply's bookmark
  points after the page's last item (present on the last page too); an empty page echoes the bookmark it
  was given (null if none). Snapshots, ISOs, images, floating IPs: ``page`` from 1, ``limit`` 1..100
  (default 10), ``total`` = all matches; newest first except floating IPs (allocation order).
- Filters: instances ``hostName`` substring case-insensitive; ``status``, ``osFamily``, ``host``
  case-insensitive exact; ``region``, ``isoId``, ``userId``, ``ipv4`` exact; ``ipv6`` compared normalised;
  ``createdFrom``/``createdTo`` ISO-8601 (naive = UTC), inclusive. ``host`` is the physical server, e.g.
  ``slc-hv07``, which is not in the wire object (see ``sim.instances[id].host``). Snapshots: without
  ``is_automated_backup`` only manual snapshots are listed. Status filters with an enum are validated (422).
- Backups: ``scheduleFrequency`` daily|weekly; ``scheduleWeekDays`` optional (not sent: an update keeps the
  profile's days, a weekly schedule without days runs on Sunday; sent empty with weekly: 422); ``periodId``
  (retention days) one of 7, 14, 30, 60, 90; new profiles are ``pending`` then ``active`` after one step;
  ``maxFiles`` = days for daily, weeks x weekdays for weekly; ``monthlyPrice`` = 20 % (``feePercentage``) of
  the instance's price; ``backupFiles`` are the instance's automated snapshots. No new automated backups are
  taken over time.
- SSH keys: ids are integers from 101; ``publicKey`` must be a well-formed OpenSSH key (ed25519, rsa >= 1024
  bits, ecdsa, sk-*), else 422; ``customerId``, when sent, a UUID version 4 (SSHKeyReadSchema's format), else
  422; ``fingerprint`` as ``ssh-keygen -lf``.
- Create instance: without osId/osName/appId/fromSnapshot the default OS; an app without osId uses its
  first ``osList`` OS; a product fixes ``class`` (regular -> default, high-frequency -> cpu-optimized,
  gpu -> gpu-provided); without productId the request is a custom plan (``extraResource`` cpu, ramInGB,
  diskInGB required; region ``supportCustomPlan``). ``floatingIPCount`` IPs are allocated per instance and
  attached. IPv4 ``mainIp`` only with ``assignIpv4: true``. Product stock decreases.
- Addresses: seeded instances 203.0.113.x then 198.51.100.x, generated ones then 198.18.x.x; floating
  IPs 192.0.2.x then 198.19.x.x; IPv6 2001:db8:<region>::<n>.

What was received (``traffic``): ``sim.requests`` is a ring of the newest ``SimConfig.request_log`` requests
(default 1,000; 0 keeps none; ``cloudzy-tui sim`` keeps none); ``sim.request_counts()`` counts every request per
endpoint (``"GET /v1/instances/{instanceId}"``, ``"GET (no route)"``) and in total, one number per endpoint,
until ``sim.reset_request_counts()``. Over HTTP the same counters are ``GET /_sim/requests`` (``DELETE`` resets):
a simulator-only path outside ``/developers``, no token, never counted nor faulted -- not part of the Cloudzy API.

Faults (``sim.faults`` for tests, ``SimConfig`` knobs for everything): see ``faults.FaultRule`` and
``app`` -- order: count and record, latency, rate limit (429 + ``Retry-After: 1``; the sliding one-second window is
measured on the simulator's clock, so a FakeClock must advance to refill it), programmable fault, random
``error_rate`` fault (500 / 503 JSON or 502 / 503 nginx HTML), then auth and the handler.
"""

from cloudzy_tui.sim.app import create_app
from cloudzy_tui.sim.config import FakeClock, SimConfig
from cloudzy_tui.sim.faults import FaultQueue, FaultRule
from cloudzy_tui.sim.state import Simulator
from cloudzy_tui.sim.traffic import RequestCounts, RequestRecord

__all__ = [
    "FakeClock",
    "FaultQueue",
    "FaultRule",
    "RequestCounts",
    "RequestRecord",
    "SimConfig",
    "Simulator",
    "create_app",
]
