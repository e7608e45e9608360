"""The fields of each object as the reference's schemas list them (``../shared/cloudzy-api-reference.md``), besides
``id``: written once for the tests that check the simulator's answers field by field and
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

REGION_FIELDS: tuple[str, ...] = (
    "name",
    "abbr",
    "image",
    "isActive",
    "isOutOfStock",
    "overallActiveness",
    "ddosActiveness",
    "isPremium",
    "isHidden",
    "hasOffsetPrice",
    "maxDiscountPercent",
    "position",
    "config",
)

PRODUCT_FIELDS: tuple[str, ...] = (
    "regionId",
    "planId",
    "isActive",
    "networkMaxRate",
    "networkMaxRate95",
    "discountPercent",
    "remainingActualStock",
    "remainingPreorderCapacity",
    "overallActiveness",
    "ddosActiveness",
    "plan",
    "priceItems",
)

OS_FIELDS: tuple[str, ...] = (
    "name",
    "family",
    "arch",
    "minRam",
    "isDefault",
    "isActive",
)

APPLICATION_FIELDS: tuple[str, ...] = (
    "name",
    "price",
    "pricingType",
    "isActive",
    "logoUrl",
    "tag",
    "isExperimental",
    "description",
    "osFamily",
    "osList",
)

SNAPSHOT_FIELDS: tuple[str, ...] = (
    "name",
    "size",
    "status",
    "lastRestoredAt",
    "createdAt",
    "isInstanceDeleted",
    "productId",
    "instanceId",
    "userId",
    "regionId",
    "metadata",
)

FLOATING_IP_FIELDS: tuple[str, ...] = (
    "ipAddress",
    "regionId",
    "instanceId",
    "autoRenew",
    "customerNote",
    "expiresAt",
    "isDeleted",
)

ISO_FIELDS: tuple[str, ...] = (
    "name",
    "url",
    "status",
    "regionId",
    "useVirtio",
    "createdAt",
    "progress",
)

IMAGE_FIELDS: tuple[str, ...] = (
    "name",
    "url",
    "status",
    "regionId",
    "format",
    "decompress",
    "createdAt",
    "progress",
)

#: a backup profile's fields besides ``instanceId`` (its key: a profile has no ``id``)
BACKUP_PROFILE_FIELDS: tuple[str, ...] = (
    "instanceData",
    "status",
    "monthlyPrice",
    "feePercentage",
    "scheduleFrequency",
    "scheduleWeekDays",
    "maxFiles",
    "periodId",
    "lastSuccessfulBackupTime",
    "backupFiles",
    "createdAt",
)
