"""The create request body as the wizard built it by hand before the create order had a model (kept verbatim as
the reference that ``Draft.to_request()`` must match, for the same inputs, in tests/ops and tests/ui)."""

from __future__ import annotations

from typing import Any

from cloudzy_tui.ops.create_draft import Choices, Draft
from cloudzy_tui.ops.create_offer import allowed_features, whole_number


def old_request_body(d: Draft, c: Choices) -> dict[str, Any]:
    """The body ``CreateWizard._request_body`` built by hand before the model (kept verbatim as the reference)."""
    cfg = d.config(c)
    names = d.hostnames
    body: dict[str, Any] = {
        "hostnames": names,
        "region": d.region_id or "",
        "class": d.instance_class,
        "assignIpv4": d.assign_ipv4,
        "billingCycle": d.billing_cycle,
        "isSubscriptionAutoRenewEnabled": d.auto_renew,
        "floatingIPCount": whole_number(d.floating_ips) or 0,
    }
    if d.custom:
        body["extraResource"] = {
            "cpu": whole_number(d.cpu),
            "ramInGB": whole_number(d.ram),
            "diskInGB": whole_number(d.disk),
            "bandwidthInTB": whole_number(d.bandwidth),
        }
    else:
        body["productId"] = d.product_id
        extra = {
            "diskInGB": whole_number(d.extra_disk) or None,
            "bandwidthInTB": whole_number(d.extra_bandwidth) or None,
        }
        if any(extra.values()):
            body["extraResource"] = extra
    if d.iso_id is not None:
        body["isoId"] = d.iso_id
    elif d.snapshot_id is not None:
        body["fromSnapshot"] = d.snapshot_id
    else:
        if d.app_id:
            body["appId"] = d.app_id
        if d.os_id:
            body["osId"] = d.os_id
    if cfg.support_ipv6:
        body["assignIpv6"] = d.assign_ipv6
    if cfg.support_ddos_ipv4:
        body["isDdosProtected"] = d.ddos
    if d.ssh_key_ids:
        body["sshKeyIds"] = list(d.ssh_key_ids)
    features = [f for f in d.features if f in allowed_features(cfg)]
    if features:
        body["featureIds"] = features
    return body
