"""The cross-reference rules over built-in kinds (rules/kubernetes.py) and what every rule
sees (rules/context.py): each case is a small example set, checked for the exact finding a
reader gets (rule, line, field, message, severity), or for none at all."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from deepdive.validate.engine import Validator
from deepdive.validate.rules import apiserver, kubernetes
from deepdive.validate.rules.context import SetContext, Template, is_per_resource, per_resource

PAUSE = "registry.k8s.io/pause:3.10"


RULE_PREFIXES = ("service-", "statefulset-", "selector-", "probe-", "image-", "resource-")


def run(validator: Validator, folder: Path, text: str,
        prefixes: tuple[str, ...] = RULE_PREFIXES) -> list[tuple[str, int, str, str, str]]:
    """(rule, line, field, message, severity) of the findings of the rules under test."""
    (folder / "set.yaml").write_text(text)
    return [(f.rule, f.line, f.field, f.message, str(f.severity))
            for f in validator.run([folder]).findings if f.rule.startswith(prefixes)]


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


def pod(name: str = "web", labels: str = "{app: web}", ports: str = "[]",
        extra: str = "", namespace: str = "") -> str:
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n{ns}  labels: {labels}\n"
            f"spec:\n{extra}  containers:\n    - name: c\n      image: {PAUSE}\n"
            f"      ports: {ports}\n")


def service(ports: str, selector: str = "{app: web}", extra: str = "", name: str = "web",
            namespace: str = "") -> str:
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n{ns}spec:\n"
            f"  selector: {selector}\n{extra}  ports:\n{ports}")


# --- service-selects-nothing / service-target-port (check_services) -------------------------
def test_a_service_that_selects_no_template_says_which_selector(validator: Validator,
                                                                tmp_path: Path) -> None:
    text = service("    - {port: 80}\n", "{tier: db, app: web}") + "---\n" + pod()
    assert run(validator, tmp_path, text) == [(
        "service-selects-nothing", 6, "spec.selector",
        "selector app=web, tier=db matches no pod template in this example set", "error")]


@pytest.mark.parametrize("extra", [
    "  type: ExternalName\n  externalName: db.example.com\n",  # endpoints are a DNS name
])
def test_a_service_without_pods_is_not_cross_checked(validator: Validator, tmp_path: Path,
                                                     extra: str) -> None:
    text = service("    - {port: 80}\n", "{app: nothing}", extra)
    assert run(validator, tmp_path, text) == []


def test_a_service_with_an_empty_or_no_selector_is_not_cross_checked(validator: Validator,
                                                                     tmp_path: Path) -> None:
    empty = service("    - {port: 80, targetPort: 9}\n", "{}") + "---\n" + pod()
    assert run(validator, tmp_path, empty) == []
    none = empty.replace("  selector: {}\n", "")
    assert run(validator, tmp_path, none) == []


def test_a_numbered_target_port_no_container_declares_is_a_warning(validator: Validator,
                                                                   tmp_path: Path) -> None:
    text = (service("    - {name: a, port: 80, targetPort: 9090}\n")
            + "---\n" + pod(ports="[{containerPort: 8080}, {containerPort: 443}]"))
    assert run(validator, tmp_path, text) == [(
        "service-target-port", 8, "spec.ports[0].targetPort",
        "targetPort 9090 on Pod/web: no containerPort is 9090 (containerPorts: 443, 8080); "
        "Kubernetes still sends to that port of the pod, so this is valid if something "
        "listens there", "warning")]


def test_without_target_port_the_port_is_the_target(validator: Validator,
                                                    tmp_path: Path) -> None:
    text = service("    - {name: a, port: 80}\n") + "---\n" + pod()
    assert run(validator, tmp_path, text) == [(
        "service-target-port", 8, "spec.ports[0].port",
        "port 80 on Pod/web: no containerPort is 80 (containerPorts: none); Kubernetes still "
        "sends to that port of the pod, so this is valid if something listens there",
        "warning")]
    matching = text.replace("ports: []", "ports: [{containerPort: 80}]")
    assert run(validator, tmp_path, matching) == []


def test_a_named_target_port_no_container_declares_is_an_error(validator: Validator,
                                                               tmp_path: Path) -> None:
    text = (service("    - {name: a, port: 80, targetPort: web}\n")
            + "---\n" + pod(ports="[{name: http, containerPort: 80}, {name: admin, "
                              "containerPort: 81}]"))
    assert run(validator, tmp_path, text) == [(
        "service-target-port", 8, "spec.ports[0].targetPort",
        'targetPort web on Pod/web: no containerPort is named "web" (names: admin, http)',
        "error")]
    unnamed = (service("    - {name: a, port: 80, targetPort: web}\n")
               + "---\n" + pod(ports="[{containerPort: 80}]"))
    assert run(validator, tmp_path, unnamed)[0][3] == (
        'targetPort web on Pod/web: no containerPort is named "web" (names: none)')


def test_a_quoted_number_is_a_port_name_without_a_letter(validator: Validator,
                                                         tmp_path: Path) -> None:
    text = (service("    - {name: a, port: 80, targetPort: '8080'}\n")
            + "---\n" + pod(ports="[{containerPort: 8080}]"))
    # api-service-port reports it too; this rule says why it cannot resolve
    assert run(validator, tmp_path, text) == [(
        "service-target-port", 8, "spec.ports[0].targetPort",
        'targetPort 8080 on Pod/web: "8080" is a string, so Kubernetes reads it as a port '
        "name, and a port name needs a letter (a-z): write a number unquoted", "error")]


@pytest.mark.parametrize(("name", "found"), [
    ("a8080", True), ("z1", True), ("A1", False), ("Z9", False), ("8080z", True),
    ("8-8", False)])
def test_a_port_name_needs_a_letter_from_a_to_z(validator: Validator, tmp_path: Path,
                                                name: str, found: bool) -> None:
    text = service("    - {name: a, port: 80, targetPort: '" + name + "'}\n") + "---\n" + pod(
        ports="[{name: '" + name + "', containerPort: 8080}]")
    messages = [message for rule, _, _, message, _ in run(validator, tmp_path, text)
                if rule == "service-target-port"]
    assert messages == ([] if found else [
        f'targetPort {name} on Pod/web: "{name}" is a string, so Kubernetes reads it as a '
        "port name, and a port name needs a letter (a-z): write a number unquoted"])


def test_a_named_target_port_matches_by_name_and_protocol(validator: Validator,
                                                          tmp_path: Path) -> None:
    text = (service("    - {name: a, port: 53, targetPort: dns}\n")
            + "---\n" + pod(ports="[{name: dns, containerPort: 53, protocol: UDP}, "
                              "{name: dns2, containerPort: 54, protocol: SCTP}]"))
    assert run(validator, tmp_path, text) == [(
        "service-target-port", 8, "spec.ports[0].targetPort",
        'targetPort dns on Pod/web: containerPort "dns" is UDP, the Service port TCP: '
        "Kubernetes matches the name and the protocol", "error")]
    udp = text.replace("targetPort: dns}", "targetPort: dns, protocol: UDP}")
    assert run(validator, tmp_path, udp) == []


def test_a_port_name_declared_twice_lists_both_protocols(validator: Validator,
                                                         tmp_path: Path) -> None:
    """Two containers name a port alike, one UDP and one SCTP: the message lists both."""
    text = (service("    - {name: a, port: 53, targetPort: dns}\n") + "---\n"
            + pod(ports="[{name: dns, containerPort: 53, protocol: UDP}]")
            + f"    - name: d\n      image: {PAUSE}\n"
            "      ports: [{name: dns, containerPort: 54, protocol: SCTP}]\n")
    assert [m for _, _, _, m, _ in run(validator, tmp_path, text)] == [
        'targetPort dns on Pod/web: containerPort "dns" is SCTP/UDP, the Service port TCP: '
        "Kubernetes matches the name and the protocol"]


def test_each_selected_template_and_each_port_is_checked(validator: Validator,
                                                         tmp_path: Path) -> None:
    text = (service("    - {name: a, port: 80, targetPort: http}\n"
                    "    - {name: b, port: 81, targetPort: 8081}\n")
            + "---\n" + pod("one", ports="[{name: http, containerPort: 80}]")
            + "---\n" + pod("two", ports="[{containerPort: 8081}]"))
    found = [(line, field, message.split(":")[0]) for rule, line, field, message, _ in
             run(validator, tmp_path, text, ("service-",))]
    assert found == [(8, "spec.ports[0].targetPort", "targetPort http on Pod/two"),
                     (9, "spec.ports[1].targetPort", "targetPort 8081 on Pod/one")]


def test_ports_of_init_containers_are_not_reachable_unless_sidecars(validator: Validator,
                                                                    tmp_path: Path) -> None:
    init = ("  initContainers:\n    - name: i\n      image: " + PAUSE + "\n"
            "      ports: [{name: http, containerPort: 80}]\n")
    text = service("    - {name: a, port: 80, targetPort: http}\n") + "---\n" + pod(
        extra=init)
    assert [m for _, _, _, m, _ in run(validator, tmp_path, text)] == [
        'targetPort http on Pod/web: no containerPort is named "http" (names: none)']
    sidecar = text.replace("      ports: [{name: http", "      restartPolicy: Always\n"
                           "      ports: [{name: http")
    assert run(validator, tmp_path, sidecar) == []


def test_template_ports_skip_what_is_not_a_port(validator: Validator, tmp_path: Path) -> None:
    """A port entry that is not a mapping, or has no name, is passed over, not the rest."""
    ports = "[{containerPort: 80}, {name: http, containerPort: 81}]"
    text = service("    - {name: a, port: 80, targetPort: http}\n"
                   "    - {name: b, port: 81, targetPort: 80}\n") + "---\n" + pod(ports=ports)
    assert run(validator, tmp_path, text) == []


def test_a_service_selects_templates_of_its_namespace_or_an_unset_one(
    validator: Validator, tmp_path: Path
) -> None:
    text = (service("    - {name: a, port: 80}\n", namespace="shop")
            + "---\n" + pod(ports="[{containerPort: 80}]"))
    assert run(validator, tmp_path, text) == []  # the pod's namespace is not set
    other = (service("    - {name: a, port: 80}\n", namespace="shop")
             + "---\n" + pod(ports="[{containerPort: 80}]", namespace="billing"))
    assert [rule for rule, *_ in run(validator, tmp_path, other)] == ["service-selects-nothing"]
    unset = (service("    - {name: a, port: 80}\n")
             + "---\n" + pod(ports="[{containerPort: 80}]", namespace="billing"))
    assert run(validator, tmp_path, unset) == []


def test_a_selector_matches_label_values_as_text(validator: Validator, tmp_path: Path) -> None:
    text = (service("    - {name: a, port: 80}\n", "{tier: '1'}")
            + "---\n" + pod(labels="{tier: '1'}", ports="[{containerPort: 80}]"))
    assert run(validator, tmp_path, text) == []


# --- statefulset-service (check_statefulsets) ------------------------------------------------
def statefulset(service_name: str = "db", namespace: str = "") -> str:
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return (f"apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n{ns}spec:\n"
            f"  serviceName: {service_name}\n  selector:\n    matchLabels: {{app: db}}\n"
            "  template:\n    metadata:\n      labels: {app: db}\n    spec:\n"
            f"      containers:\n        - name: c\n          image: {PAUSE}\n")


def headless(name: str = "db", cluster_ip: str = "None", namespace: str = "") -> str:
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n{ns}spec:\n"
            f"  clusterIP: {cluster_ip}\n  selector: {{app: db}}\n  ports:\n    - port: 5432\n")


def test_a_statefulset_names_a_service_that_is_not_there(validator: Validator,
                                                         tmp_path: Path) -> None:
    text = statefulset() + "---\n" + headless("other")
    assert run(validator, tmp_path, text, ("statefulset-",)) == [
        ("statefulset-service", 6, "spec.serviceName", 'no Service "db" in this example set',
         "error")]


def test_a_statefulset_service_must_be_headless(validator: Validator, tmp_path: Path) -> None:
    text = statefulset() + "---\n" + headless(cluster_ip="10.0.0.7")
    assert run(validator, tmp_path, text, ("statefulset-",)) == [
        ("statefulset-service", 6, "spec.serviceName",
         'Service "db" is not headless (set clusterIP: None)', "error")]
    assert run(validator, tmp_path, statefulset() + "---\n" + headless(),
               ("statefulset-",)) == []


def test_a_statefulset_finds_its_service_in_its_namespace(validator: Validator,
                                                          tmp_path: Path) -> None:
    elsewhere = statefulset(namespace="shop") + "---\n" + headless(namespace="billing")
    assert [m for *_, m, _ in run(validator, tmp_path, elsewhere, ("statefulset-",))] == [
        'no Service "db" in this example set']
    # one Service of that name elsewhere, the headless one in the StatefulSet's namespace
    both = (statefulset(namespace="shop") + "---\n"
            + headless(namespace="billing", cluster_ip="10.0.0.7") + "---\n"
            + headless(namespace="shop"))
    assert run(validator, tmp_path, both, ("statefulset-",)) == []
    unset = statefulset() + "---\n" + headless(namespace="billing")
    assert run(validator, tmp_path, unset, ("statefulset-",)) == []


def test_a_statefulset_without_a_service_name_is_not_cross_checked(validator: Validator,
                                                                   tmp_path: Path) -> None:
    text = statefulset().replace("  serviceName: db\n", "")
    assert run(validator, tmp_path, text, ("statefulset-",)) == []
    empty = statefulset(service_name="''")
    assert run(validator, tmp_path, empty, ("statefulset-",)) == []


def test_a_numeric_service_name_is_looked_up_as_text(validator: Validator,
                                                     tmp_path: Path) -> None:
    text = statefulset(service_name="'7'") + "---\n" + headless(name="'7'")
    assert run(validator, tmp_path, text, ("statefulset-",)) == []


# --- selector-mismatch: matchExpressions as Kubernetes evaluates them ----------------------
def test_an_expression_without_a_key_reads_an_empty_key(validator: Validator,
                                                        tmp_path: Path) -> None:
    """Expression helpers read a missing key as "": no label is named "", so DoesNotExist
    holds and Exists does not."""
    holds = kubernetes._expression_holds
    assert holds({"operator": "DoesNotExist"}, {"app": "web"})
    assert not holds({"operator": "Exists"}, {"app": "web", "XXXX": "x", "None": "y"})
    assert not holds({"operator": "In", "values": ["v"]}, {"None": "v"})


def test_labels_text_lists_labels_sorted_or_none() -> None:
    assert kubernetes._labels_text({"b": "2", "a": "1"}) == "a=1, b=2"
    assert kubernetes._labels_text({}) == "none"


# --- resource-quantity: the parsed-quantity cache -------------------------------------------
@pytest.mark.parametrize(("value", "parsed"), [("250m", "1/4"), (2, "2"), (0.5, "1/2")])
def test_quantities_parse_remembered_or_not(value: object, parsed: str) -> None:
    assert str(kubernetes._quantity(value)) == parsed


@pytest.mark.parametrize("value", [True, None, [1]])
def test_a_quantity_that_is_no_scalar_is_refused(value: object) -> None:
    with pytest.raises(kubernetes.QuantityError, match=rf"^{re.escape(repr(value))} is not a"):
        kubernetes._quantity(value)


RESOURCES = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  resources:
    requests: {cpu: POD_REQUEST}
    limits: {cpu: '1'}
  containers:
    - name: c
      image: registry.k8s.io/pause:3.10
      resources:
        requests: {memory: 256Mi, cpu: 100m}
        limits: {memory: MEMORY_LIMIT}
"""


