"""The create order without a screen: every step's rules, and the request ``to_request()`` builds for each source,
plan and billing choice (compared with the JSON body the wizard built by hand before it had a model)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pydantic
import pytest
from wizard_reference import old_request_body

from cloudzy_tui.api import (
    Application,
    CreateInstanceRequest,
    Iso,
    OperatingSystem,
    Product,
    Region,
    Snapshot,
    SshKey,
    field_errors_from_pydantic,
)
from cloudzy_tui.ops.create_draft import (
    ERROR_FIELDS,
    FIELDS,
    STEP_IDS,
    WIDGET_ATTR,
    Choices,
    Draft,
    fields_of,
    wire_fields,
)
from cloudzy_tui.ops.create_offer import parse_hostnames, price_item_for, product_class, whole_number

# ------------------------------------------------------------------------------------------------ a small catalog


def _region(rid: str, **config: Any) -> Region:
    flags = {k: config.pop(k) for k in ("is_out_of_stock", "is_active", "is_hidden") if k in config}
    return Region.model_validate({"id": rid, "name": rid.title(), "config": config, **flags})


def _product(
    pid: str, region: str, *, plan_type: str = "regular", storage: int = 80, ram: int = 4, **kw: Any
) -> Product:
    return Product.model_validate(
        {
            "id": pid,
            "regionId": region,
            "plan": {"type": plan_type, "specification": {"cpu": 2, "ram": ram, "storage": storage}},
            "priceItems": [
                {"name": "hourly", "hourlyPrice": 0.01, "monthlyPrice": 7.0},
                {"name": "monthly", "monthlyPrice": 6.0},
            ],
            **kw,
        }
    )


FULL = {
    "support_regular_cpu": True,
    "support_high_frequency_cpu": True,
    "support_gpu": True,
    "support_custom_plan": True,
    "support_ipv6": True,
    "support_ddos_ipv4": True,
    "support_monitoring": True,
    "ram_threshold_in_gb": 64,
    "disk_threshold_in_gb": 500,
    "ip_threshold": 3,
}


def _choices() -> Choices:
    choices = Choices.offered(
        regions=[
            _region("utah", **FULL),
            _region("plain", support_regular_cpu=True),  # no IPv6, DDoS, custom, monitoring
            _region("gone", support_regular_cpu=True, is_out_of_stock=True),
            _region("hidden", support_regular_cpu=True, is_hidden=True),
        ],
        systems=[
            OperatingSystem(id="ubuntu", name="Ubuntu", is_default=True),
            OperatingSystem(id="win", name="Windows", min_ram="8192"),
            OperatingSystem(id="old", name="Old", is_active=False),
        ],
        applications=[
            Application(id="wp", name="WordPress", os_list=["ubuntu"], price=2.0),
            Application(id="dead", name="Dead", is_active=False, os_list=["ubuntu"]),
        ],
        ssh_keys=[SshKey(id=7, name="laptop"), SshKey(id="x", name="odd")],
        isos=[
            Iso(id="iso-1", name="Arch", status="READY", region_id="utah"),
            Iso(id="iso-2", name="Other", status="READY", region_id="plain"),
            Iso(id="iso-3", name="Busy", status="PENDING", region_id="utah"),
        ],
        snapshots=[
            Snapshot.model_validate({"id": "snap-small", "status": "ACTIVE", "metadata": {"disk": 40}}),
            Snapshot.model_validate({"id": "snap-big", "status": "ACTIVE", "metadata": {"disk": 200}}),
            Snapshot.model_validate({"id": "snap-off", "status": "DELETING", "metadata": {"disk": 10}}),
        ],
    )
    choices.products["utah"] = [
        _product("p-small", "utah", ram=1),
        _product("p-big", "utah", storage=160, ram=16),
        _product("p-fast", "utah", plan_type="high-frequency"),
        _product("p-gpu", "utah", plan_type="gpu"),
        _product("p-empty", "utah", remainingActualStock=0),
        _product("p-two", "utah", remainingActualStock=2),
        _product("p-off", "utah", isActive=False),
    ]
    choices.products["plain"] = [_product("q-1", "plain")]
    return choices


def _draft(**kw: Any) -> Draft:
    base = {
        "region_id": "utah",
        "instance_class": "default",
        "product_id": "p-big",
        "os_id": "ubuntu",
        "hostnames_text": "web-1",
    }
    base.update(kw)
    return Draft(**base)


def _wire(d: Draft, c: Choices) -> dict[str, Any]:
    return d.to_request(c).to_wire()


DRAFTS: dict[str, Draft] = {
    "os": _draft(),
    "os-and-application": _draft(app_id="wp"),
    "iso": _draft(source="iso:iso-1", app_id="wp"),
    "snapshot": _draft(source="snapshot:snap-small", app_id="wp", os_id="win"),
    "no-os-listed": _draft(os_id=None),
    "monthly-no-renew": _draft(billing_cycle="monthly", auto_renew=False),
    "annually": _draft(billing_cycle="annually"),
    "custom": _draft(custom=True, product_id=None, cpu="4", ram="8", disk="100"),
    "custom-with-traffic": _draft(custom=True, cpu="2", ram="2", disk="40", bandwidth="3"),
    "custom-zero-traffic": _draft(custom=True, cpu="2", ram="2", disk="40", bandwidth="0"),
    "fixed-extras": _draft(extra_disk="50", extra_bandwidth="2"),
    "fixed-extra-disk-only": _draft(extra_disk="50", extra_bandwidth="0"),
    "fixed-zero-extras": _draft(extra_disk="0", extra_bandwidth=""),
    "several-hostnames": _draft(hostnames_text=" a-1, b-2;c-3\n d.example.com "),
    "ssh-keys": _draft(ssh_key_ids=[7, 9]),
    "floating-ips": _draft(floating_ips="3"),
    "floating-empty": _draft(floating_ips=""),
    "network-on": _draft(assign_ipv4=False, assign_ipv6=True, ddos=True),
    "features": _draft(features=["nested", "monitoring", "ide"]),
    "no-ipv6-region": _draft(region_id="plain", product_id="q-1", assign_ipv6=True, ddos=True, features=["monitoring"]),
    "no-class": _draft(instance_class=None),
}


@pytest.mark.parametrize("name", list(DRAFTS))
def test_to_request_sends_the_body_the_hand_built_one_did(name: str) -> None:
    choices, draft = _choices(), DRAFTS[name]
    old = CreateInstanceRequest.model_validate(old_request_body(draft, choices)).to_wire()
    assert _wire(draft, choices) == old


def test_to_request_from_an_os_with_hourly_billing() -> None:
    assert _wire(_draft(), _choices()) == {
        "hostnames": ["web-1"],
        "region": "utah",
        "productId": "p-big",
        "assignIpv4": True,
        "assignIpv6": False,
        "isDdosProtected": False,
        "billingCycle": "hourly",
        "isSubscriptionAutoRenewEnabled": True,
        "osId": "ubuntu",
        "floatingIPCount": 0,
        "class": "default",
    }


def test_to_request_with_an_application_monthly_without_renewal() -> None:
    body = _wire(_draft(app_id="wp", billing_cycle="monthly", auto_renew=False), _choices())
    assert (body["appId"], body["osId"], body["billingCycle"]) == ("wp", "ubuntu", "monthly")
    assert body["isSubscriptionAutoRenewEnabled"] is False


def test_to_request_from_an_iso_or_a_snapshot_sends_no_os_or_application() -> None:
    choices = _choices()
    iso = _wire(_draft(source="iso:iso-1", app_id="wp"), choices)
    assert iso["isoId"] == "iso-1"
    assert not {"osId", "appId", "fromSnapshot"} & set(iso)
    snap = _wire(_draft(source="snapshot:snap-small", app_id="wp"), choices)
    assert snap["fromSnapshot"] == "snap-small"
    assert not {"osId", "appId", "isoId"} & set(snap)


def test_to_request_custom_plan_sends_resources_and_no_product() -> None:
    body = _wire(_draft(custom=True, cpu="4", ram="8", disk="100", bandwidth="2"), _choices())
    assert "productId" not in body
    assert body["extraResource"] == {"cpu": 4, "ramInGB": 8, "diskInGB": 100, "bandwidthInTB": 2}


def test_to_request_fixed_plan_sends_extras_only_when_given() -> None:
    choices = _choices()
    assert "extraResource" not in _wire(_draft(extra_disk="0", extra_bandwidth=""), choices)
    body = _wire(_draft(extra_disk="20"), choices)
    assert body["productId"] == "p-big" and body["extraResource"] == {"diskInGB": 20}


def test_to_request_several_hostnames_keys_floating_ips_and_features() -> None:
    draft = _draft(
        hostnames_text="a-1, b-2 c-3", ssh_key_ids=[7, 8], floating_ips="2", features=["nested", "nested", "ide"]
    )
    body = _wire(draft, _choices())
    assert body["hostnames"] == ["a-1", "b-2", "c-3"]
    assert body["sshKeyIds"] == [7, 8]
    assert body["floatingIPCount"] == 2
    assert body["featureIds"] == ["nested", "ide"]


def test_to_request_leaves_out_what_the_region_does_not_offer() -> None:
    body = _wire(
        _draft(region_id="plain", product_id="q-1", assign_ipv6=True, ddos=True, features=["monitoring", "ide"]),
        _choices(),
    )
    assert "assignIpv6" not in body and "isDdosProtected" not in body
    assert body["featureIds"] == ["ide"]


def test_to_request_errors_name_the_json_fields_the_form_routes() -> None:
    choices = _choices()
    with pytest.raises(pydantic.ValidationError) as caught:
        _draft(custom=True, cpu="0", ram="2", disk="10").to_request(choices)
    locs = {tuple(str(p) for p in e["loc"]) for e in caught.value.errors()}
    assert ("extraResource", "cpu") in locs
    assert wire_fields(True)["extraResource.cpu"] == "cpu"
    with pytest.raises(pydantic.ValidationError) as caught:
        _draft(product_id=None).to_request(choices)
    assert [e.field for e in field_errors_from_pydantic(caught.value)] == ["productId"]
    assert wire_fields(False)["productId"] == "product"
    with pytest.raises(ValueError):
        _draft(floating_ips="x").to_request(choices)


# ------------------------------------------------------------------------------------------------ the rules


def test_region_rules() -> None:
    c = _choices()
    assert [r.id for r in c.regions] == ["utah", "plain", "gone"]  # hidden ones are not offered
    assert _draft(region_id=None).validate("region", c) == {"region": ["choose a region"]}
    assert _draft(region_id="hidden").validate("region", c) == {"region": ["choose a region"]}
    assert _draft(region_id="gone").validate("region", c) == {"region": ["this region is out of stock; choose another"]}
    assert _draft().validate("region", c) == {}


def test_class_rules() -> None:
    c = _choices()
    assert _draft(instance_class=None).validate("class", c) == {"class": ["choose an instance class"]}
    assert _draft(region_id="plain", instance_class="gpu-provided").validate("class", c) == {
        "class": ["choose an instance class"]
    }
    assert _draft(instance_class="gpu-provided").validate("class", c) == {}


def test_fixed_plan_rules() -> None:
    c = _choices()
    assert _draft().validate("plan", c) == {}
    assert _draft(product_id=None).validate("plan", c) == {"product": ["choose a product"]}
    assert _draft(product_id="p-off").validate("plan", c) == {"product": ["choose a product"]}
    assert _draft(product_id="p-fast").validate("plan", c) == {"product": ["choose a product"]}  # other class
    assert _draft(product_id="p-empty").validate("plan", c) == {"product": ["this product is out of stock"]}
    assert _draft(product_id="p-two", hostnames_text="a b").validate("plan", c) == {}
    assert _draft(product_id="p-two", hostnames_text="a b c").validate("plan", c) == {
        "product": ["only 2 left of this product, 3 hostnames given"]
    }
    assert _draft(extra_disk="1x", extra_bandwidth="-2").validate("plan", c) == {
        "extra_disk": ["enter a whole number"],
        "extra_bandwidth": ["enter a whole number"],
    }


def test_fixed_plan_while_products_load_or_failed() -> None:
    c = _choices()
    del c.products["utah"]
    assert _draft(extra_disk="x").validate("plan", c) == {"product": ["the products are still loading"]}
    c.products_error["utah"] = "boom"
    assert _draft().validate("plan", c) == {"product": ["boom"]}


def test_custom_plan_rules() -> None:
    c = _choices()
    assert _draft(custom=True, cpu="2", ram="4", disk="40").validate("plan", c) == {}
    assert _draft(custom=True, cpu="", ram="0", disk="x", bandwidth="y").validate("plan", c) == {
        "cpu": ["required: a whole number, at least 1"],
        "ram": ["required: a whole number, at least 1"],
        "disk": ["enter a whole number"],
        "bandwidth": ["enter a whole number"],
    }
    assert _draft(custom=True, cpu="99", ram="65", disk="501", bandwidth="0").validate("plan", c) == {
        "ram": ["at most 64 GB in this region"],
        "disk": ["at most 500 GB in this region"],
    }
    refused = {"product": ["custom resources are not offered here: choose a product"]}
    assert _draft(custom=True, instance_class="gpu-provided", cpu="x").validate("plan", c) == refused
    assert _draft(region_id="plain", custom=True).validate("plan", c) == refused


def test_software_rules_for_an_os_and_an_application() -> None:
    c = _choices()
    assert _draft(app_id="wp").validate("software", c) == {}
    assert _draft(os_id=None).validate("software", c) == {"os": ["choose an operating system"]}
    assert _draft(os_id="old").validate("software", c) == {"os": ["choose an operating system"]}
    assert _draft(app_id="dead").validate("software", c) == {"app": ["this application is not available"]}
    assert _draft(app_id="wp", os_id="win").validate("software", c) == {
        "os": ["the application does not run on this operating system"]
    }
    assert _draft(product_id="p-small", os_id="win").validate("software", c) == {
        "os": ["Windows needs at least 8 GB of RAM; the plan has 1 GB"]
    }
    assert _draft(custom=True, ram="4", os_id="win").validate("software", c) == {
        "os": ["Windows needs at least 8 GB of RAM; the plan has 4 GB"]
    }
    assert _draft(os_id=None).validate("software", replace(c, systems=[])) == {}  # the server's default OS


def test_software_rules_for_an_iso_and_a_snapshot() -> None:
    c = _choices()
    assert _draft(source="iso:iso-1", os_id=None, app_id="dead").validate("software", c) == {}
    not_ready = {"source": ["this ISO is not ready in the chosen region: choose another source"]}
    assert _draft(source="iso:iso-2").validate("software", c) == not_ready  # another region's
    assert _draft(source="iso:iso-3").validate("software", c) == not_ready  # not READY
    assert _draft(source="iso:nope").validate("software", c) == not_ready
    assert _draft(source="snapshot:snap-small", product_id="p-small").validate("software", c) == {}
    assert _draft(source="snapshot:snap-off").validate("software", c) == {
        "source": ["this snapshot is not available: choose another source"]
    }
    too_big = "the snapshot's disk is too big (needs 200 GB, plan has 160 GB): choose a larger plan or extra disk"
    assert _draft(source="snapshot:snap-big").validate("software", c) == {"source": [too_big]}
    assert _draft(source="snapshot:snap-big", extra_disk="40").validate("software", c) == {}
    assert _draft(source="snapshot:snap-big", custom=True, disk="250").validate("software", c) == {}


def test_hostname_rules() -> None:
    c = _choices()
    assert _draft(hostnames_text="a, b;c d").validate("hostnames", c) == {}
    assert _draft(hostnames_text="  ").validate("hostnames", c) == {
        "hostnames": ["enter at least one hostname (one instance is created per hostname)"]
    }
    errors = _draft(hostnames_text="a A -bad").validate("hostnames", c)["hostnames"]
    assert errors[0] == "'A' is given twice" and "-bad" in errors[1]
    many = " ".join(f"h{i}" for i in range(11))
    assert _draft(hostnames_text=many).validate("hostnames", c) == {
        "hostnames": ["at most 10 hostnames at once (11 given)"]
    }
    (message,) = parse_hostnames("x\x1b[31m")[1]
    assert message.startswith("'x[31m' is not a valid hostname") and "\x1b" not in message


def test_network_and_billing_rules() -> None:
    c = _choices()
    assert _draft(floating_ips="3").validate("network", c) == {}
    assert _draft(floating_ips="4").validate("network", c) == {"floating_ips": ["at most 3 in this region"]}
    assert _draft(region_id="plain", floating_ips="5").validate("network", c) == {}
    assert _draft(region_id="plain", floating_ips="6").validate("network", c) == {
        "floating_ips": ["at most 5 in this region"]
    }
    assert _draft(floating_ips="two").validate("network", c) == {"floating_ips": ["enter a whole number"]}
    assert _draft().validate("ssh", c) == {}
    assert _draft(billing_cycle="weekly").validate("billing", c) == {"billing_cycle": ["choose a billing cycle"]}
    assert _draft(billing_cycle="monthly").validate("billing", c) == {}


def test_validate_all_gathers_every_step_in_the_form_order() -> None:
    errors = Draft().validate_all(_choices())
    assert list(errors) == ["region", "class", "product", "os", "hostnames"]


def test_region_change_drops_what_the_new_region_cannot_honour() -> None:
    c = _choices()
    draft = _draft(instance_class="gpu-provided", assign_ipv6=True, ddos=True, features=["monitoring", "ide"])
    draft.cpu = "4"
    draft.region_id = "plain"
    assert draft.region_changed(c) is False  # its products are known
    assert (draft.instance_class, draft.product_id, draft.assign_ipv6, draft.ddos) == (None, None, False, False)
    assert draft.features == ["ide"] and draft.cpu == "4"
    draft.region_id = "gone"
    assert draft.region_changed(c) is True  # its products must be loaded


def test_helpers() -> None:
    c = _choices()
    products = {p.id: p for p in c.products["utah"]}
    assert product_class(products["p-gpu"]) == "gpu-provided"
    assert product_class(products["p-fast"]) == "cpu-optimized"
    assert product_class(products["p-big"]) == "default"
    item = price_item_for(products["p-big"], "monthly")
    assert item is not None and item.monthly_price == 6.0
    fallback = price_item_for(products["p-big"], "yearly")
    assert fallback is not None and fallback.name == "hourly"
    assert whole_number(" 12 ") == 12 and whole_number("") is None
    with pytest.raises(ValueError):
        whole_number("1.5")
    assert _draft(source="snapshot:snap-small").plan_disk_gb(c) == 160.0
    assert _draft(custom=True, ram="2").plan_ram_mb(c) == 2048
    assert not Draft().has_input() and Draft(ssh_key_ids=[1]).has_input() and _draft().has_input()


def test_the_field_table_is_the_one_source_of_names() -> None:
    assert [f.step for f in FIELDS] == sorted((f.step for f in FIELDS), key=STEP_IDS.index)
    assert fields_of("plan") == ["product", "extra_disk", "extra_bandwidth", "cpu", "ram", "disk", "bandwidth"]
    assert "custom" not in ERROR_FIELDS and WIDGET_ATTR["plan-custom"] == "custom"
    assert WIDGET_ATTR["hostnames"] == "hostnames_text"
    for attr in WIDGET_ATTR.values():
        assert hasattr(Draft(), attr)
    fixed, custom = wire_fields(False), wire_fields(True)
    assert fixed["extraResource.diskInGB"] == "extra_disk" and custom["extraResource.diskInGB"] == "disk"
    assert fixed["osName"] == "os" and fixed["fromSnapshot"] == "source" and fixed["class"] == "class"
