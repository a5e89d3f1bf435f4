"""Issue 10: linear cross-reference rules, no false errors on what Kubernetes accepts,
`.json`/stdin/`--with` inputs, truthful API messages, base64 fields. Each test writes the
small manifest it needs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deepdive.validate.engine import Validator
from deepdive.validate.findings import Severity
from deepdive.validate.rules import run_rules
from deepdive.validate.rules.context import SetContext, Template
from deepdive.validate.yamlcheck import check_file


def found(validator: Validator, folder: Path, text: str,
          name: str = "set.yaml") -> list[tuple[str, int, Severity]]:
    (folder / name).write_text(text)
    return [(f.rule, f.line, f.severity) for f in validator.run([folder]).findings]


# --- 1. linear time -------------------------------------------------------------------

APP = """apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: app-{i}}}
spec:
  serviceName: app-{i}
  selector: {{matchLabels: {{app: app-{i}}}}}
  template:
    metadata: {{labels: {{app: app-{i}, version: v1}}}}
    spec:
      containers:
        - {{name: c, image: "registry.k8s.io/pause:3.10",
           ports: [{{name: http, containerPort: 80}}]}}
---
apiVersion: v1
kind: Service
metadata: {{name: app-{i}}}
spec:
  clusterIP: None
  selector: {{app: app-{i}}}
  ports: [{{name: http, port: 80, targetPort: http}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: app-{i}}}
spec:
  host: app-{i}
  subsets: [{{name: v1, labels: {{version: v1}}}}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: gw-{i}}}
spec:
  selector: {{istio: ingressgateway}}
  servers: [{{port: {{number: 80, name: http, protocol: HTTP}}, hosts: ["*"]}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: app-{i}}}
spec:
  hosts: [app-{i}]
  gateways: [gw-{i}]
  http: [{{route: [{{destination: {{host: app-{i}.default.svc.cluster.local, subset: v1}}}}]}}]
"""


class CountingList(list):  # type: ignore[type-arg]
    """A list that counts how often it is walked through."""

    walks = 0

    def __iter__(self) -> Any:
        CountingList.walks += 1
        return super().__iter__()


def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: int) -> tuple[int, int]:
    """(walks over the set, template label tests) to run every rule over `apps` apps."""
    path = tmp_path / f"apps-{apps}.yaml"
    path.write_text("---\n".join(APP.format(i=i) for i in range(apps)))
    resources = check_file(path).resources
    assert len(resources) == 5 * apps
    tests = 0
    original = Template.selected_by

    def counted(self: Template, selector: dict[str, str]) -> bool:
        nonlocal tests
        tests += 1
        return original(self, selector)

    monkeypatch.setattr(Template, "selected_by", counted)
    CountingList.walks = 0
    context = SetContext(members=CountingList(resources), resources=CountingList(resources))
    findings = run_rules(context)
    assert findings == []  # every reference resolves: the rules did the full work
    return CountingList.walks, tests


def test_cross_reference_rules_do_work_linear_in_the_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_walks, small_tests = work(tmp_path, monkeypatch, 20)
    large_walks, large_tests = work(tmp_path, monkeypatch, 80)
    # Walks over the whole set do not grow with it (each rule indexes once) ...
    assert large_walks == small_walks < 40
    # ... and each Service or subset tests only the templates that share a label with it.
    assert large_tests == 4 * small_tests


# --- 2. no false errors ---------------------------------------------------------------

PROBED = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: registry.k8s.io/pause:3.10
          ports: [{name: http, containerPort: 8080}]
          livenessProbe:
            httpGet: {path: /healthz, port: PROBE}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: TARGET}]
"""


def test_undeclared_port_numbers_are_warnings_and_names_errors(
    validator: Validator, tmp_path: Path
) -> None:
    declared = PROBED.replace("PROBE", "8080").replace("TARGET", "http")
    assert found(validator, tmp_path, declared) == []
    numbers = PROBED.replace("PROBE", "9000").replace("TARGET", "9090")
    assert found(validator, tmp_path, numbers) == [
        ("probe-port", 14, Severity.WARNING), ("service-target-port", 21, Severity.WARNING)]
    names = PROBED.replace("PROBE", "health").replace("TARGET", "grpc")
    assert found(validator, tmp_path, names) == [
        ("probe-port", 14, Severity.ERROR), ("service-target-port", 21, Severity.ERROR)]


def test_generate_name_is_a_warning_about_apply_not_a_missing_name(
    validator: Validator, tmp_path: Path
) -> None:
    text = """apiVersion: v1
kind: ConfigMap
metadata:
  generateName: settings-
data: {mode: fast}
"""
    (tmp_path / "cm.yaml").write_text(text)
    report = validator.run([tmp_path / "cm.yaml"])
    [finding] = report.findings
    assert (finding.rule, finding.line, finding.severity) == (
        "generate-name", 4, Severity.WARNING)
    assert "kubectl apply" in finding.message and report.exit_code == 0
    assert report.resources == 1
    # Neither name nor generateName: still a missing name.
    nameless = text.replace("  generateName: settings-\n", "  labels: {a: b}\n")
    assert found(validator, tmp_path, nameless, "cm.yaml") == [
        ("yaml-missing-field", 4, Severity.ERROR)]
    # Still schema-checked: an unknown field next to generateName is an error.
    typo = text.replace("data: {mode", "dta: {mode")
    assert ("schema-unknown-field", 5, Severity.ERROR) in found(
        validator, tmp_path, typo, "cm.yaml")