def test_requests_over_limits_are_found_at_pod_and_container_level(validator: Validator,
                                                                   tmp_path: Path) -> None:
    text = RESOURCES.replace("POD_REQUEST", "1500m").replace("MEMORY_LIMIT", "128Mi")
    assert run(validator, tmp_path, text, ("resource-",)) == [
        ("resource-request-exceeds-limit", 7, "spec.resources.requests.cpu",
         "request cpu=1500m is more than its limit 1", "error"),
        ("resource-request-exceeds-limit", 13, "spec.containers[0].resources.requests.memory",
         "request memory=256Mi is more than its limit 128Mi", "error")]
    fine = RESOURCES.replace("POD_REQUEST", "'1'").replace("MEMORY_LIMIT", "1Gi")
    assert run(validator, tmp_path, fine, ("resource-",)) == []


def test_a_quantity_that_does_not_parse_is_named(validator: Validator, tmp_path: Path) -> None:
    text = RESOURCES.replace("POD_REQUEST", "1Q").replace("MEMORY_LIMIT", "1Gi")
    assert run(validator, tmp_path, text, ("resource-",)) == [
        ("resource-quantity", 7, "spec.resources.requests.cpu",
         "'1Q' is not a quantity (expected e.g. 500m, 128Mi, 2)", "error")]


