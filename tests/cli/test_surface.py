"""The CLI's declared surface (``cli/spec.py``, kept light for ``--help``) matches the operations layer exactly, and
its pure pieces (YAML, validation messages, the key file reader) behave. In-process: no simulator needed."""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from cloudzy_tui.cli import build_parser
from cloudzy_tui.cli.keyfile import MAX_KEY_FILE, KeyFileError, read_public_key
from cloudzy_tui.cli.output import csv_text, json_text, table, yaml_text
from cloudzy_tui.cli.run import explain_validation, verb_options
from cloudzy_tui.cli.spec import RESOURCES, VERBS, verb_for, weekdays
from cloudzy_tui.ops import OPERATIONS, operation, resolve_resource
from cloudzy_tui.ops import RESOURCES as OPS_RESOURCES

from ._helpers import ed25519_public_key


def test_resources_names_aliases_and_filters_match_the_registry() -> None:
    declared = {r.name: (r.aliases, tuple(r.filters)) for r in RESOURCES}
    actual = {r.name: (tuple(r.aliases), tuple((f.name, f.kind) for f in r.filters)) for r in OPS_RESOURCES}
    assert declared == actual
    assert [r.name for r in RESOURCES] == [r.name for r in OPS_RESOURCES]  # the order the console lists them


def test_resource_names_resolve_like_the_command_line_of_the_console() -> None:
    for spec in RESOURCES:
        for name in (spec.name, *spec.aliases, spec.name.upper()):
            resolved = resolve_resource(name)
            assert resolved is not None and resolved.name == spec.name, name


def test_one_verb_per_operation() -> None:
    assert sorted(v.op for v in VERBS) == sorted(o.name for o in OPERATIONS)
    assert len({v.path for v in VERBS}) == len(VERBS)
    for verb in VERBS:
        op = operation(verb.op)
        assert verb.starts_job == op.starts_job, verb.op
        assert (verb.target is not None) == op.needs_target, verb.op
        assert (verb.params is not None) == (op.params is not None), verb.op


def test_verb_help_says_when_it_asks() -> None:
    for verb in VERBS:
        op = operation(verb.op)
        asks = "asks first" in verb.help or "(type " in verb.help
        assert asks == (op.danger != "none"), verb.op
        assert ("(type " in verb.help) == (op.danger == "type"), verb.op


