"""Request models: every validation rule (accepted and rejected), the wire JSON of every body, and
client-side errors in the same shape as a server 422."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError as PydanticValidationError

from cloudzy_tui.api import (
    AddTrafficRequest,
    BackupProfileRequest,
    ChangeOsRequest,
    CreateInstanceRequest,
    ExtraResource,
    FloatingIpAllocateRequest,
    FloatingIpFilters,
    FloatingIpUpdate,
    ImageDownloadRequest,
    InstanceFilters,
    IsoDownloadRequest,
    ResizeRequest,
    SnapshotFilters,
    SshKeyCreate,
    TakeSnapshotRequest,
    field_errors_from_pydantic,
    normalize_public_key,
)


def errors_of(exc: pytest.ExceptionInfo[PydanticValidationError]) -> dict[str, str]:
    """JSON field path -> message."""
    return {fe.path: fe.message for fe in field_errors_from_pydantic(exc.value)}


def _s(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def ssh_blob(key_type: str, *fields: bytes) -> str:
    return base64.b64encode(_s(key_type.encode()) + b"".join(_s(f) for f in fields)).decode()


ED25519 = "ssh-ed25519 " + ssh_blob("ssh-ed25519", bytes(range(32)))
RSA = "ssh-rsa " + ssh_blob("ssh-rsa", b"\x01\x00\x01", b"\x00" + bytes(range(1, 200)))
ECDSA = "ecdsa-sha2-nistp256 " + ssh_blob("ecdsa-sha2-nistp256", b"nistp256", b"\x04" + bytes(64))
SK = "sk-ssh-ed25519@openssh.com " + ssh_blob("sk-ssh-ed25519@openssh.com", bytes(32), b"ssh:")


# -- CreateInstanceRequest -------------------------------------------------------------------------------------

FIXED: dict[str, Any] = {"hostnames": ["web-01"], "region": "region-456", "product_id": "fixed-plan-123",
                         "os_id": "ubuntu-22.04"}  # fmt: skip


def test_create_instance_fixed_plan_wire_json_matches_the_reference_example() -> None:
    req = CreateInstanceRequest(
        hostnames=["my-vps-1"],
        product_id="fixed-plan-123",
        region="region-456",
        instance_class="default",
        extra_resource={"disk_in_gb": 50, "bandwidth_in_tb": 2},
        assign_ipv4=True,
        os_id="ubuntu-22.04",
        ssh_key_ids=[101, "102"],
        floating_ip_count=1,
    )
    assert req.to_wire() == {
        "hostnames": ["my-vps-1"],
        "productId": "fixed-plan-123",
        "region": "region-456",
        "class": "default",
        "extraResource": {"diskInGB": 50, "bandwidthInTB": 2},
        "assignIpv4": True,
        "osId": "ubuntu-22.04",
        "sshKeyIds": [101, 102],
        "floatingIPCount": 1,
    }
    assert req.model_dump(by_alias=True, exclude_none=True) == req.to_wire()


def test_create_instance_custom_plan_with_every_field_and_json_names_accepted() -> None:
    req = CreateInstanceRequest.model_validate(
        {
            "hostnames": ["custom-instance", "db.example.com"],
            "region": "region-456",
            "class": "CPU-Optimized",
            "extraResource": {"cpu": 4, "ramInGB": 8, "diskInGB": 100, "bandwidthInTB": 5},
            "osId": "ubuntu-22.04",
            "appId": "wordpress",
            "customerId": "c-1",
            "assignIpv4": True,
            "assignIpv6": False,
            "isDdosProtected": True,
            "billingCycle": "Monthly",
            "isSubscriptionAutoRenewEnabled": False,
            "featureIds": ["nested", "monitoring", "nested"],
            "floatingIPCount": 0,
            "fromSnapshot": "snap-1",
            "osName": "Ubuntu",
            "isoId": "iso-1",
        }
    )
    wire = req.to_wire()
    assert wire["class"] == "cpu-optimized" and wire["billingCycle"] == "monthly"
    assert wire["featureIds"] == ["nested", "monitoring"]
    assert wire["extraResource"] == {"cpu": 4, "ramInGB": 8, "diskInGB": 100, "bandwidthInTB": 5}
    assert "productId" not in wire
    assert set(wire) == {
        "hostnames", "region", "class", "extraResource", "osId", "appId", "customerId", "assignIpv4",
        "assignIpv6", "isDdosProtected", "billingCycle", "isSubscriptionAutoRenewEnabled", "featureIds",
        "floatingIPCount", "fromSnapshot", "osName", "isoId",
    }  # fmt: skip


def test_create_instance_accepts_an_extra_resource_model() -> None:
    req = CreateInstanceRequest(
        hostnames=["a"], region="r", os_id="o", extra_resource=ExtraResource(cpu=2, ram_in_gb=4, disk_in_gb=40)
    )
    assert req.to_wire()["extraResource"] == {"cpu": 2, "ramInGB": 4, "diskInGB": 40}


@pytest.mark.parametrize(
    "name", ["a", "web-01", "WEB01", "0day", "a" * 63, "db.example.com", "x-1.y-2.z", ".".join(["a" * 60] * 4)]
)
def test_valid_hostnames(name: str) -> None:
    assert CreateInstanceRequest(**{**FIXED, "hostnames": [name]}).hostnames == [name]


@pytest.mark.parametrize(
    "name", ["", " ", "-web", "web-", "we_b", "web 01", "a" * 64, "a..b", "a.", ".a", "ünï", "a" * 50 + "." + "b" * 210]
)
def test_invalid_hostnames_are_reported_at_their_index(name: str) -> None:
    with pytest.raises(PydanticValidationError) as exc:
        CreateInstanceRequest(**{**FIXED, "hostnames": ["ok-1", name]})
    fes = field_errors_from_pydantic(exc.value)
    assert fes[0].field == "hostnames" and fes[0].index == 1 and fes[0].path == "hostnames[1]"


@pytest.mark.parametrize(
    ("hostnames", "message"),
    [
        ([], "between 1 and 10"),
        ([f"h{i}" for i in range(11)], "between 1 and 10"),
        (["web", "WEB"], "given twice"),
    ],
)
def test_hostname_count_and_duplicates(hostnames: list[str], message: str) -> None:
    with pytest.raises(PydanticValidationError) as exc:
        CreateInstanceRequest(**{**FIXED, "hostnames": hostnames})
    assert message in errors_of(exc)["hostnames"]


def test_ten_hostnames_are_fine() -> None:
    assert len(CreateInstanceRequest(**{**FIXED, "hostnames": [f"h{i}" for i in range(10)]}).hostnames) == 10


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"region": ""}, "region"),
        ({"region": None}, "region"),
        ({"floating_ip_count": 6}, "floatingIPCount"),
        ({"floating_ip_count": -1}, "floatingIPCount"),
        ({"instance_class": "huge"}, "class"),
        ({"billing_cycle": "weekly"}, "billingCycle"),
        ({"feature_ids": ["nested", "teleport"]}, "featureIds[1]"),
        ({"ssh_key_ids": ["abc"]}, "sshKeyIds[0]"),
        ({"product_id": None}, "productId"),
        ({"product_id": None, "extra_resource": {"cpu": 2}}, "productId"),
        ({"product_id": None, "extra_resource": {"cpu": 2, "ram_in_gb": 4}}, "productId"),
        ({"extra_resource": {"cpu": 2, "ram_in_gb": 4}}, "extraResource"),
        ({"extra_resource": {"disk_in_gb": 0}}, "extraResource.diskInGB"),
        ({"extra_resource": {"disk_in_gb": 1.5}}, "extraResource.diskInGB"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_create_instance_rejections_name_the_json_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(PydanticValidationError) as exc:
        CreateInstanceRequest(**{**FIXED, **change})
    assert field in errors_of(exc), errors_of(exc)


@pytest.mark.parametrize("source", ["os_id", "os_name", "app_id", "iso_id", "from_snapshot"])
def test_any_install_source_is_enough(source: str) -> None:
    req = CreateInstanceRequest(hostnames=["a"], region="r", product_id="p", **{source: "x"})
    assert len(req.to_wire()) == 4


def test_no_install_source_leaves_the_default_to_the_server() -> None:
    # The reference makes osId optional: the server installs its default OS.
    assert CreateInstanceRequest(hostnames=["a"], region="r", product_id="p").to_wire() == {
        "hostnames": ["a"],
        "region": "r",
        "productId": "p",
    }


def test_floating_ip_count_bounds_accepted() -> None:
    assert CreateInstanceRequest(**FIXED, floating_ip_count=0).floating_ip_count == 0
    assert CreateInstanceRequest(**FIXED, floating_ip_count=5).to_wire()["floatingIPCount"] == 5


# -- ResizeRequest ---------------------------------------------------------------------------------------------


def test_resize_fixed_and_custom_wire_json() -> None:
    fixed = ResizeRequest(type="fixed", product_id="fixed-plan-123", extra_resource={"disk_in_gb": 50})
    assert fixed.to_wire() == {"type": "FIXED", "productId": "fixed-plan-123", "extraResource": {"diskInGB": 50}}
    custom = ResizeRequest.model_validate(
        {"type": "CUSTOM", "regionId": "region-456",
         "extraResource": {"cpu": 8, "ramInGB": 16, "diskInGB": 200, "bandwidthInTB": 10}}
    )  # fmt: skip
    assert custom.to_wire() == {
        "type": "CUSTOM",
        "regionId": "region-456",
        "extraResource": {"cpu": 8, "ramInGB": 16, "diskInGB": 200, "bandwidthInTB": 10},
    }
    assert ResizeRequest(type="FIXED", product_id="p", instance_id="i").to_wire()["instanceId"] == "i"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"type": "BIGGER"}, "type"),
        ({"type": "FIXED"}, "productId"),
        ({"type": "FIXED", "product_id": "p", "extra_resource": {"cpu": 2}}, "extraResource"),
        ({"type": "CUSTOM"}, "extraResource.cpu"),
        ({"type": "CUSTOM", "extra_resource": {"cpu": 2, "disk_in_gb": 10}}, "extraResource.ramInGB"),
        ({"type": "CUSTOM", "extra_resource": {"cpu": 2, "ram_in_gb": 2}}, "extraResource.diskInGB"),
        ({"type": "CUSTOM", "extra_resource": {"cpu": 0, "ram_in_gb": 2, "disk_in_gb": 2}}, "extraResource.cpu"),
        ({"type": "CUSTOM", "product_id": "p", "extra_resource": {"cpu": 1, "ram_in_gb": 1, "disk_in_gb": 1}},
         "productId"),
    ],
)  # fmt: skip
def test_resize_rejections(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(PydanticValidationError) as exc:
        ResizeRequest(**kwargs)
    assert field in errors_of(exc), errors_of(exc)


# -- SSH keys --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [ED25519, RSA, ECDSA, SK])
def test_valid_public_keys(key: str) -> None:
    assert SshKeyCreate(name="k", public_key=key).public_key == key
    assert SshKeyCreate(name="k", public_key=f"  {key} me@laptop  \n").public_key == f"{key} me@laptop"


def test_public_key_wrapped_over_lines_is_rejoined() -> None:
    key_type, blob = RSA.split()
    wrapped = f"{key_type} {blob[:40]}\n{blob[40:90]}\r\n{blob[90:]} user@host extra words\n"
    assert normalize_public_key(wrapped) == f"{RSA} user@host extra words"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "paste a public key"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----", "private key"),
        ("ssh-dss AAAAB3NzaC1kc3M=", "unsupported key type"),
        ("ssh-ed25519", "no base64"),
        ("ssh-ed25519 not*base64", "damaged"),
        ("ssh-rsa " + ED25519.split()[1], "damaged"),  # blob of another type
        ("ssh-ed25519 " + ssh_blob("ssh-ed25519", bytes(31)), "damaged"),  # wrong key length
        ("ssh-ed25519 " + ED25519.split()[1][:-8], "damaged"),  # cut off
        ("---- BEGIN SSH2 PUBLIC KEY ----", "SSH2"),
    ],
)
def test_invalid_public_keys(key: str, message: str) -> None:
    with pytest.raises(PydanticValidationError) as exc:
        SshKeyCreate(name="k", public_key=key)
    assert message in errors_of(exc)["publicKey"]


def test_ssh_key_name_rules_and_wire_json() -> None:
    assert SshKeyCreate(name="  My SSH Key ", public_key=ED25519, customer_id="c").to_wire() == {
        "name": "My SSH Key",
        "publicKey": ED25519,
        "customerId": "c",
    }
    assert SshKeyCreate(name="x" * 64, public_key=ED25519).name == "x" * 64
    for bad in ("", "   ", "x" * 65):
        with pytest.raises(PydanticValidationError) as exc:
            SshKeyCreate(name=bad, public_key=ED25519)
        assert "name" in errors_of(exc)


# -- Floating IPs, media, snapshots, backups, small bodies -----------------------------------------------------


def test_floating_ip_requests() -> None:
    assert FloatingIpAllocateRequest(region_id="region-456", count=2).to_wire() == {
        "regionId": "region-456",
        "count": 2,
    }
    for count in (0, 6):
        with pytest.raises(PydanticValidationError) as exc:
            FloatingIpAllocateRequest(region_id="r", count=count)
        assert "count" in errors_of(exc)
    assert FloatingIpUpdate(auto_renew=True, customer_note="Production server IP").to_wire() == {
        "autoRenew": True,
        "customerNote": "Production server IP",
    }
    assert FloatingIpUpdate(customer_note="").to_wire() == {"customerNote": ""}
    with pytest.raises(PydanticValidationError) as exc:
        FloatingIpUpdate()
    assert "nothing to update" in errors_of(exc)["autoRenew"]


def test_iso_and_image_download_requests() -> None:
    iso = IsoDownloadRequest(
        name="Custom Linux ISO", url="https://example.com/custom.iso", region_id="region-456", use_virtio=True
    )
    assert iso.to_wire() == {
        "name": "Custom Linux ISO",
        "url": "https://example.com/custom.iso",
        "regionId": "region-456",
        "useVirtio": True,
    }
    img = ImageDownloadRequest(
        name="Custom Image", url="http://example.com/image.qcow2", region_id="region-456", format="qcow2",
        decompress="gzip",
    )  # fmt: skip
    assert img.to_wire() == {
        "name": "Custom Image",
        "url": "http://example.com/image.qcow2",
        "regionId": "region-456",
        "format": "qcow2",
        "decompress": "gzip",
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "ftp://example.com/x.iso"}, "url"),
        ({"url": "https:///x.iso"}, "url"),
        ({"url": "example.com/x.iso"}, "url"),
        ({"url": "https://exa mple.com/x.iso"}, "url"),
        ({"url": "http://[::1"}, "url"),
        ({"name": " "}, "name"),
        ({"region_id": ""}, "regionId"),
    ],
)
def test_download_request_rejections(change: dict[str, Any], field: str) -> None:
    base = {"name": "n", "url": "https://example.com/x.iso", "region_id": "r"}
    for model in (IsoDownloadRequest, ImageDownloadRequest):
        with pytest.raises(PydanticValidationError) as exc:
            model(**{**base, **change})
        assert field in errors_of(exc)


def test_backup_profile_request() -> None:
    req = BackupProfileRequest(
        instance_id="instance-123", schedule_frequency="daily", period_id=30,
        schedule_week_days=["monday", "Wednesday", "FRIDAY", "Monday"],
    )  # fmt: skip
    assert req.to_wire() == {
        "instanceId": "instance-123",
        "scheduleFrequency": "daily",
        "periodId": 30,
        "scheduleWeekDays": ["Monday", "Wednesday", "Friday"],
    }
    weekly = BackupProfileRequest(
        instance_id="instance-123", schedule_frequency="Weekly", period_id=7, schedule_week_days=["Sunday"]
    )
    assert weekly.to_wire()["scheduleFrequency"] == "weekly"
    assert BackupProfileRequest(instance_id="i", schedule_frequency="daily", period_id=1).to_wire() == {
        "instanceId": "i",
        "scheduleFrequency": "daily",
        "periodId": 1,
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"schedule_frequency": "hourly"}, "scheduleFrequency"),
        ({"schedule_frequency": "weekly"}, "scheduleWeekDays"),
        ({"schedule_frequency": "weekly", "schedule_week_days": []}, "scheduleWeekDays"),
        ({"schedule_week_days": ["Funday"]}, "scheduleWeekDays[0]"),
        ({"period_id": 0}, "periodId"),
        ({"period_id": "seven"}, "periodId"),
        ({"instance_id": ""}, "instanceId"),
    ],
)
def test_backup_profile_rejections(kwargs: dict[str, Any], field: str) -> None:
    base = {"instance_id": "i", "schedule_frequency": "daily", "period_id": 7}
    with pytest.raises(PydanticValidationError) as exc:
        BackupProfileRequest(**{**base, **kwargs})
    assert field in errors_of(exc), errors_of(exc)


def test_small_bodies() -> None:
    assert ChangeOsRequest(os_id="ubuntu-22.04").to_wire() == {"osId": "ubuntu-22.04"}
    assert AddTrafficRequest(amount=1.5).to_wire() == {"amount": 1.5}
    assert TakeSnapshotRequest(instance_id="instance-123").to_wire() == {"instanceId": "instance-123"}
    for bad in (0, -1, float("inf")):
        with pytest.raises(PydanticValidationError):
            AddTrafficRequest(amount=bad)
    with pytest.raises(PydanticValidationError):
        ChangeOsRequest(os_id="")


# -- Filters ---------------------------------------------------------------------------------------------------


def test_instance_filters_query_names() -> None:
    filters = InstanceFilters(
        created_from=datetime(2024, 1, 31, 14, 0, tzinfo=timezone(timedelta(hours=2))),
        created_to="2024-02-01T00:00:00",
        host="node-7",
        hostname="web",
        status="active",
        region="us",
        iso_id="iso",
        os_family="linux",
        user_id="u",
        ipv4="203.0.113.1",
        ipv6="2001:db8::1",
        include_deleted=True,
    )
    assert filters.to_query() == {
        "createdFrom": "2024-01-31T12:00:00Z",
        "createdTo": "2024-02-01T00:00:00Z",
        "host": "node-7",
        "hostName": "web",
        "status": "active",
        "region": "us",
        "isoId": "iso",
        "osFamily": "linux",
        "userId": "u",
        "ipv4": "203.0.113.1",
        "ipv6": "2001:db8::1",
        "includeDeleted": True,
    }
    assert InstanceFilters().to_query() == {}
    with pytest.raises(PydanticValidationError) as exc:
        InstanceFilters(created_from=datetime(2024, 2, 1, tzinfo=UTC), created_to=datetime(2024, 1, 1, tzinfo=UTC))
    assert "createdTo" in errors_of(exc)
    with pytest.raises(PydanticValidationError):
        InstanceFilters(created_from="last tuesday")


def test_snapshot_and_floating_ip_filters_use_snake_case_query_names() -> None:
    assert SnapshotFilters(instance_id="i", is_automated_backup=False, status="ACTIVE").to_query() == {
        "instance_id": "i",
        "is_automated_backup": False,
        "status": "ACTIVE",
    }
    assert FloatingIpFilters(
        address="198.51.100.1", region_id="r", expires_after=1700000000, include_deleted=False
    ).to_query() == {"address": "198.51.100.1", "region_id": "r", "expires_after": 1700000000, "include_deleted": False}


def test_field_errors_have_the_server_422_shape() -> None:
    with pytest.raises(PydanticValidationError) as exc:
        CreateInstanceRequest(hostnames=["ok", "-bad"], region="", product_id="p", os_id="o")
    fes = field_errors_from_pydantic(exc.value)
    by_field = {fe.field: fe for fe in fes}
    assert by_field["hostnames"].loc == ("body", "hostnames", 1)
    assert by_field["hostnames"].index == 1
    assert by_field["region"].loc == ("body", "region") and by_field["region"].index is None
    assert all(fe.message and not fe.message.startswith("Value error") for fe in fes)
    assert by_field["region"].type == "string_too_short"