# --- image-unpinned -------------------------------------------------------------------------
@pytest.mark.parametrize(("image", "problem"), [
    ("nginx:1.27", ""),
    ("registry.example:5000/team/nginx:1.27", ""),
    ("nginx@sha256:" + "a" * 64, ""),
    ("nginx:latest@sha256:" + "a" * 64, ""),  # the digest wins
    ("nginx:latest-alpine", ""),
    ("nginx", 'image "nginx" has no tag: pin a version (or a digest)'),
    ("registry.example:5000/nginx",
     'image "registry.example:5000/nginx" has no tag: pin a version (or a digest)'),
    ("nginx:latest",
     'image "nginx:latest" uses the moving tag "latest": pin a version (or a digest)'),
    ("registry.example:5000/nginx:latest", 'image "registry.example:5000/nginx:latest" uses '
     'the moving tag "latest": pin a version (or a digest)'),
])
def test_image_problem(image: str, problem: str) -> None:
    assert kubernetes.image_problem(image) == problem


# --- the ports a Service reaches, on malformed input (the rules run without the schema too)
def test_template_ports_pass_over_entries_that_are_not_ports() -> None:
    ports = ["x", {"containerPort": "80"}, {"name": "", "containerPort": 81},
             {"name": "http", "containerPort": 80}]
    spec = {"containers": [{"ports": ports}]}
    template = Template(None, (), {}, spec)  # type: ignore[arg-type]
    assert kubernetes.template_ports(template) == ({"http": {"TCP"}}, {80, 81})
    assert kubernetes.container_ports(spec["containers"][0]) == ({"http"}, {80, 81})


