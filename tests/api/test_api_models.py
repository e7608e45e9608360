"""Response models are tolerant: unknown fields kept, nulls, numbers as strings, unknown statuses, epochs in
seconds or milliseconds, sparse objects; JSON names exactly as the reference/notes spell them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from cloudzy_tui.api import (
    BackupProfile,
    FloatingIp,
    Image,
    Instance,
    Iso,
    OperatingSystem,
    Product,
    Region,
    Snapshot,
    SshKey,
    epoch_to_datetime,
    models,
)
from cloudzy_tui.api.catalog import Application, Plan, PlanSpecification, PriceItem, RegionConfig
from cloudzy_tui.api.instances import ExtraResource
from cloudzy_tui.api.snapshots import SnapshotMetadata


def aliases(model: type[BaseModel]) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}


# -- JSON names ------------------------------------------------------------------------------------------------

INSTANCE_JSON = {
    "id", "hostname", "vcpuCount", "ram", "disk", "insertedAt", "osId", "isoId", "fromImage", "os", "region",
    "userId", "appId", "status", "mainIp", "mainIpv6", "productId", "networkStatus", "discountPercent",
    "attachIso", "extraResource", "class", "ocaData", "isDdosProtected", "customerNote", "adminNote", "features",
}  # fmt: skip


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (Instance, INSTANCE_JSON),
        (ExtraResource, {"cpu", "ramInGB", "diskInGB", "bandwidthInTB"}),
        (OperatingSystem, {"id", "name", "family", "arch", "minRam", "isDefault", "isActive"}),
        (
            Application,
            {"id", "name", "price", "pricingType", "isActive", "logoUrl", "tag", "isExperimental",
             "description", "osFamily", "osList"},
        ),
        (
            Region,
            {"id", "name", "abbr", "image", "isActive", "isOutOfStock", "overallActiveness", "ddosActiveness",
             "isPremium", "isHidden", "hasOffsetPrice", "maxDiscountPercent", "position", "config"},
        ),
        (
            RegionConfig,
            {"supportIpv6", "supportRegularCpu", "supportHighFrequencyCpu", "supportMonitoring", "supportGpu",
             "supportCustomPlan", "ramThresholdInGB", "ipThreshold", "diskThresholdInGB", "supportDdosIpv4",
             "ddosIpv4Threshold"},
        ),
        (
            Product,
            {"id", "regionId", "planId", "isActive", "networkMaxRate", "networkMaxRate95", "discountPercent",
             "remainingActualStock", "remainingPreorderCapacity", "overallActiveness", "ddosActiveness", "plan",
             "priceItems"},
        ),
        (Plan, {"id", "type", "gpuName", "gpuQuantity", "isActive", "specification"}),
        (PlanSpecification, {"cpu", "ram", "ramInMB", "storage", "bandwidthInTB"}),
        (
            PriceItem,
            {"id", "name", "hourlyPrice", "monthlyPrice", "hourlyPriceWithoutDiscount",
             "monthlyPriceWithoutDiscount", "discountPercent"},
        ),
        (SshKey, {"id", "name", "publicKey", "customerId", "fingerprint"}),
        (
            FloatingIp,
            {"id", "ipAddress", "regionId", "instanceId", "autoRenew", "customerNote", "expiresAt", "isDeleted"},
        ),
        (Iso, {"id", "name", "url", "status", "regionId", "useVirtio", "createdAt", "progress"}),
        (Image, {"id", "name", "url", "status", "regionId", "format", "decompress", "createdAt", "progress"}),
        (
            Snapshot,
            {"id", "name", "size", "status", "lastRestoredAt", "createdAt", "isInstanceDeleted", "productId",
             "instanceId", "userId", "regionId", "metadata", "isAutomatedBackup"},
        ),
        (SnapshotMetadata, {"hostname", "osName", "vcpuCount", "ram", "disk"}),
        (
            BackupProfile,
            {"instanceId", "instanceData", "status", "monthlyPrice", "feePercentage", "scheduleFrequency",
             "scheduleWeekDays", "maxFiles", "periodId", "lastSuccessfulBackupTime", "backupFiles", "createdAt"},
        ),
    ],
)  # fmt: skip
def test_models_use_the_exact_json_names(model: type[BaseModel], expected: set[str]) -> None:
    assert aliases(model) == expected


# -- Instances -------------------------------------------------------------------------------------------------

FULL_INSTANCE = {
    "id": "i-1",
    "hostname": "web-01",
    "vcpuCount": 2,
    "ram": 4096,
    "disk": 80,
    "insertedAt": "2024-03-01T10:20:30Z",
    "osId": "ubuntu-22.04",
    "os": {"id": "ubuntu-22.04", "name": "Ubuntu 22.04", "family": "linux", "minRam": "1024", "isDefault": True},
    "region": "us-east",
    "userId": "u-1",
    "status": "active",
    "mainIp": "203.0.113.4",
    "mainIpv6": "2001:db8::4",
    "productId": "p-1",
    "networkStatus": "up",
    "discountPercent": 0,
    "attachIso": False,
    "extraResource": {"cpu": 1, "ramInGB": 2, "diskInGB": 10, "bandwidthInTB": 1},
    "class": "cpu-optimized",
    "ocaData": {"anything": [1, 2]},
    "isDdosProtected": True,
    "customerNote": "note",
    "features": ["monitoring"],
}


def test_full_instance_parses_every_field() -> None:
    inst = Instance.model_validate(FULL_INSTANCE)
    assert inst.id == "i-1" and inst.hostname == "web-01" and inst.vcpu_count == 2 and inst.ram == 4096
    assert inst.instance_class == "cpu-optimized"
    assert inst.main_ipv6 == "2001:db8::4"
    assert inst.is_ddos_protected is True
    assert inst.os is not None and inst.os.min_ram == "1024" and inst.os.min_ram_value == 1024.0
    assert inst.extra_resource is not None and inst.extra_resource.ram_in_gb == 2
    assert inst.oca_data == {"anything": [1, 2]}
    assert inst.features == ["monitoring"]
    assert inst.inserted_at == "2024-03-01T10:20:30Z"
    assert inst.inserted_at_dt == datetime(2024, 3, 1, 10, 20, 30, tzinfo=UTC)
    # Round trip to wire JSON keeps the JSON names.
    dumped = inst.model_dump(by_alias=True, exclude_none=True)
    assert dumped["class"] == "cpu-optimized" and dumped["mainIpv6"] == "2001:db8::4"


def test_sparse_instance_with_only_an_id_still_yields_a_row() -> None:
    inst = Instance.model_validate({"id": 42})
    assert inst.id == "42"
    assert inst.hostname is None and inst.status is None and inst.os is None and inst.features == []
    assert inst.label == "42"
    assert inst.inserted_at_dt is None


def test_instance_without_id_is_rejected() -> None:
    with pytest.raises(PydanticValidationError):
        Instance.model_validate({"hostname": "x"})


def test_unknown_fields_are_kept() -> None:
    inst = Instance.model_validate({"id": "i", "brandNewField": {"x": 1}, "os": {"id": "o", "kernel": "6.1"}})
    assert inst.model_extra == {"brandNewField": {"x": 1}}
    assert inst.os is not None and inst.os.model_extra == {"kernel": "6.1"}
    assert inst.model_dump(by_alias=True)["brandNewField"] == {"x": 1}


def test_unknown_status_and_class_survive_as_plain_strings() -> None:
    inst = Instance.model_validate({"id": "i", "status": "migrating_to_mars", "class": "quantum"})
    assert inst.status == "migrating_to_mars" and inst.instance_class == "quantum"
    snap = Snapshot.model_validate({"id": "s", "status": "ARCHIVED"})
    assert snap.status == "ARCHIVED" and not snap.is_settled


def test_nulls_everywhere_fall_back_to_defaults() -> None:
    inst = Instance.model_validate({k: None for k in FULL_INSTANCE} | {"id": "i"})
    assert inst.features == [] and inst.os is None and inst.attach_iso is None
    region = Region.model_validate({"id": "r", "config": None, "isActive": None, "position": None})
    assert region.config.support_ipv6 is False and region.is_active is True and region.position == {}


def test_numbers_as_strings_and_strings_as_numbers() -> None:
    inst = Instance.model_validate(
        {"id": 7, "vcpuCount": "4", "ram": "8192", "disk": "160.5", "userId": 99, "isDdosProtected": "true",
         "attachIso": 1, "features": [1, "ide"]}
    )  # fmt: skip
    assert inst.id == "7" and inst.user_id == "99"
    assert inst.vcpu_count == 4 and inst.ram == 8192 and inst.disk == 160.5
    assert inst.is_ddos_protected is True and inst.attach_iso is True
    assert inst.features == ["1", "ide"]
    price = PriceItem.model_validate({"monthlyPrice": "12.50", "hourlyPrice": 0.017})
    assert price.monthly_price == 12.5


def test_uncoercible_values_are_dropped_with_one_warning(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The warning is said once per process and field: start from a process that has not said it yet (another
    # test, run earlier, may have).
    monkeypatch.setattr(models, "_warned", set())
    caplog.set_level(logging.WARNING, logger="cloudzy_tui.api")
    inst = Instance.model_validate(
        {"id": "i", "hostname": "ok", "vcpuCount": "lots", "os": "ubuntu", "extraResource": [1], "features": 5}
    )
    assert inst.hostname == "ok"
    assert inst.vcpu_count is None and inst.os is None and inst.extra_resource is None and inst.features == []
    assert any("Instance.vcpuCount" in r.getMessage() for r in caplog.records)


def test_one_bad_element_of_a_nested_list_is_dropped_not_the_list() -> None:
    profile = BackupProfile.model_validate(
        {"instanceId": "i-1", "backupFiles": [{"id": "s1"}, {"name": "no id"}, "junk", {"id": "s2"}]}
    )
    assert [s.id for s in profile.backup_files] == ["s1", "s2"]


def test_booleans_are_tolerant() -> None:
    cfg = RegionConfig.model_validate({"supportIpv6": "true", "supportGpu": 1, "supportCustomPlan": "False"})
    assert cfg.support_ipv6 is True and cfg.support_gpu is True and cfg.support_custom_plan is False
    cfg = RegionConfig.model_validate({"supportIpv6": "perhaps"})
    assert cfg.support_ipv6 is False


# -- Time ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1700000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (1700000000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (1700000000.5, datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)),
        ("2023-11-14T22:13:20Z", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (None, None),
        ("soon", None),
        ("", None),
        (True, None),
        (-5, None),
        (float("nan"), None),
        (10**30, None),
        ([1], None),
    ],
)
def test_epoch_to_datetime(value: object, expected: datetime | None) -> None:
    result = epoch_to_datetime(value)
    assert result == expected
    if result is not None:
        assert result.tzinfo is not None


def test_epoch_properties_on_models() -> None:
    snap = Snapshot.model_validate({"id": "s", "createdAt": 1700000000000, "lastRestoredAt": "1700000000"})
    assert snap.created_at_dt == snap.last_restored_at_dt == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    fip = FloatingIp.model_validate({"id": "f", "expiresAt": 1700000000})
    assert fip.expires_at_dt is not None and fip.expires_at_dt.year == 2023
    iso = Iso.model_validate({"id": "x", "createdAt": "garbage"})
    assert iso.created_at is None and iso.created_at_dt is None
    profile = BackupProfile.model_validate({"instanceId": "i", "lastSuccessfulBackupTime": 1700000000})
    assert profile.last_successful_backup_time_dt is not None and profile.id == "i"


# -- Catalogue -------------------------------------------------------------------------------------------------


def product(**spec: object) -> Product:
    return Product.model_validate(
        {
            "id": "p-1",
            "plan": {"id": "pl", "type": "FIXED", "specification": spec},
            "priceItems": [{"id": "pi", "monthlyPrice": "9.99", "hourlyPrice": 0.0139}, {"monthlyPrice": 1}],
        }
    )


def test_product_label_and_prices() -> None:
    p = product(cpu=2, ram=4, ramInMB=4096, storage=80, bandwidthInTB=2)
    assert p.label == "2 vCPU · 4 GB RAM · 80 GB disk · 2 TB"
    assert p.monthly_price == 9.99 and p.hourly_price == 0.0139
    assert product(cpu="1", ramInMB=512, storage=10.0).label == "1 vCPU · 512 MB RAM · 10 GB disk"
    assert product(cpu=1, ramInMB=2048).label == "1 vCPU · 2 GB RAM"
    bare = Product.model_validate({"id": "p-9"})
    assert bare.label == "p-9" and bare.monthly_price is None and bare.hourly_price is None
    gpu = Product.model_validate(
        {"id": "g", "plan": {"gpuName": "A100", "gpuQuantity": 2, "specification": {"cpu": 8}}}
    )
    assert gpu.label == "8 vCPU · 2x A100"


def test_region_with_config() -> None:
    region = Region.model_validate(
        {
            "id": "r1",
            "name": "Frankfurt",
            "isActive": True,
            "isHidden": False,
            "isOutOfStock": True,
            "position": {"x": 1},
            "config": {"supportIpv6": True, "ramThresholdInGB": "64", "diskThresholdInGB": 1000},
        }
    )
    assert region.offerable and region.is_out_of_stock
    assert region.config.support_ipv6 and region.config.ram_threshold_in_gb == 64
    assert region.config.disk_threshold_in_gb == 1000 and region.config.support_gpu is False
    assert Region.model_validate({"id": "r2", "isHidden": True}).offerable is False


def test_os_min_ram_as_number_or_string() -> None:
    assert OperatingSystem.model_validate({"id": "o", "minRam": 512}).min_ram_value == 512
    assert OperatingSystem.model_validate({"id": "o", "minRam": "2 GB"}).min_ram_value is None


def test_ssh_key_ids_int_or_string_and_fingerprint() -> None:
    key = SshKey.model_validate({"id": 101, "name": "k", "publicKey": "ssh-ed25519 AAAA x", "fingerprint": None})
    assert key.id == 101 and key.fingerprint is None and key.key_type == "ssh-ed25519"
    assert SshKey.model_validate({"id": "abc"}).id == "abc"


def test_floating_ip_and_media() -> None:
    fip = FloatingIp.model_validate({"id": 5, "ipAddress": "198.51.100.7", "autoRenew": "false"})
    assert fip.id == "5" and fip.auto_renew is False and not fip.attached and fip.label == "198.51.100.7"
    img = Image.model_validate({"id": "m", "status": "READY", "format": "qcow2", "progress": "100"})
    assert img.is_settled and img.progress == 100 and img.format == "qcow2"
    assert not Iso.model_validate({"id": "m", "status": "DOWNLOADING", "useVirtio": True}).is_settled