def _model_at(model: type[BaseModel], path: str) -> tuple[type[BaseModel], str]:
    """The model holding the last segment of a JSON path, and that segment (checked to be a field alias)."""
    *parents, last = path.split(".")
    for segment in parents:
        info = next(f for f in model.model_fields.values() if f.alias == segment)
        nested = [
            a
            for a in getattr(info.annotation, "__args__", (info.annotation,))
            if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        assert nested, path
        model = nested[0]
    return model, last


def test_every_option_fills_a_field_of_the_operations_parameters() -> None:
    for verb in VERBS:
        op = operation(verb.op)
        if op.params is None:
            assert not verb.options, verb.op
            continue
        covered = set()
        for opt in verb.options:
            assert opt.field is not None, (verb.op, opt.flags)
            model, last = _model_at(op.params, opt.field)
            aliases = {f.alias or name for name, f in model.model_fields.items()}
            assert last in aliases, (verb.op, opt.field)
            covered.add(opt.field.split(".")[0])
        required = {f.alias or name for name, f in op.params.model_fields.items() if f.is_required()}
        derived = {"type"} if verb.op == "resize" else set()  # FIXED or CUSTOM follows from --product
        assert required - derived <= covered, verb.op


def _args(argv: list[str]) -> argparse.Namespace:
    args, extra = build_parser().parse_known_args(argv)
    assert not extra
    return args


@pytest.mark.parametrize(
    "argv",
    [
        [
            "create",
            "--region",
            "us-utah",
            "--plan",
            "p1",
            "--os",
            "debian-12",
            "--hostname",
            "a",
            "--hostname",
            "b",
            "--ssh-key",
            "7",
            "--class",
            "default",
            "--billing-cycle",
            "monthly",
            "--floating-ips",
            "1",
            "--ipv6",
        ],
        ["create", "--region", "us-utah", "--cpu", "2", "--ram-gb", "4", "--disk-gb", "40", "--hostname", "c"],
        ["resize", "web-01", "--product", "p2"],
        ["resize", "web-01", "--cpu", "2", "--ram-gb", "4", "--disk-gb", "60"],
        ["change-os", "web-01", "--os", "debian-12"],
        ["add-traffic", "web-01", "--amount", "1.5"],
        ["backups", "set", "web-01", "--frequency", "weekly", "--days", "mon,thu", "--retention", "7"],
        ["fip", "allocate", "--region", "us-utah", "--count", "2"],
        ["fip", "update", "192.0.2.2", "--note", "", "--no-auto-renew"],
        ["iso", "download", "--name", "n", "--url", "https://example.com/a.iso", "--region", "r", "--no-virtio"],
        [
            "image",
            "download",
            "--name",
            "n",
            "--url",
            "https://example.com/a.qcow2",
            "--region",
            "r",
            "--format",
            "qcow2",
        ],
        ["keys", "create", "--name", "k", "--public-key", ed25519_public_key()],
    ],
)
def test_command_lines_make_valid_parameters(argv: list[str]) -> None:
    args = _args(argv)
    verb = verb_for(args.op)
    op = operation(verb.op)
    assert verb.params is not None and op.params is not None
    model = op.params.model_validate(verb.params(args))
    assert model is not None


def test_parameters_carry_what_was_typed() -> None:
    args = _args(["backups", "set", "web-01", "--frequency", "weekly", "--days", "mon,THU, fri", "--retention", "7"])
    model: Any = operation("backup-schedule").params.model_validate(verb_for("backup-schedule").params(args))  # type: ignore[union-attr,misc]
    assert model.schedule_week_days == ["Monday", "Thursday", "Friday"] and model.period_id == 7
    args = _args(["fip", "update", "x", "--note", "", "--no-auto-renew"])
    update: Any = operation("fip-update").params.model_validate(verb_for("fip-update").params(args))  # type: ignore[union-attr,misc]
    assert update.customer_note == "" and update.auto_renew is False
    assert weekdays("monday,tue,Sunday,xyz") == ["Monday", "Tuesday", "Sunday", "xyz"]


def test_validation_errors_name_the_option() -> None:
    import pydantic

    verb = verb_for("create")
    with pytest.raises(pydantic.ValidationError) as caught:
        operation("create").params.model_validate(  # type: ignore[union-attr]
            {"hostnames": ["ok"], "region": "r", "product_id": "p", "extra_resource": {"cpu": 2}}
        )
    text = explain_validation(caught.value, verb_options(verb))
    assert text.startswith("--cpu/--ram-gb/--disk-gb/--bandwidth-tb: a fixed plan (--plan) takes only")
    with pytest.raises(pydantic.ValidationError) as caught:
        operation("create").params.model_validate({"hostnames": ["ok", "-bad"], "region": "r", "product_id": "p"})  # type: ignore[union-attr]
    assert explain_validation(caught.value, verb_options(verb)).startswith("--hostname: '-bad' is not a valid")


# ------------------------------------------------------------------------------------------------ output


TRICKY: Any = [
    {
        "id": "1",
        "name": "yes",
        "n": "null",
        "num": "123",
        "flag": True,
        "none": None,
        "float": 1.5,
        "int": 7,
        "empty": "",
        "list": [],
        "dict": {},
        "nested": {"a": [1, {"b": "c: d"}, [2, 3]], "key with space": "x"},
        "unicode": "Zürich – 東京",
        "escape": "\x1b[31mred\x1b[0m",
        "quote": 'say "hi"\nnext line',
        "#": "-",
    },
    [],
    "plain",
    0,
]


def test_yaml_output_reads_back_as_the_same_data_and_is_ascii() -> None:
    text = yaml_text(TRICKY)
    assert text.isascii() and "\x1b" not in text
    assert yaml.safe_load(text) == TRICKY
    assert yaml.safe_load(yaml_text({})) == {} and yaml.safe_load(yaml_text([])) == []


def test_json_output_is_ascii_and_exact() -> None:
    import json

    text = json_text(TRICKY)
    assert text.isascii() and "\x1b" not in text
    assert json.loads(text) == TRICKY


def test_table_and_csv_cells_are_cleaned() -> None:
    rows = [["\x1b]0;pwned\x07evil\u202e", "a\nb", None, 3.0, "x" * 60]]
    out = table(["NAME", "TWO", "NONE", "NUM", "LONG"], rows)
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "evil" in out and "a b" in out and "3  " in out and "x" * 39 + "…" in out
    assert "x" * 60 in table(["LONG"], [["x" * 60]], cut=None)
    csv_out = csv_text(["name"], [["\x1b[2Jwipe"]])
    assert csv_out == "name\n[2Jwipe\n"


# ------------------------------------------------------------------------------------------------ key file


def test_key_file_reads_a_regular_file(tmp_path: Path) -> None:
    key = ed25519_public_key()
    path = tmp_path / "id.pub"
    path.write_text(key + "\n")
    assert read_public_key(str(path)) == key
    link = tmp_path / "link.pub"
    link.symlink_to(path)
    assert read_public_key(str(link)) == key


def test_key_file_refuses_what_is_not_a_small_regular_text_file(tmp_path: Path) -> None:
    secret = "s3cr3t-" + "z" * 20
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    big = tmp_path / "big.pub"
    big.write_text(secret + "a" * MAX_KEY_FILE)
    private = tmp_path / "id"
    private.write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{secret}\n-----END OPENSSH PRIVATE KEY-----\n")
    binary = tmp_path / "bin.pub"
    binary.write_bytes(b"\xff\xfe" + secret.encode())
    unreadable = tmp_path / "noperm.pub"
    unreadable.write_text(secret)
    unreadable.chmod(0)
    cases = {
        str(tmp_path): "not a regular file",
        str(fifo): "not a regular file",
        str(big): "larger than 16 KB",
        str(private): "private key",
        str(binary): "not UTF-8 text",
        str(tmp_path / "missing.pub"): "cannot read",
    }
    if os.geteuid() != 0:  # root reads anything
        cases[str(unreadable)] = "cannot read"
    for path, message in cases.items():
        with pytest.raises(KeyFileError) as caught:
            read_public_key(path)
        assert message in str(caught.value), path
        assert secret not in str(caught.value)
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # the FIFO was refused without blocking on it