def test_a_selector_that_is_not_a_mapping_selects_nothing() -> None:
    context = SetContext(members=[])
    for selector in (["app"], {}, None):
        service = SimpleNamespace(data={"spec": {"selector": selector}}, namespace="")
        assert kubernetes.selected_templates(context, service) == []  # type: ignore[arg-type]


# --- has_pods / selected_templates on their own ---------------------------------------------
def _service(spec: object) -> SimpleNamespace:
    return SimpleNamespace(data={"spec": spec}, namespace="")


@pytest.mark.parametrize(("spec", "expected"), [
    ({"selector": {"app": "web"}}, True),
    ({"type": "ClusterIP", "selector": {"app": "web"}}, True),
    ({"type": "ExternalName", "selector": {"app": "web"}}, False),
    ({"selector": {}}, False),
    ({"selector": ["app"]}, False),
    ({}, False),
    ("not a mapping", False),
])
def test_has_pods(spec: object, expected: bool) -> None:
    assert kubernetes.has_pods(_service(spec)) is expected  # type: ignore[arg-type]


# --- context.py: which checks run per resource ----------------------------------------------
def test_a_check_marked_per_resource_runs_per_resource() -> None:
    def check(context: object) -> list[object]:
        return []

    assert not is_per_resource(check)  # a check of this module: cross-reference
    assert per_resource(check) is check
    assert is_per_resource(check) and check.per_resource is True  # type: ignore[attr-defined]


