"""The API server's own validation (rules/apiserver.py): the shared name, label and port
checks against the messages of the Go functions they port, and one accepted and one
rejected manifest per rule, shaped like the cases of the Go tests; each rejection is
checked for its rule id, line and exact message as `deepdive validate` prints it."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from apiserver_cases import PAUSE, api_findings, rejects

from deepdive.validate.engine import Validator
from deepdive.validate.ruleids import RULES, allowable
from deepdive.validate.rules import apiserver
from deepdive.validate.rules.apiserver import (
    duplicate,
    forbidden,
    integer,
    invalid,
    ip_version,
    is_config_map_key,
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_key,
    is_label_value,
    is_valid_percent,
    is_valid_port_name,
    is_valid_port_num,
    letterless,
    negative_fields,
    not_found,
    port_num_or_name,
    required,
    spec_of,
    unsupported,
)

# The messages of staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go and
# pkg/api/validate/content (kube.go, dns.go, errors.go), written out as the Go code builds
# them: RegexError(msg, fmt, examples...) = msg + " (e.g. 'a',  or 'b', regex used for
# validation is 'fmt')"; util/validation's MaxLenError says "characters", content's "bytes".
LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
         "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
         "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
             "'-' or '.', and must start and end with an alphanumeric character (e.g. "
             "'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
DNS1035 = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
           "with an alphabetic character, and end with an alphanumeric character (e.g. "
           "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
KEY_RULE = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
            "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
            "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
KEY_NAME = "name part " + KEY_RULE
KEY_PARTS = ("a valid label key " + KEY_RULE + " with an optional DNS subdomain prefix and '/' "
             "(e.g. 'example.com/MyName')")
VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
         "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
         "'my_value',  or '12345', regex used for validation is "
         "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
PORT_CHARS = "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
PORT_LETTER = "must contain at least one letter (a-z)"
PORT_RANGE = "must be between 1 and 65535, inclusive"
RELAXED = ("; Kubernetes 1.36, 1.37 accept a leading digit (RelaxedServiceNameValidation, on by "
           "default)")


def pod(containers: str, init: str = "", metadata: str = "") -> str:
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n{metadata}spec:\n{init}"
            f"  containers:\n{containers}")


def workload(kind: str, spec_extra: str = "", pod_extra: str = "", selector: str = "",
             template_meta: str = "") -> str:
    return (f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: w\nspec:\n{spec_extra}"
            f"  selector:\n    matchLabels:\n      app: w\n{selector}"
            f"  template:\n    metadata:\n{template_meta}      labels:\n        app: w\n"
            f"    spec:\n{pod_extra}      containers:\n        - name: c\n"
            f"          image: {PAUSE}\n")


def configmap(metadata: str = "  name: c\n") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n{metadata}data:\n  k: v\n"


def service(name: str = "web", ports: str = "    - port: 80\n") -> str:
    return f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  ports:\n{ports}"


def namespace(name: str) -> str:
    return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"


def test_api_rules_cannot_be_allowed() -> None:
    api = [rule for rule in RULES if rule.startswith("api-") and rule not in
           ("api-removed", "api-not-yet-served", "api-deprecated")]
    assert len(api) == 27  # 9 here, 18 in test_validate_apiserver_*.py
    assert not any(allowable(rule) for rule in api)


# --- the string checks, as validation.go and content/*.go word them --------------------------
@pytest.mark.parametrize(("value", "errors"), [
    ("a", []),
    ("0", []),
    ("my-name-1", []),
    ("a" * 63, []),  # the longest label
    ("a" * 64, ["must be no more than 63 characters"]),
    ("a" * 63 + ".b", ["must be no more than 63 characters", "must not contain dots"]),
    ("a.b", ["must not contain dots"]),
    ("A", [LABEL]),
    ("-a", [LABEL]),
    ("a-", [LABEL]),
    ("a_b", [LABEL]),
    ("", [LABEL]),
    ("A" * 64, ["must be no more than 63 characters", LABEL]),
])
def test_is_dns1123_label(value: str, errors: list[str]) -> None:
    assert list(is_dns1123_label(value)) == errors


@pytest.mark.parametrize(("value", "errors"), [
    ("example.com", []),
    ("a", []),
    ("1.2.3", []),
    (".".join(["a" * 63] * 4)[:253], []),  # 253 characters: the longest subdomain
    ("a" * 254, ["must be no more than 253 characters"]),
    ("Example.com", [SUBDOMAIN]),
    ("a..b", [SUBDOMAIN]),
    ("a.", [SUBDOMAIN]),
    ("", [SUBDOMAIN]),
    ("A" * 254, ["must be no more than 253 characters", SUBDOMAIN]),
])
def test_is_dns1123_subdomain(value: str, errors: list[str]) -> None:
    assert list(is_dns1123_subdomain(value)) == errors


@pytest.mark.parametrize(("value", "errors"), [
    ("web", []),
    ("a" * 63, []),
    ("a" * 64, ["must be no more than 63 characters"]),
    ("1web", [DNS1035]),
    ("web.api", [DNS1035]),
    ("web-", [DNS1035]),
])
def test_is_dns1035_label(value: str, errors: list[str]) -> None:
    assert list(is_dns1035_label(value)) == errors


@pytest.mark.parametrize(("value", "errors"), [
    ("app", []),
    ("MyName", []),
    ("my.name_1-a", []),
    ("a", []),
    ("example.com/MyName", []),
    ("a" * 63, []),
    ("a" * 64, ["name part must be no more than 63 bytes"]),
    ("", ["name part must be non-empty", KEY_NAME]),
    ("-x", [KEY_NAME]),
    ("x_", [KEY_NAME]),
    ("has space", [KEY_NAME]),
    ("a/b/c", [KEY_PARTS]),
    ("/x", ["prefix part must be non-empty"]),
    ("x/", ["name part must be non-empty", KEY_NAME]),
    ("Example.com/x", ["prefix part " + SUBDOMAIN]),
    ("a" * 254 + "/x", ["prefix part must be no more than 253 bytes"]),
    ("a" * 253 + "/x", []),
    ("Ex/-", ["prefix part " + SUBDOMAIN, KEY_NAME]),
])
def test_is_label_key(value: str, errors: list[str]) -> None:
    """content/kube.go IsLabelKey (IsQualifiedName): its max-length messages say bytes."""
    assert list(is_label_key(value)) == errors


@pytest.mark.parametrize(("value", "errors"), [
    ("", []),
    ("v1.2_3-a", []),
    ("a" * 63, []),
    ("a" * 64, ["must be no more than 63 bytes"]),
    ("-a", [VALUE]),
    ("has spaces!", [VALUE]),
    ("-" * 64, ["must be no more than 63 bytes", VALUE]),
])
def test_is_label_value(value: str, errors: list[str]) -> None:
    assert list(is_label_value(value)) == errors


@pytest.mark.parametrize(("value", "errors"), [
    ("http", []),
    ("h2c-1", []),
    ("a" * 15, []),
    ("a" * 16, ["must be no more than 15 characters"]),
    ("8080", [PORT_LETTER]),
    ("Http", [PORT_CHARS]),
    ("HTTP", [PORT_CHARS, PORT_LETTER]),
    ("a--b", ["must not contain consecutive hyphens"]),
    ("-a", ["must not begin or end with a hyphen"]),
    ("a-", ["must not begin or end with a hyphen"]),
    ("", [PORT_CHARS, PORT_LETTER]),
    ("--", [PORT_LETTER, "must not contain consecutive hyphens",
            "must not begin or end with a hyphen"]),
])
def test_is_valid_port_name(value: str, errors: list[str]) -> None:
    """validation.go IsValidPortName: every rule broken is a message of its own."""
    assert list(is_valid_port_name(value)) == errors


@pytest.mark.parametrize(("port", "valid"), [
    (0, False), (1, True), (80, True), (65535, True), (65536, False), (-1, False)])
def test_is_valid_port_num(port: int, valid: bool) -> None:
    assert is_valid_port_num(port) == ([] if valid else [PORT_RANGE])


@pytest.mark.parametrize(("value", "errors"), [
    ("http", []), ("8080", [PORT_LETTER]), (8080, []), (0, [PORT_RANGE]),
    (70000, [PORT_RANGE]), (None, []), (True, []), (1.5, []),
])
def test_port_num_or_name(value: object, errors: list[str]) -> None:
    """ValidatePortNumOrName: a string is a port name, an integer a number."""
    assert list(port_num_or_name(value)) == errors


@pytest.mark.parametrize(("value", "expected"), [
    ("8080", True), ("", True), ("-", True), ("A1", True), ("a", False), ("8080z", False),
    (8080, False), (None, False)])
def test_letterless(value: object, expected: bool) -> None:
    assert letterless(value) is expected


@pytest.mark.parametrize(("value", "valid"), [("0%", True), ("93%", True), ("100", False),
                                              ("%", False), ("1.5%", False)])
def test_is_valid_percent(value: str, valid: bool) -> None:
    assert list(is_valid_percent(value)) == ([] if valid else [
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', "
        " or '93%', regex used for validation is '[0-9]+%')"])


CONFIG_KEY = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
              "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
              "'[-._a-zA-Z0-9]+')")


@pytest.mark.parametrize(("value", "errors"), [
    ("key.name", []), ("a" * 253, []), (".a", []),
    ("a" * 254, ["must be no more than 253 characters"]),
    ("a/b", [CONFIG_KEY]),
    (".", ["must not be '.'"]),
    ("..", ["must not be '..'"]),
    ("..a", ["must not start with '..'"]),
])
def test_is_config_map_key(value: str, errors: list[str]) -> None:
    assert list(is_config_map_key(value)) == errors


@pytest.mark.parametrize(("value", "version"), [
    ("10.0.0.1", 4), ("2001:db8::1", 6), ("10.0.0.300", None), ("db", None)])
def test_ip_version(value: str, version: int | None) -> None:
    assert ip_version(value) == version


# --- the API server's kinds of field error (apimachinery util/validation/field) --------------
def test_error_bodies_read_as_the_api_server_writes_them() -> None:
    assert invalid("a", "bad") == 'Invalid value: "a": bad'
    assert invalid(7, "bad") == "Invalid value: 7: bad"
    assert invalid({"k": 1}, "bad") == 'Invalid value: {"k": 1}: bad'
    assert invalid(["a"], "bad") == 'Invalid value: ["a"]: bad'
    assert invalid("café", "bad") == 'Invalid value: "café": bad'  # Go's %q keeps é
    assert duplicate("a") == 'Duplicate value: "a"'
    assert required() == "Required value"
    assert required("must be set") == "Required value: must be set"
    assert forbidden("not here") == "Forbidden: not here"
    assert not_found("cm") == 'Not found: "cm"'
    assert unsupported("X", ["A", "B"]) == (
        'Unsupported value: "X": supported values: "A", "B"')


@pytest.mark.parametrize(("value", "expected"), [
    (3, 3), (0, 0), (-2, -2), (True, None), (False, None), ("3", None), (3.0, None)])
def test_integer_is_an_int_and_never_a_bool(value: object, expected: int | None) -> None:
    assert integer(value) == expected


def test_spec_of_is_the_spec_mapping_or_empty() -> None:
    def resource(data: dict[str, object]) -> SimpleNamespace:
        return SimpleNamespace(data=data)

    assert spec_of(resource({"spec": {"a": 1}})) == {"a": 1}  # type: ignore[arg-type]
    assert spec_of(resource({"spec": ["a"]})) == {}  # type: ignore[arg-type]
    assert spec_of(resource({})) == {}  # type: ignore[arg-type]


def test_negative_fields_reports_each_negative_integer() -> None:
    class Holder:
        def finding(self, path: tuple[object, ...], rule: str, message: str) -> tuple[
                tuple[object, ...], str, str]:
            return path, rule, message

    holder = {"a": -1, "b": 0, "c": -3, "d": True, "e": "-1", "f": 2}
    found = list(negative_fields(Holder(), holder, ("spec",),  # type: ignore[arg-type]
                                 ("a", "b", "c", "d", "e", "f", "g"), "api-x"))
    assert found == [
        (("spec", "a"), "api-x", "Invalid value: -1: must be greater than or equal to 0"),
        (("spec", "c"), "api-x", "Invalid value: -3: must be greater than or equal to 0")]
    assert list(negative_fields(Holder(), ["a"], ("spec",), ("a",), "api-x")) == []  # type: ignore[arg-type]


# --- api-object-name (ValidateObjectMeta with each kind's nameFn) -----------------------
@pytest.mark.parametrize("text", [
    configmap("  name: my.config-1\n"),
    service("web-api"),
    namespace("team-a"),
    namespace("a" * 63),
    configmap("  generateName: c-\n  name: c-1\n"),
    # LimitRange's nameFn is not ported: no finding rather than a guess
    "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: Bad_Name\nspec:\n  limits: []\n",
])
def test_object_name_accepts(validator: Validator, tmp_path: Path, text: str) -> None:
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    (configmap("  name: My_Config # <\n"),
     f'metadata.name: Invalid value: "My_Config": {SUBDOMAIN}'),
    (service("web.api # <"), f'metadata.name: Invalid value: "web.api": {DNS1035}'),
    # DNS-1035: RelaxedServiceNameValidation is off by default in 1.35, on from 1.36
    (service("1web # <"), f'metadata.name: Invalid value: "1web": {DNS1035}{RELAXED}'),
    (service("Web # <"), f'metadata.name: Invalid value: "Web": {DNS1035}'),
    (namespace("team.a # <"), 'metadata.name: Invalid value: "team.a": must not contain dots'),
    (namespace(f"{'a' * 64} # <"),
     f'metadata.name: Invalid value: "{"a" * 64}": must be no more than 63 characters'),
    (workload("Deployment").replace("  name: w\n", "  name: W # <\n"),
     f'metadata.name: Invalid value: "W": {SUBDOMAIN}'),
])
def test_object_name_rejects(validator: Validator, tmp_path: Path, text: str,
                             expected: str) -> None:
    rejects(validator, tmp_path, text, "api-object-name", expected)


def test_a_kind_without_a_name_check_does_not_end_the_checks(validator: Validator,
                                                             tmp_path: Path) -> None:
    text = ("apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: Bad_Name\nspec:\n"
            "  limits: []\n---\n" + configmap("  name: My_Config # <\n"))
    rejects(validator, tmp_path, text, "api-object-name",
            f'metadata.name: Invalid value: "My_Config": {SUBDOMAIN}')


@pytest.mark.parametrize("name", ["", 7, None])
def test_a_missing_or_odd_name_is_left_to_other_rules(name: object) -> None:
    """yaml-missing-field and the schema report these; the name check passes them over."""
    resource = SimpleNamespace(group="", kind="ConfigMap", data={"metadata": {"name": name}})
    context = SimpleNamespace(members=[resource])
    assert list(apiserver.check_names(context)) == []  # type: ignore[arg-type]


def test_a_long_service_name_with_a_leading_digit_is_told_both(validator: Validator,
                                                               tmp_path: Path) -> None:
    name = "1" + "a" * 63
    found = api_findings(validator, tmp_path, service(name))
    assert sorted(f.message for f in found) == [  # too long for a label: no release takes it
        f'Invalid value: "{name}": {DNS1035}',
        f'Invalid value: "{name}": must be no more than 63 characters']


# --- api-label (ValidateLabels) -----------------------------------------------------------
def test_label_accepts(validator: Validator, tmp_path: Path) -> None:
    text = configmap("  name: c\n  labels:\n    app.kubernetes.io/name: web\n    empty: ''\n"
                     "    v: 1.2_3-a\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("labels", "expected"), [
    ("    tier: has spaces! # <\n",
     f'metadata.labels.tier: Invalid value: "has spaces!": {VALUE}'),
    ("    Example.com/x: v # <\n",
     f'metadata.labels.Example.com/x: Invalid value: "Example.com/x": prefix part {SUBDOMAIN}'),
    (f"    k: {'a' * 64} # <\n",
     f'metadata.labels.k: Invalid value: "{"a" * 64}": must be no more than 63 bytes'),
    ("    café: v # <\n", f'metadata.labels.café: Invalid value: "café": {KEY_NAME}'),
])
def test_label_rejects(validator: Validator, tmp_path: Path, labels: str,
                       expected: str) -> None:
    rejects(validator, tmp_path, configmap(f"  name: c\n  labels:\n{labels}"), "api-label",
            expected)


def test_a_bad_key_and_a_bad_value_are_two_findings(validator: Validator,
                                                    tmp_path: Path) -> None:
    found = api_findings(validator, tmp_path, configmap("  name: c\n  labels:\n    -k: -v\n"))
    assert [(f.rule, f.line, f.field, f.message) for f in found] == [
        ("api-label", 6, "metadata.labels.-k", f'Invalid value: "-k": {KEY_NAME}'),
        ("api-label", 6, "metadata.labels.-k", f'Invalid value: "-v": {VALUE}')]


def test_pod_template_labels_are_checked(validator: Validator, tmp_path: Path) -> None:
    text = workload("Deployment").replace("        app: w\n", "        app: w\n        -x: v # <\n")
    rejects(validator, tmp_path, text, "api-label",
            f'spec.template.metadata.labels.-x: Invalid value: "-x": {KEY_NAME}')


def test_a_pods_labels_are_checked_once(validator: Validator, tmp_path: Path) -> None:
    text = pod(f"    - name: a\n      image: {PAUSE}\n", metadata="  labels:\n    -x: v # <\n")
    rejects(validator, tmp_path, text, "api-label",
            f'metadata.labels.-x: Invalid value: "-x": {KEY_NAME}')


# --- api-annotation-key (ValidateAnnotations) ----------------------------------------------
def test_annotation_key_accepts(validator: Validator, tmp_path: Path) -> None:
    text = configmap("  name: c\n  annotations:\n    Example.COM/Owner: 'any value: at all!'\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("annotations", "expected"), [
    ("    a/b/c: x # <\n", f'metadata.annotations.a/b/c: Invalid value: "a/b/c": {KEY_PARTS}'),
    # the key is checked lower-cased, and shown as written
    ("    Bad_Prefix.COM/x: x # <\n", 'metadata.annotations.Bad_Prefix.COM/x: Invalid value: '
     f'"Bad_Prefix.COM/x": prefix part {SUBDOMAIN}'),
])
def test_annotation_key_rejects(validator: Validator, tmp_path: Path, annotations: str,
                                expected: str) -> None:
    rejects(validator, tmp_path, configmap(f"  name: c\n  annotations:\n{annotations}"),
            "api-annotation-key", expected)


def test_pod_template_annotations_are_checked(validator: Validator, tmp_path: Path) -> None:
    text = workload("DaemonSet", template_meta="      annotations:\n        -x: v # <\n")
    rejects(validator, tmp_path, text, "api-annotation-key",
            f'spec.template.metadata.annotations.-x: Invalid value: "-x": {KEY_NAME}')


# --- api-container-name (validateContainerCommon, validateContainers, validateInitContainers)
def test_container_name_accepts(validator: Validator, tmp_path: Path) -> None:
    text = pod(f"    - name: a\n      image: {PAUSE}\n    - name: b-2\n      image: {PAUSE}\n",
               f"  initContainers:\n    - name: init\n      image: {PAUSE}\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("containers", "init", "expected"), [
    (f"    - name: a\n      image: {PAUSE}\n    - name: a # <\n      image: {PAUSE}\n", "",
     'spec.containers[1].name: Duplicate value: "a"'),
    # an init container's name is unique among init and app containers: reported on it
    (f"    - name: a\n      image: {PAUSE}\n",
     f"  initContainers:\n    - name: a # <\n      image: {PAUSE}\n",
     'spec.initContainers[0].name: Duplicate value: "a"'),
    (f"    - name: b\n      image: {PAUSE}\n",
     f"  initContainers:\n    - name: a\n      image: {PAUSE}\n    - name: a # <\n"
     f"      image: {PAUSE}\n",
     'spec.initContainers[1].name: Duplicate value: "a"'),
    (f"    - name: Web_App # <\n      image: {PAUSE}\n", "",
     f'spec.containers[0].name: Invalid value: "Web_App": {LABEL}'),
    (f"    - name: a.b # <\n      image: {PAUSE}\n", "",
     'spec.containers[0].name: Invalid value: "a.b": must not contain dots'),
    (f"    - name: '' # <\n      image: {PAUSE}\n", "", "spec.containers[0].name: Required value"),
])
def test_container_name_rejects(validator: Validator, tmp_path: Path, containers: str,
                                init: str, expected: str) -> None:
    rejects(validator, tmp_path, pod(containers, init), "api-container-name", expected)


def test_an_invalid_duplicate_name_is_reported_twice(validator: Validator,
                                                     tmp_path: Path) -> None:
    text = pod(f"    - name: A\n      image: {PAUSE}\n    - name: A\n      image: {PAUSE}\n")
    assert [(f.line, f.field, f.message) for f in api_findings(validator, tmp_path, text)] == [
        (7, "spec.containers[0].name", f'Invalid value: "A": {LABEL}'),
        (9, "spec.containers[1].name", 'Duplicate value: "A"'),
        (9, "spec.containers[1].name", f'Invalid value: "A": {LABEL}')]


def test_template_container_names_are_checked(validator: Validator, tmp_path: Path) -> None:
    text = workload("StatefulSet").replace("        - name: c\n", "        - name: C # <\n")
    rejects(validator, tmp_path, text, "api-container-name",
            f'spec.template.spec.containers[0].name: Invalid value: "C": {LABEL}')


# --- api-container-image (validateContainerCommon) -----------------------------------------
def test_container_image_accepts(validator: Validator, tmp_path: Path) -> None:
    assert api_findings(validator, tmp_path, pod(f"    - name: a\n      image: {PAUSE}\n")) == []


@pytest.mark.parametrize(("containers", "expected"), [
    ("    - name: a # <\n", "spec.containers[0].image: Required value"),
    ("    - name: a\n      image: '' # <\n", "spec.containers[0].image: Required value"),
])
def test_container_image_rejects(validator: Validator, tmp_path: Path, containers: str,
                                 expected: str) -> None:
    rejects(validator, tmp_path, pod(containers), "api-container-image", expected)


def test_an_init_container_needs_an_image_too(validator: Validator, tmp_path: Path) -> None:
    text = pod(f"    - name: a\n      image: {PAUSE}\n", "  initContainers:\n    - name: i # <\n")
    rejects(validator, tmp_path, text, "api-container-image",
            "spec.initContainers[0].image: Required value")


# --- api-container-port (validateContainerPorts) -------------------------------------------
def test_container_port_accepts(validator: Validator, tmp_path: Path) -> None:
    text = pod(f"    - name: a\n      image: {PAUSE}\n      ports:\n"
               "        - containerPort: 65535\n          name: http-2\n"
               "        - containerPort: 1\n          name: metrics\n"
               "        - containerPort: 2\n          hostPort: 0\n"
               "        - containerPort: 3\n          hostPort: 65535\n          name: "
               f"{'a' * 15}\n"
               f"    - name: b\n      image: {PAUSE}\n      ports:\n"  # names are per container
               "        - containerPort: 80\n          name: http-2\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("ports", "expected"), [
    ("        - containerPort: 65536 # <\n",
     f"spec.containers[0].ports[0].containerPort: Invalid value: 65536: {PORT_RANGE}"),
    ("        - containerPort: -1 # <\n",
     f"spec.containers[0].ports[0].containerPort: Invalid value: -1: {PORT_RANGE}"),
    ("        - containerPort: 0 # <\n",
     "spec.containers[0].ports[0].containerPort: Required value"),
    ("        - containerPort: 80\n          hostPort: 65536 # <\n",
     f"spec.containers[0].ports[0].hostPort: Invalid value: 65536: {PORT_RANGE}"),
    ("        - containerPort: 80\n          hostPort: -1 # <\n",
     f"spec.containers[0].ports[0].hostPort: Invalid value: -1: {PORT_RANGE}"),
    (f"        - containerPort: 80\n          name: {'a' * 16} # <\n",
     f'spec.containers[0].ports[0].name: Invalid value: "{"a" * 16}": must be no more than '
     "15 characters"),
    ("        - containerPort: 80\n          name: '8080' # <\n",
     f'spec.containers[0].ports[0].name: Invalid value: "8080": {PORT_LETTER}'),
    ("        - containerPort: 80\n          name: a--b # <\n",
     'spec.containers[0].ports[0].name: Invalid value: "a--b": must not contain consecutive '
     "hyphens"),
    ("        - containerPort: 80\n          name: http\n"
     "        - containerPort: 81\n          name: http # <\n",
     'spec.containers[0].ports[1].name: Duplicate value: "http"'),
])
def test_container_port_rejects(validator: Validator, tmp_path: Path, ports: str,
                                expected: str) -> None:
    text = pod(f"    - name: a\n      image: {PAUSE}\n      ports:\n{ports}")
    rejects(validator, tmp_path, text, "api-container-port", expected)


def test_an_invalid_port_name_is_not_also_a_duplicate(validator: Validator,
                                                      tmp_path: Path) -> None:
    text = pod(f"    - name: a\n      image: {PAUSE}\n      ports:\n"
               "        - containerPort: 80\n          name: a--b\n"
               "        - containerPort: 81\n          name: a--b\n")
    assert [(f.line, f.field, f.message.split(":")[0]) for f in
            api_findings(validator, tmp_path, text)] == [
        (11, "spec.containers[0].ports[0].name", "Invalid value"),
        (13, "spec.containers[0].ports[1].name", "Invalid value")]


def test_ports_of_init_and_template_containers_are_checked(validator: Validator,
                                                           tmp_path: Path) -> None:
    text = workload("Deployment").replace(
        f"          image: {PAUSE}\n",
        f"          image: {PAUSE}\n          ports:\n            - containerPort: 0 # <\n")
    rejects(validator, tmp_path, text, "api-container-port",
            "spec.template.spec.containers[0].ports[0].containerPort: Required value")


# --- api-service-port (validateServicePort) ------------------------------------------------
def test_service_port_accepts(validator: Validator, tmp_path: Path) -> None:
    one_unnamed = service(ports="    - port: 65535\n")
    two_named = service(ports="    - port: 1\n      name: http\n    - port: 443\n"
                              "      name: https\n")
    assert api_findings(validator, tmp_path, one_unnamed) == []
    assert api_findings(validator, tmp_path, two_named) == []


@pytest.mark.parametrize(("ports", "expected"), [
    ("    - port: 80\n      name: http\n    - port: 443 # <\n",
     "spec.ports[1].name: Required value"),
    ("    - port: 80\n      name: http\n    - port: 443\n      name: '' # <\n",
     "spec.ports[1].name: Required value"),
    ("    - port: 80\n      name: http\n    - port: 443\n      name: http # <\n",
     'spec.ports[1].name: Duplicate value: "http"'),
    ("    - port: 80\n      name: Http # <\n",
     f'spec.ports[0].name: Invalid value: "Http": {LABEL}'),
    ("    - port: 65536 # <\n", f"spec.ports[0].port: Invalid value: 65536: {PORT_RANGE}"),
    ("    - port: 0 # <\n", f"spec.ports[0].port: Invalid value: 0: {PORT_RANGE}"),
])
def test_service_port_rejects(validator: Validator, tmp_path: Path, ports: str,
                              expected: str) -> None:
    rejects(validator, tmp_path, service(ports=ports), "api-service-port", expected)


def test_an_invalid_service_port_name_may_also_be_a_duplicate(validator: Validator,
                                                              tmp_path: Path) -> None:
    """validateServicePort checks uniqueness whatever ValidateDNS1123Label said."""
    text = service(ports="    - port: 80\n      name: A\n    - port: 81\n      name: A\n")
    assert [(f.line, f.field, f.message) for f in api_findings(validator, tmp_path, text)] == [
        (8, "spec.ports[0].name", f'Invalid value: "A": {LABEL}'),
        (10, "spec.ports[1].name", 'Duplicate value: "A"'),
        (10, "spec.ports[1].name", f'Invalid value: "A": {LABEL}')]


# --- api-replicas (ValidateNonnegativeField in the apps Validate*Spec) ----------------------
@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "StatefulSet"])
def test_replicas_accepts_zero(validator: Validator, tmp_path: Path, kind: str) -> None:
    assert api_findings(validator, tmp_path, workload(kind, "  replicas: 0\n")) == []


@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "StatefulSet"])
def test_replicas_rejects_negative(validator: Validator, tmp_path: Path, kind: str) -> None:
    rejects(validator, tmp_path, workload(kind, "  replicas: -1 # <\n"), "api-replicas",
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0")


# --- api-restart-policy (ValidatePodTemplateSpecForReplicaSet, ValidateStatefulSetSpec,
# ValidateDaemonSetSpec) --------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"])
def test_restart_policy_accepts_always(validator: Validator, tmp_path: Path, kind: str) -> None:
    text = workload(kind, pod_extra="      restartPolicy: Always\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"])
@pytest.mark.parametrize("policy", ["Never", "OnFailure"])
def test_restart_policy_rejects_others(validator: Validator, tmp_path: Path, kind: str,
                                       policy: str) -> None:
    text = workload(kind, pod_extra=f"      restartPolicy: {policy} # <\n")
    rejects(validator, tmp_path, text, "api-restart-policy",
            f'spec.template.spec.restartPolicy: Unsupported value: "{policy}": supported '
            'values: "Always"')


def test_restart_policy_never_is_fine_for_a_pod(validator: Validator, tmp_path: Path) -> None:
    text = pod(f"    - name: a\n      image: {PAUSE}\n").replace(
        "spec:\n", "spec:\n  restartPolicy: Never\n")
    assert api_findings(validator, tmp_path, text) == []


# --- label selectors (ValidateLabelSelector, via api-selector on a workload) ----------------
@pytest.mark.parametrize("selector", [
    "    matchExpressions:\n      - {key: app, operator: In, values: [w]}\n",
    "    matchExpressions:\n      - {key: app, operator: NotIn, values: [x]}\n",
    "    matchExpressions:\n      - {key: app, operator: Exists}\n",
    "    matchExpressions:\n      - {key: tier, operator: DoesNotExist, values: []}\n",
])
def test_label_selector_accepts(validator: Validator, tmp_path: Path, selector: str) -> None:
    assert api_findings(validator, tmp_path, workload("Deployment", selector=selector)) == []


@pytest.mark.parametrize(("selector", "expected"), [
    ("    matchExpressions:\n      - {key: app, operator: In} # <\n",
     "spec.selector.matchExpressions[0]: Required value: must be specified when `operator` is "
     "'In' or 'NotIn'"),
    ("    matchExpressions:\n      - {key: app, operator: NotIn, values: []} # <\n",
     "spec.selector.matchExpressions[0]: Required value: must be specified when `operator` is "
     "'In' or 'NotIn'"),
    ("    matchExpressions:\n      - {key: app, operator: Exists, values: [w]} # <\n",
     "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when "
     "`operator` is 'Exists' or 'DoesNotExist'"),
    ("    matchExpressions:\n      - {key: x, operator: DoesNotExist, values: [w]} # <\n",
     "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when "
     "`operator` is 'Exists' or 'DoesNotExist'"),
    ("    matchExpressions:\n      - {key: app, operator: Near, values: [w]} # <\n",
     'spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector '
     "operator"),
    ("    matchExpressions:\n      - {key: -x, operator: DoesNotExist} # <\n",
     f'spec.selector.matchExpressions[0].key: Invalid value: "-x": {KEY_NAME}'),
])
def test_label_selector_expressions_reject(validator: Validator, tmp_path: Path,
                                           selector: str, expected: str) -> None:
    rejects(validator, tmp_path, workload("Deployment", selector=selector), "api-selector",
            expected)


@pytest.mark.parametrize(("labels", "expected"), [
    ("      -x: w # <\n", f'spec.selector.matchLabels.-x: Invalid value: "-x": {KEY_NAME}'),
    ("      tier: -w # <\n", f'spec.selector.matchLabels.tier: Invalid value: "-w": {VALUE}'),
])
def test_label_selector_match_labels_reject(validator: Validator, tmp_path: Path, labels: str,
                                            expected: str) -> None:
    text = workload("Deployment").replace("      app: w\n  template", f"      app: w\n{labels}"
                                          "  template")
    rejects(validator, tmp_path, text, "api-selector", expected)


def test_the_checks_go_on_after_a_bad_expression(validator: Validator, tmp_path: Path) -> None:
    selector = ("    matchExpressions:\n      - {key: app, operator: In}\n"
                "      - {key: -y, operator: Exists}\n")
    found = api_findings(validator, tmp_path, workload("Deployment", selector=selector))
    assert [(f.field, f.message.split(":")[0]) for f in found] == [
        ("spec.selector.matchExpressions[0]", "Required value"),
        ("spec.selector.matchExpressions[1].key", "Invalid value")]


def test_check_label_selector_passes_over_what_is_not_a_selector() -> None:
    class Holder:
        def finding(self, path: tuple[object, ...], rule: str, message: str) -> tuple[
                tuple[object, ...], str]:
            return path, message

    def check(selector: object) -> list[object]:
        return list(apiserver.check_label_selector(Holder(), selector,  # type: ignore[arg-type]
                                                   ("s",), "api-x"))

    assert check(["a"]) == []
    assert check({"matchLabels": ["a"], "matchExpressions": {"a": 1}}) == []
    assert check({"matchLabels": {"k": 1}, "matchExpressions": ["x", {"operator": 3}]}) == []
    assert check({"matchExpressions": ["x", {"key": "-k", "operator": "Exists"}]}) == [
        (("s", "matchExpressions", 1, "key"), f'Invalid value: "-k": {KEY_NAME}')]
    assert check({"matchExpressions": [{"key": 5, "operator": "Exists"}]}) == []
    assert check({"matchLabels": {5: "v"}}) == []
    assert check({"matchLabels": {"-k": "v"}}) == [
        (("s", "matchLabels", "-k"), f'Invalid value: "-k": {KEY_NAME}')]
