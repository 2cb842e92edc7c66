"""The JSON Schemas of docs/ (written by scripts/docs from the kinds' own schemas) accept every
shipped stack and env file, and reject what the loader rejects at a glance."""

import copy
import json
import pathlib
import re

import jsonschema
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"


class Yaml12Loader(yaml.SafeLoader):
    """YAML as lakectl reads it: only true/false are booleans, and no dates (YAML 1.2)."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf")
)


def load(path):
    return yaml.load(path.read_text(), Loader=Yaml12Loader)


def validator(name):
    schema = json.loads((ROOT / "docs" / name).read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


STACK = validator("stack.schema.json")
ENV = validator("env.schema.json")


@pytest.mark.parametrize("path", sorted(STACKS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_stack_file_is_valid(path):
    assert path.read_text().startswith("# yaml-language-server: $schema=../docs/stack.schema.json"), \
        "names its schema for YAML editors"
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in STACK.iter_errors(load(path))]
    assert errors == []


@pytest.mark.parametrize("path", sorted((STACKS / "env").glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_env_file_is_valid(path):
    assert path.read_text().startswith("# yaml-language-server: $schema=../../docs/env.schema.json")
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in ENV.iter_errors(load(path))]
    assert errors == []


def first_resource(doc, kind):
    return next(r for r in doc["resources"].values() if r.get("kind") == kind)


@pytest.mark.parametrize(
    "why,edit",
    [
        ("a misspelt property", lambda r: r["properties"].update(versionning=True)),
        ("a wrong type", lambda r: r["properties"].update(versioning="sometimes")),
        ("an unknown resource key", lambda r: r.update(propertise={})),
        ("a bad removal policy", lambda r: r.update(removal_policy="keep")),
        ("an unknown kind", lambda r: r.update(kind="s3.buckets")),
    ],
)
def test_a_broken_stack_file_is_rejected(why, edit):
    doc = copy.deepcopy(load(STACKS / "datalake.yaml"))
    edit(first_resource(doc, "s3.bucket"))
    assert list(STACK.iter_errors(doc)), why


def test_expressions_stand_for_values_of_any_type():
    doc = {"stack": "lake", "resources": {"raw": {"kind": "s3.bucket", "properties": {
        "versioning": "${var.versioned}", "lifecycle_rules": "${var.rules}", "tags": {"a": "${env}"}}}}}
    assert list(STACK.iter_errors(doc)) == []


def test_a_broken_env_file_is_rejected():
    for broken in ({"region": "moon-1"}, {"region": "us-east-1", "account_id": "1234"},
                   {"region": "us-east-1", "removal_policy": "destory"}, {"regoin": "us-east-1"}):
        assert list(ENV.iter_errors(broken)), broken
