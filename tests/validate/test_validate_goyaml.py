"""Where kubectl's YAML reader (sigs.k8s.io/yaml on go-yaml v2) and PyYAML disagree, the
validator reads a manifest as kubectl does. Each test writes the small manifest it needs."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from deepdive.validate.engine import Validator
from deepdive.validate.goyaml import plain_scalar
from deepdive.validate.yamlcheck import check_file

POD = """apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: registry.k8s.io/pause:3.10
      env:
        - name: E
          value: {value}
"""


def env_value(tmp_path: Path, value: str, name: str = "pod.yaml") -> object:
    path = tmp_path / name
    path.write_text(POD.format(value=value))
    [resource] = check_file(path).resources
    return resource.data["spec"]["containers"][0]["env"][0]["value"]


def findings(validator: Validator, tmp_path: Path, text: str,
             name: str = "pod.yaml") -> list[tuple[str, int, int]]:
    (tmp_path / name).write_text(text)
    return [(f.rule, f.line, f.column) for f in validator.run([tmp_path / name]).findings]


@pytest.mark.parametrize(("text", "value"), [
    # resolve.go resolveMap: y/Y/n/N are booleans too (PyYAML: strings)
    ("y", True), ("N", False), ("yes", True), ("off", False), ("~", None),
    # strconv.ParseInt with base 0: YAML 1.1 octal, and Go's 0o / 0B / 0X prefixes
    ("0755", 493), ("0o755", 493), ("0B101", 5), ("0X1f", 31), ("-0x1F", -31), ("1_000", 1000),
    # yamlStyleFloat + strconv.ParseFloat; json.Marshal sends integral floats as integers
    ("1e2", 100), ("1.5e3", 1500), ("08", 8), ("1.0", 1), (".5", 0.5), ("-2.5E-1", -0.25),
    # no sexagesimal numbers, no PyYAML `!!value`; a date stays text
    ("1:20", "1:20"), ("=", "="), ("2024-01-01", "2024-01-01"), ("0x", "0x"), ("1e", "1e"),
    ("1e999", "1e999"),  # ParseFloat fails out of range: a string
])
def test_plain_scalars_resolve_as_go_yaml_v2(text: str, value: object) -> None:
    assert plain_scalar(text)[1] == value
    assert type(plain_scalar(text)[1]) is type(value)


def test_special_floats_resolve_but_have_no_json_form(validator: Validator,
                                                      tmp_path: Path) -> None:
    assert math.isinf(plain_scalar(".inf")[1])
    text = POD.format(value='"x"').replace("  name: p\n", "  name: p\n  labels: {a: .nan}\n")
    assert findings(validator, tmp_path, text) == [("yaml-syntax", 5, 15)]


def test_escaped_apostrophe_in_double_quotes_is_read_as_go_yaml_does(
        validator: Validator, tmp_path: Path) -> None:
    """go-yaml's scannerc.go accepts `\\'`; libyaml and PyYAML refuse the whole file."""
    assert env_value(tmp_path, '"it\\\'s here"') == "it's here"
    assert findings(validator, tmp_path, POD.format(value='"it\\\'s here"')) == []


def test_escaped_slash_fails_as_kubectl_fails(validator: Validator, tmp_path: Path) -> None:
    """go-yaml has no `\\/` escape (YAML 1.2 and JSON do): kubectl cannot read the file."""
    text = POD.format(value='"a\\/b"')
    (tmp_path / "pod.yaml").write_text(text)
    [finding] = validator.run([tmp_path / "pod.yaml"]).findings
    assert (finding.rule, finding.line, finding.column) == ("yaml-syntax", 11, 21)
    assert "go-yaml" in finding.message and '"/"' in finding.message
    # Positions after the escape (the slower reader takes over) stay exact.
    both = POD.format(value='"a\\\'b"').replace("      image:", "      imagePullPolicy: 5\n"
                                                 "      image:")
    assert findings(validator, tmp_path, both) == [("schema-violation", 8, 7)]


def test_json_keeps_json_escapes(validator: Validator, tmp_path: Path) -> None:
    """A .json file is JSON to kubectl, where `\\/` is a valid escape."""
    text = ('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},\n'
            ' "data": {"url": "http:\\/\\/example.com", "n": "1"}}\n')
    path = tmp_path / "c.json"
    path.write_text(text)
    [resource] = check_file(path).resources
    assert resource.data["data"]["url"] == "http://example.com"
    assert findings(validator, tmp_path, text, "c.json") == []


def test_exponent_where_an_integer_is_expected_is_that_integer(
        validator: Validator, tmp_path: Path) -> None:
    text = POD.format(value='"x"').replace("      env:", "      ports:\n"
                                           "        - containerPort: 8e3\n      env:")
    assert findings(validator, tmp_path, text) == []
    [resource] = check_file(tmp_path / "pod.yaml").resources
    assert resource.data["spec"]["containers"][0]["ports"][0]["containerPort"] == 8000


@pytest.mark.parametrize(("value", "line"), [
    ("y", 11),    # a boolean to go-yaml: EnvVar.value wants a string
    ("1e2", 11),  # a number to go-yaml
])
def test_scalars_go_yaml_reads_as_no_string_fail_a_string_field(
        validator: Validator, tmp_path: Path, value: str, line: int) -> None:
    assert [(rule, at) for rule, at, _ in findings(validator, tmp_path, POD.format(value=value))] \
        == [("schema-violation", line)]
    quoted = POD.format(value=f'"{value}"')
    assert findings(validator, tmp_path, quoted) == []


def test_what_pyyaml_reads_as_a_number_go_yaml_reads_as_text(
        validator: Validator, tmp_path: Path) -> None:
    """PyYAML reads `1:20` as 80 (YAML 1.1 base 60) and cannot construct `=` at all."""
    for value in ("1:20", "="):
        assert env_value(tmp_path, value) == value
        assert findings(validator, tmp_path, POD.format(value=value)) == []


def test_octal_and_go_prefixed_integers(validator: Validator, tmp_path: Path) -> None:
    volume = ("  volumes:\n    - name: v\n      configMap:\n        name: m\n"
              "        defaultMode: {mode}\n")
    for mode, value in (("0644", 420), ("0o644", 420)):
        text = POD.format(value='"x"') + volume.format(mode=mode)
        assert findings(validator, tmp_path, text) == []
        [resource] = check_file(tmp_path / "pod.yaml").resources
        assert resource.data["spec"]["volumes"][0]["configMap"]["defaultMode"] == value


def test_merge_keys_and_y_as_a_key(tmp_path: Path) -> None:
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
            "base: &base {a: '1', b: '2'}\ndata:\n  <<: *base\n  b: '3'\n  y: '4'\n")
    path = tmp_path / "c.yaml"
    path.write_text(text)
    [resource] = check_file(path).resources
    # Explicit keys win over merged ones; the key `y` is the boolean true, sent as "true".
    assert resource.data["data"] == {"a": "1", "b": "3", "true": "4"}


def test_a_key_that_overrides_a_merged_one_is_not_a_duplicate(
        validator: Validator, tmp_path: Path) -> None:
    """go-yaml lets an explicit key override one merged in by `<<`; only a key written twice
    in the same mapping is a duplicate, and it is reported where it was written."""
    merged = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: &labels\n"
              "    a: '1'\n    b: '2'\n  annotations:\n    <<: *labels\n    b: '3'\n")
    assert findings(validator, tmp_path, merged) == []
    repeated = merged + "    b: '4'\n"
    assert findings(validator, tmp_path, repeated) == [("yaml-duplicate-key", 11, 5)]


def test_an_explicit_tag_the_text_does_not_fit_is_an_error(
        validator: Validator, tmp_path: Path) -> None:
    assert env_value(tmp_path, '!!str 12') == "12"
    text = POD.format(value='"x"').replace("  name: p\n", "  name: p\n  generation: !!int ab\n")
    assert findings(validator, tmp_path, text) == [("yaml-syntax", 5, 15)]
