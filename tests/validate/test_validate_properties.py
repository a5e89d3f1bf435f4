"""Whatever the input, the validator answers with findings, never with a traceback, and
never by turning its own exception into a finding: with the schemas at hand (the tests run
with the pinned CRDs), `schema-unavailable` can only mean the validator broke, so any such
finding fails these tests (test_an_internal_exception_fails_the_check is the control)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deepdive.validate.engine import Validator
from deepdive.validate.render import render_json, render_text

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20)
kinds = st.sampled_from(["Pod", "Deployment", "Service", "VirtualService", "List", "Nope", ""])
api_versions = st.sampled_from(["v1", "apps/v1", "networking.istio.io/v1", "x/y", ""])
resources = st.fixed_dictionaries(
    {"apiVersion": api_versions, "kind": kinds, "metadata": st.fixed_dictionaries(
        {"name": st.text(max_size=8)}), "spec": values, "items": st.lists(values, max_size=2)})


def check(validator: Validator, payload: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "input.yaml").write_bytes(payload)
        report = validator.run([Path(folder)])
    render_text(report)
    render_json(report)
    for finding in report.findings:
        assert finding.line >= 1 and finding.column >= 1 and finding.rule and finding.message
        # Every schema is at hand (crds_available): this finding would hide a crash.
        assert finding.rule != "schema-unavailable", f"internal error: {finding.message}"


@pytest.fixture(autouse=True)
def _schemas_at_hand(crds_available: None) -> None:
    """Without the CRDs, schema-unavailable is a real answer; these tests need them."""


def test_an_internal_exception_fails_the_check(validator: Validator,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: a validator that crashes inside must fail `check`, even though the
    crash reaches the report as a finding rather than as a traceback."""
    from deepdive.validate import schemacheck

    def broken(*args: object, **kwargs: object) -> Iterator[object]:
        raise KeyError("a bug in the validator")

    monkeypatch.setattr(schemacheck, "problems", broken)
    payload = b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: 5}\n"
    with pytest.raises(AssertionError, match="internal error: cannot check v1 Pod: KeyError"):
        check(validator, payload)


@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes(validator: Validator, payload: bytes) -> None:
    check(validator, payload)


@SETTINGS
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_arbitrary_text(validator: Validator, text: str) -> None:
    check(validator, text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.lists(resources, min_size=1, max_size=3))
def test_arbitrary_resource_shaped_yaml(validator: Validator, documents: list[dict]) -> None:
    check(validator, yaml.safe_dump_all(documents).encode())


@SETTINGS
@given(st.lists(st.sampled_from(["a:", " b", "- c", "&x", "*x", "{", "}", "[", "]", "\t", ": ",
                                 "---", "\n", "!!binary", "? ", "<<: *x", "|", "'", "!!float",
                                 "!!int", "!!bool", "!!timestamp", "!!set", "~", "\u2028"]),
                max_size=40))
def test_arbitrary_yaml_punctuation(validator: Validator, pieces: list[str]) -> None:
    check(validator, "".join(pieces).encode())


# Resource-shaped garbage built from the field names the rules read.
RULE_FIELDS = ["selector", "matchLabels", "matchExpressions", "template", "metadata", "labels",
               "spec", "containers", "initContainers", "ports", "targetPort", "port", "name",
               "containerPort", "livenessProbe", "httpGet", "tcpSocket", "grpc", "image",
               "resources", "requests", "limits", "cpu", "serviceName", "clusterIP", "http",
               "tcp", "tls", "route", "destination", "host", "subset", "weight", "match",
               "gateways", "mirror", "mirrors", "subsets", "hosts", "appProtocol", "uri",
               "prefix", "jobTemplate", "key", "operator", "values", "type"]
shaped = st.recursive(
    st.one_of(scalars,
              st.sampled_from(["http", "v1", "web", "80", "/", "mesh", "1Gi", "x:latest"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(RULE_FIELDS), inner, max_size=5)),
    max_leaves=30)
rule_kinds = st.sampled_from([
    ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("v1", "Service"), ("v1", "Pod"),
    ("batch/v1", "CronJob"), ("networking.istio.io/v1", "VirtualService"),
    ("networking.istio.io/v1", "DestinationRule"), ("networking.istio.io/v1", "ServiceEntry"),
    ("v1", "Namespace")])


@SETTINGS
@given(st.lists(st.tuples(rule_kinds, shaped, st.sampled_from(["web", "db", "reviews"])),
                min_size=1, max_size=4))
def test_rule_shaped_garbage(validator: Validator, documents: list) -> None:
    payload = [{"apiVersion": api, "kind": kind,
                "metadata": {"name": name, "labels": {"app": name}}, "spec": spec}
               for (api, kind), spec, name in documents]
    check(validator, yaml.safe_dump_all(payload).encode())


@SETTINGS
@given(st.lists(st.tuples(rule_kinds, shaped, st.sampled_from(["web", "db", "reviews"])),
                min_size=1, max_size=4))
def test_rules_survive_any_shape_without_the_schema_gate(documents: list) -> None:
    """The engine hands rules only schema-valid resources, so the test above rarely reaches
    them; called directly, every rule must still cope with any shape."""
    from deepdive.validate.rules import SetContext, run_rules
    from deepdive.validate.yamlcheck import check_file

    payload = [{"apiVersion": api, "kind": kind,
                "metadata": {"name": name, "labels": {"app": name}}, "spec": spec}
               for (api, kind), spec, name in documents]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.yaml"
        path.write_text(yaml.safe_dump_all(payload))
        resources = check_file(path).resources
    for finding in run_rules(SetContext(members=resources, resources=resources)):
        assert finding.line >= 1 and finding.column >= 1 and finding.rule and finding.message