def test_the_api_checks_and_the_marked_ones_are_per_resource() -> None:
    assert all(is_per_resource(check) for check in apiserver.APISERVER_CHECKS)
    assert [is_per_resource(c) for c in kubernetes.KUBERNETES_CHECKS] == [
        True, False, True, False, True, True]


def test_a_check_without_a_module_is_a_cross_reference_rule() -> None:
    class Check:  # a callable object whose class hides __module__
        __slots__ = ()

        def __getattribute__(self, name: str) -> object:
            if name == "__module__":
                raise AttributeError(name)
            return object.__getattribute__(self, name)

        def __call__(self) -> None:
            return None

    assert is_per_resource(Check()) is False


# --- example sets: dependencies give context, and only members are reported ----------------
def test_only_the_sets_own_services_and_statefulsets_are_reported(validator: Validator,
                                                                  tmp_path: Path) -> None:
    deps = tmp_path / "deps"
    deps.mkdir()
    (deps / "set.yaml").write_text(
        service("    - {port: 80}\n", "{app: nothing}", name="lonely") + "---\n"
        + statefulset("missing") + "---\n" + headless())
    member = tmp_path / "member"
    member.mkdir()
    (member / "example-set.txt").write_text("../deps/set.yaml\n")
    (member / "set.yaml").write_text(statefulset().replace("name: db\n", "name: db2\n", 1))
    assert [(f.rule, f.message) for f in validator.run([member]).findings] == []
    assert sorted(f.rule for f in validator.run([deps]).findings) == [
        "service-selects-nothing", "service-target-port", "statefulset-service"]


