"""The fields of an instance as the reference's schema lists them (``../shared/cloudzy-api-reference.md``, the
instance object), besides ``id``: written once for the tests that check the simulator's answers field by field and
for the foreign servers that answer with every one of them ``null``. Nothing of ``cloudzy_tui`` is imported here:
the foreign servers that use it must stay written apart from the project."""

from __future__ import annotations

INSTANCE_FIELDS: tuple[str, ...] = (
    "hostname",
    "vcpuCount",
    "ram",
    "disk",
    "insertedAt",
    "osId",
    "isoId",
    "fromImage",
    "os",
    "region",
    "userId",
    "appId",
    "status",
    "mainIp",
    "mainIpv6",
    "productId",
    "networkStatus",
    "discountPercent",
    "attachIso",
    "extraResource",
    "class",
    "ocaData",
    "isDdosProtected",
    "customerNote",
    "adminNote",
    "features",
)