# --- 3. folders and inputs ------------------------------------------------------------

DEPLOYMENT_JSON = """{
\t"apiVersion": "apps/v1",
\t"kind": "Deployment",
\t"metadata": {"name": "api"},
\t"spec": {
\t\t"selector": {"matchLabels": {"app": "api"}},
\t\t"template": {
\t\t\t"metadata": {"labels": {"app": "api"}},
\t\t\t"spec": {"containers": [{"name": "api", "image": "registry.k8s.io/pause:3.10",
\t\t\t\t"ports": [{"name": "http", "containerPort": 8080}]}]}
\t\t}
\t}
}
"""
SERVICE = """apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: http}]
"""


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str],
            stdin: bytes = b"") -> tuple[int, list[str]]:
    import io
    import sys

    from deepdive.cli import main

    old = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        code = main(["validate", *argv])
    finally:
        sys.stdin = old
    return code, capsys.readouterr().out.splitlines()


def test_json_manifests_are_validated_in_folders_and_by_name(
    validator: Validator, tmp_path: Path
) -> None:
    (tmp_path / "api.json").write_text(DEPLOYMENT_JSON)
    report = validator.run([tmp_path])
    assert (report.files, report.resources, report.findings) == (1, 1, [])
    # Its resources join the set: a Service in a .yaml beside it selects its pods ...
    (tmp_path / "svc.yaml").write_text(SERVICE)
    assert validator.run([tmp_path]).findings == []
    # ... and named directly, the .json file still gets the cross-reference rules.
    broken = DEPLOYMENT_JSON.replace('"app": "api"}},\n\t\t\t"spec"',
                                     '"app": "web"}},\n\t\t\t"spec"')
    (tmp_path / "api.json").write_text(broken)
    for paths in ([tmp_path], [tmp_path / "api.json"]):
        rules = [(f.file.endswith("api.json"), f.rule, f.line)
                 for f in validator.run(paths).findings]
        assert (True, "selector-mismatch", 6) in rules
    # A schema error in JSON is found at its line.
    (tmp_path / "api.json").write_text(DEPLOYMENT_JSON.replace('"spec": {\n', '"spek": {\n'))
    assert ("schema-unknown-field", 5) in [
        (f.rule, f.line) for f in validator.run([tmp_path / "api.json"]).findings
        if f.file.endswith("api.json")]


def test_dash_reads_standard_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(["-"], capsys, SERVICE.encode())
    assert code == 1
    assert out[0].startswith("<stdin>:5:3: error service-selects-nothing Service/api")
    code, out = run_cli(["-"], capsys, DEPLOYMENT_JSON.encode())
    assert code == 0 and out[-1].startswith("1 files, 1 resources")


def test_with_adds_context_without_validating_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    apps, routes = tmp_path / "apps", tmp_path / "routes"
    apps.mkdir()
    routes.mkdir()
    # The context holds an error of its own, which is not reported: it is not validated.
    (apps / "api.json").write_text(DEPLOYMENT_JSON.replace('"name": "api"}', '"name": "api",'
                                                           ' "labelz": {}}', 1))
    (apps / "ok.json").write_text(DEPLOYMENT_JSON)
    (routes / "svc.yaml").write_text(SERVICE)
    code, out = run_cli([str(routes)], capsys)
    assert code == 1 and "service-selects-nothing" in out[0]
    code, out = run_cli([str(routes), "--with", str(apps / "ok.json")], capsys)
    assert code == 0 and out[-1].startswith("1 files, 1 resources"), out
    code, out = run_cli([str(routes), "--with", str(apps)], capsys)
    assert code == 0 and not any("labelz" in line for line in out), out
    code, out = run_cli(["-", "--with", str(apps)], capsys, SERVICE.encode())
    assert code == 0, out
    code, _ = run_cli([str(routes), "--with", str(tmp_path / "nowhere")], capsys)
    assert code == 2


# --- 4. messages ----------------------------------------------------------------------