def test_a_service_without_pods_does_not_hide_the_next(validator: Validator,
                                                       tmp_path: Path) -> None:
    text = (service("    - {port: 80}\n", "{app: nothing}", name="first").replace(
        "  selector: {app: nothing}\n", "") + "---\n"
        + service("    - {port: 80}\n", "{app: nothing}", name="second"))
    assert [(rule, line) for rule, line, *_ in run(validator, tmp_path, text)] == [
        ("service-selects-nothing", line_of(text, "selector: {app: nothing}"))]


def _resource(kind: str, group: str, data: dict[str, object]) -> SimpleNamespace:
    return SimpleNamespace(kind=kind, group=group, api_version="v1", name="x", namespace="",
                           data=data, pod_template=None,
                           finding=lambda path, rule, message, **_: (rule, message))


def test_cross_reference_rules_report_on_members_only() -> None:
    """SetContext.members are what rules report on; the other resources are context."""
    lonely = _resource("Service", "", {"spec": {"selector": {"app": "x"}, "ports": []}})
    orphan = _resource("StatefulSet", "apps", {"spec": {"serviceName": "db"}})
    as_context = SetContext(members=[], resources=[lonely, orphan])
    assert list(kubernetes.check_services(as_context)) == []
    assert list(kubernetes.check_statefulsets(as_context)) == []
    as_members = SetContext(members=[lonely, orphan], resources=[lonely, orphan])
    assert [rule for rule, _ in kubernetes.check_services(as_members)] == [
        "service-selects-nothing"]
    assert [rule for rule, _ in kubernetes.check_statefulsets(as_members)] == [
        "statefulset-service"]