def api_findings(validator: Validator, folder: Path, api_version: str,
                 kind: str) -> list[tuple[str, str]]:
    (folder / "api.yaml").write_text(
        f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\nspec: {{}}\n")
    return [(f.rule, f.message) for f in validator.run([folder]).findings]


def test_removal_release_is_that_of_the_group_version_and_kind(
    tmp_path: Path, validator: Validator
) -> None:
    [(rule, message)] = api_findings(validator, tmp_path, "admissionregistration.k8s.io/v1beta1",
                                     "ValidatingAdmissionPolicy")
    # Served up to 1.33 in the bundled schemas; 1.22 was ValidatingWebhookConfiguration's.
    assert rule == "api-removed" and "(removed in 1.34)" in message and "1.22" not in message
    assert message.endswith("use admissionregistration.k8s.io/v1")
    [(rule, message)] = api_findings(validator, tmp_path, "admissionregistration.k8s.io/v1beta1",
                                     "ValidatingWebhookConfiguration")
    assert rule == "api-removed" and "(removed in 1.22)" in message
    [(rule, message)] = api_findings(validator, tmp_path, "autoscaling/v2beta2",
                                     "HorizontalPodAutoscaler")
    assert rule == "api-removed" and "(removed in 1.26)" in message


def test_an_api_of_later_releases_is_not_yet_served_not_removed(
    tmp_path: Path, validator: Validator
) -> None:
    [(rule, message)] = api_findings(validator, tmp_path, "admissionregistration.k8s.io/v1",
                                     "MutatingAdmissionPolicyBinding")
    assert rule == "api-not-yet-served"
    assert message == (
        "admissionregistration.k8s.io/v1 MutatingAdmissionPolicyBinding is not served in "
        "Kubernetes 1.35 (served from 1.36); 1.35 serves admissionregistration.k8s.io/v1beta1")


def test_pod_security_policy_names_its_removal_and_successor(
    tmp_path: Path, validator: Validator
) -> None:
    [(rule, message)] = api_findings(validator, tmp_path, "policy/v1beta1", "PodSecurityPolicy")
    assert rule == "api-removed"
    assert "removed in Kubernetes 1.25" in message and "Pod Security Admission" in message


def test_every_removed_api_names_its_release(validator: Validator) -> None:
    """Each kind the oldest bundled release serves under an apiVersion the newest no longer
    serves (while it serves the kind elsewhere) gets a removal release."""
    from deepdive.validate.deprecations import kube_api_problem
    from deepdive.validate.kube import available_versions

    kube = validator.kube
    oldest, newest = available_versions()[0], available_versions()[-1]
    checked = 0
    for path in sorted(kube.directory(oldest).glob("*.json")):
        for gvk in json.loads(path.read_text()).get("x-kubernetes-group-version-kind") or []:
            group, version, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
            api_version = f"{group}/{version}" if group else version
            if kube.serves(newest, api_version, kind) or not kube.serves(oldest, api_version,
                                                                           kind):
                continue
            problem = kube_api_problem(kube, (newest,), api_version, kind)
            if problem is not None and problem.rule == "api-removed":
                checked += 1
                assert "(removed in 1." in problem.message, problem.message
    assert checked > 5
    for api_version, kind in [("extensions/v1beta1", "Deployment"),
                              ("extensions/v1beta1", "Ingress"), ("batch/v1beta1", "CronJob"),
                              ("policy/v1beta1", "PodDisruptionBudget")]:
        problem = kube_api_problem(kube, (newest,), api_version, kind)
        assert problem is not None and "removed in" in problem.message, (api_version, kind)


# --- 5. format: byte ------------------------------------------------------------------

BYTES = """apiVersion: v1
kind: Secret
metadata: {name: creds}
data:
  user: YWRtaW4=
  folded: "aGVs\\nbG8="
  password: SECRET
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: hook}
webhooks:
  - name: hook.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig:
      url: https://hook.example.com/
      caBundle: CA
"""


@pytest.mark.parametrize(("secret", "ca", "expected"), [
    ("cGFzcw==", "Q0E=", []),
    ("pass word", "Q0E=", [("schema-violation", 7)]),
    ("cGFzcw", "Q0E=", [("schema-violation", 7)]),  # Go wants the padding
    ("cGFzcw==", "-----BEGIN CERTIFICATE-----", [("schema-violation", 18)]),
])
def test_format_byte_fields_must_be_base64(
    validator: Validator, tmp_path: Path, secret: str, ca: str, expected: list[tuple[str, int]]
) -> None:
    (tmp_path / "bytes.yaml").write_text(
        BYTES.replace("SECRET", secret).replace("caBundle: CA", f"caBundle: {ca}"))
    report = validator.run([tmp_path])
    assert [(f.rule, f.line) for f in report.findings] == expected
    assert all("is not base64" in f.message for f in report.findings)


WILDCARD = """apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: partners}
spec:
  hosts: ["*.partner.example"]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: partners}
spec:
  host: "*.partner.example"
  subsets: [{name: eu}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: partners}
spec:
  hosts: [HOST]
  tls:
    - match: [{sniHosts: [HOST]}]
      route: [{destination: {host: HOST, subset: eu}}]
"""


@pytest.mark.parametrize(("host", "expected"), [
    ("api.partner.example", []),
    ("a.b.partner.example", []),
    ("partner.example", [("istio-host-unresolved", 23, Severity.ERROR)]),
    ("*.partner.example", []),
])
def test_indexed_host_lookup_resolves_service_entry_wildcards_as_before(
    validator: Validator, tmp_path: Path, crds_available: None, host: str,
    expected: list[tuple[str, int, Severity]],
) -> None:
    # A wildcard entry covers any deeper name, but not the bare domain; a host it covers
    # resolves to the entry, so the DestinationRule's subset (for the entry) is found.
    assert found(validator, tmp_path, WILDCARD.replace("HOST", f'"{host}"')) == expected
