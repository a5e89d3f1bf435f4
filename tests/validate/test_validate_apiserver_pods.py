"""The API server's pod-spec and Service validation (rules/apiserver_pods.py,
rules/apiserver_services.py): accepted and rejected manifests per rule, shaped like the
cases of the Go tests they port. A rejected case marks the line each finding must point
at with `# <` (`# <2`: two findings on that line); each is checked for its rule id, that
line and the finding as `deepdive validate` prints it (`field.path: Kind: detail`).

A detail that comes from a shared check of rules/apiserver.py (a DNS name, a label, a port
name) is written as that check's answer: its wording is pinned by that module's tests.
Where our text differs from the API server's, the case says so beside it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from apiserver_cases import PAUSE, api_findings, printed, rejects

from deepdive.validate.engine import Validator
from deepdive.validate.rules.apiserver import (
    is_config_map_key,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_key,
    is_label_value,
    is_valid_port_name,
)
from deepdive.validate.rules.apiserver_pods import (
    RELAXED_ENV_NAMES_BY_DEFAULT,
    env_name_errors,
    is_env_var_name,
    is_relaxed_env_var_name,
)


def pod(spec: str, container: str = "", init: str = "") -> str:
    """A Pod with one container `c` (extra container fields indented by 6) and `spec`
    fields (indented by 2)."""
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n{spec}{init}"
            f"  containers:\n    - name: c\n      image: {PAUSE}\n{container}")


def workload(kind: str, pod_spec: str, container: str = "", spec: str = "",
             api_version: str = "apps/v1") -> str:
    """A workload w whose template's spec has `pod_spec` (indented by 6) and one container
    with `container` fields (indented by 10)."""
    selector = "" if kind == "Job" else "  selector:\n    matchLabels:\n      app: w\n"
    return (f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: w\nspec:\n{spec}"
            f"{selector}  template:\n    metadata:\n      labels:\n        app: w\n"
            f"    spec:\n{pod_spec}      containers:\n        - name: c\n"
            f"          image: {PAUSE}\n{container}")


def service(spec: str, name: str = "web") -> str:
    return f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n{spec}"


def rejects_all(validator: Validator, tmp_path: Path, text: str, rule: str,
                expected: list[str]) -> None:
    """Exactly the `expected` findings of `rule`, in order, on the lines marked `# <`."""
    lines: list[int] = []
    for number, row in enumerate(text.splitlines(), 1):
        _, mark, count = row.rpartition("# <")
        if mark and (not count or count.isdigit()):
            lines += [number] * int(count or 1)
    found = [(f.rule, f.line, printed(f)) for f in api_findings(validator, tmp_path, text)]
    assert found == [(rule, line, message)
                     for line, message in zip(lines, expected, strict=True)]


def first(check: Callable[[str], Sequence[str]], value: str) -> str:
    """The first detail a shared check of rules/apiserver.py gives for `value`."""
    return check(value)[0]


LABEL_1123 = first(is_dns1123_label, "Data_1")
SUBDOMAIN_1123 = first(is_dns1123_subdomain, "Data_1")
FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive"
RELAXED_ENV = ("a valid environment variable name must consist only of printable ASCII "
               "characters other than '='")


# --- api-volume (ValidateVolumes, validateVolumeSource) --------------------------------------
def test_volume_accepts(validator: Validator, tmp_path: Path) -> None:
    text = pod("  volumes:\n    - name: data\n      emptyDir: {}\n"
               "    - name: config-1\n      configMap:\n        name: c\n",
               "      volumeMounts:\n        - name: data\n          mountPath: /data\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("volumes", "expected"), [
    ("    - name: data\n      emptyDir: {}\n    - name: data # <\n      emptyDir: {}\n",
     'spec.volumes[1].name: Duplicate value: "data"'),
    ("    - name: Data_1 # <\n      emptyDir: {}\n",
     f'spec.volumes[0].name: Invalid value: "Data_1": {LABEL_1123}'),
    ("    - name: ''  # <\n      emptyDir: {}\n", "spec.volumes[0].name: Required value"),
    ("    - name: data # <\n", "spec.volumes[0]: Required value: must specify a volume type"),
    # a source set to null is no source
    ("    - name: data # <\n      emptyDir: null\n",
     "spec.volumes[0]: Required value: must specify a volume type"),
    # the second source in the order the Go code checks them is refused
    ("    - name: data\n      emptyDir: {}\n      configMap: # <\n        name: c\n",
     "spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type"),
])
def test_volume_rejects(validator: Validator, tmp_path: Path, volumes: str,
                        expected: str) -> None:
    rejects(validator, tmp_path, pod(f"  volumes:\n{volumes}"), "api-volume", expected)


def test_volume_names_are_checked_one_by_one(validator: Validator, tmp_path: Path) -> None:
    """Each volume's name is checked, and every name counts for the duplicates."""
    text = pod("  volumes:\n    - name: a\n      emptyDir: {}\n    - name: B # <\n"
               "      emptyDir: {}\n    - name: a # <\n      emptyDir: {}\n"
               "    - name: B # <2\n      emptyDir: {}\n")
    rejects_all(validator, tmp_path, text, "api-volume", [
        f'spec.volumes[1].name: Invalid value: "B": {first(is_dns1123_label, "B")}',
        'spec.volumes[2].name: Duplicate value: "a"',
        'spec.volumes[3].name: Duplicate value: "B"',
        f'spec.volumes[3].name: Invalid value: "B": {first(is_dns1123_label, "B")}',
    ])


def test_volume_items_accept(validator: Validator, tmp_path: Path) -> None:
    """Modes 0 and 0777 are the bounds; a subPath-like '..x' is fine inside a path."""
    text = pod("  volumes:\n    - name: config\n      configMap:\n        name: c\n"
               "        defaultMode: 0777\n        items:\n          - key: app.yaml\n"
               "            path: conf/app.yaml\n            mode: 0\n"
               "    - name: secret\n      secret:\n        secretName: s\n"
               "        defaultMode: 0\n        items:\n          - key: k\n"
               "            path: a/..b/k\n            mode: 0777\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("source", "expected"), [
    ("      configMap:\n        name: c\n        defaultMode: 01000 # <\n",
     f"spec.volumes[0].configMap.defaultMode: Invalid value: 512: {FILE_MODE}"),
    ("      secret:\n        defaultMode: -1 # <\n",
     f"spec.volumes[0].secret.defaultMode: Invalid value: -1: {FILE_MODE}"),
    ("      secret:\n        secretName: s\n        items:\n          - key: k\n"
     "            path: /etc/k # <\n",
     'spec.volumes[0].secret.items[0].path: Invalid value: "/etc/k": must be a relative path'),
    ("      secret:\n        secretName: s\n        items:\n          - key: k\n"
     "            path: ..data/k # <\n",
     'spec.volumes[0].secret.items[0].path: Invalid value: "..data/k": '
     "must not start with '..'"),
    ("      secret:\n        secretName: s\n        items:\n          - key: k\n"
     "            path: ../k # <\n",
     'spec.volumes[0].secret.items[0].path: Invalid value: "../k": must not contain \'..\''),
    ("      secret:\n        secretName: s\n        items:\n          - key: k\n"
     "            path: '' # <\n", "spec.volumes[0].secret.items[0].path: Required value"),
    ("      configMap:\n        name: c\n        items:\n          - key: '' # <\n"
     "            path: k\n", "spec.volumes[0].configMap.items[0].key: Required value"),
    ("      configMap:\n        name: c\n        items:\n          - key: k\n"
     "            path: k\n            mode: 01000 # <\n",
     f"spec.volumes[0].configMap.items[0].mode: Invalid value: 512: {FILE_MODE}"),
    ("      configMap:\n        name: c\n        items:\n          - key: k\n"
     "            path: k\n            mode: -1 # <\n",
     f"spec.volumes[0].configMap.items[0].mode: Invalid value: -1: {FILE_MODE}"),
    ("      downwardAPI:\n        items:\n          - path: /name # <\n"
     "            fieldRef:\n              fieldPath: metadata.name\n",
     'spec.volumes[0].downwardAPI.items[0].path: Invalid value: "/name": '
     "must be a relative path"),
    ("      downwardAPI:\n        defaultMode: 01000 # <\n",
     f"spec.volumes[0].downwardAPI.defaultMode: Invalid value: 512: {FILE_MODE}"),
    ("      projected:\n        defaultMode: 01000 # <\n        sources: []\n",
     f"spec.volumes[0].projected.defaultMode: Invalid value: 512: {FILE_MODE}"),
    ("      projected:\n        sources:\n          - configMap:\n              name: c\n"
     "              items:\n                - key: k\n"
     "                  path: a/../../k # <\n",
     'spec.volumes[0].projected.sources[0].configMap.items[0].path: Invalid value: '
     "\"a/../../k\": must not contain '..'"),
])
def test_volume_items_reject(validator: Validator, tmp_path: Path, source: str,
                             expected: str) -> None:
    rejects(validator, tmp_path, pod(f"  volumes:\n    - name: v\n{source}"), "api-volume",
            expected)


def test_volume_item_paths_report_every_mistake(validator: Validator, tmp_path: Path) -> None:
    """validateLocalNonReservedPath: '..' is a '..' element and starts with '..'; '/..'
    is absolute too. Items of each projected source are checked, after the volume's own."""
    text = pod("  volumes:\n    - name: v\n      secret:\n        secretName: s\n"
               "        items:\n          - key: k\n            path: '..' # <2\n"
               "          - key: k\n            path: /.. # <2\n"
               "          - key: k\n            path: ..a/../b # <2\n"
               "    - name: w\n      projected:\n        sources:\n"
               "          - secret:\n              name: s\n              items:\n"
               "                - key: k\n                  path: ok\n"
               "                  mode: 01000 # <\n"
               "          - serviceAccountToken:\n              path: token\n"
               "          - downwardAPI:\n              items:\n"
               "                - path: /x # <\n                  fieldRef:\n"
               "                    fieldPath: metadata.name\n"
               "          - configMap:\n              name: c\n              items:\n"
               "                - key: '' # <\n                  path: ok\n")
    rejects_all(validator, tmp_path, text, "api-volume", [
        "spec.volumes[0].secret.items[0].path: Invalid value: \"..\": must not contain '..'",
        "spec.volumes[0].secret.items[0].path: Invalid value: \"..\": "
        "must not start with '..'",
        'spec.volumes[0].secret.items[1].path: Invalid value: "/..": must be a relative path',
        "spec.volumes[0].secret.items[1].path: Invalid value: \"/..\": "
        "must not contain '..'",
        "spec.volumes[0].secret.items[2].path: Invalid value: \"..a/../b\": "
        "must not contain '..'",
        "spec.volumes[0].secret.items[2].path: Invalid value: \"..a/../b\": "
        "must not start with '..'",
        f"spec.volumes[1].projected.sources[0].secret.items[0].mode: Invalid value: 512: "
        f"{FILE_MODE}",
        'spec.volumes[1].projected.sources[2].downwardAPI.items[0].path: Invalid value: '
        '"/x": must be a relative path',
        "spec.volumes[1].projected.sources[3].configMap.items[0].key: Required value",
    ])


def test_volume_with_two_sources_checks_both(validator: Validator, tmp_path: Path) -> None:
    text = pod("  volumes:\n    - name: v\n      secret:\n        defaultMode: 01000 # <\n"
               "      configMap: # <\n        name: c\n        defaultMode: 01000 # <\n")
    rejects_all(validator, tmp_path, text, "api-volume", [
        f"spec.volumes[0].secret.defaultMode: Invalid value: 512: {FILE_MODE}",
        "spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type",
        f"spec.volumes[0].configMap.defaultMode: Invalid value: 512: {FILE_MODE}",
    ])


def test_a_backslash_separates_path_elements(validator: Validator, tmp_path: Path) -> None:
    """Ours, not the API server's: on Linux the Go code (filepath.ToSlash) splits at '/'
    only, so it accepts 'a\\..\\b'; we refuse it, as a Windows node would read it."""
    text = pod("  volumes:\n    - name: v\n      secret:\n        secretName: s\n"
               "        items:\n          - key: k\n            path: 'a\\..\\b' # <\n")
    rejects(validator, tmp_path, text, "api-volume",
            "spec.volumes[0].secret.items[0].path: Invalid value: \"a\\\\..\\\\b\": "
            "must not contain '..'")


# --- api-volume-mount (ValidateVolumeMounts, validateLocalDescendingPath) ---------------------
def test_volume_mount_accepts(validator: Validator, tmp_path: Path) -> None:
    """subPath may start with '..' (only validateLocalDescendingPath applies); each
    container has its own mount paths; an empty subPath is unset."""
    text = pod("  volumes:\n    - name: data\n      emptyDir: {}\n",
               "      volumeMounts:\n        - name: data\n          mountPath: /data\n"
               "          subPath: ..app/conf\n"
               "        - name: data\n          mountPath: /logs\n"
               "          subPathExpr: $(POD_NAME)\n"
               "        - name: data\n          mountPath: /ro\n          readOnly: true\n"
               "          recursiveReadOnly: IfPossible\n"
               "        - name: data\n          mountPath: /ro-all\n          readOnly: true\n"
               "          recursiveReadOnly: Enabled\n          mountPropagation: None\n"
               "        - name: data\n          mountPath: /rw\n"
               "          recursiveReadOnly: Disabled\n"
               "          mountPropagation: HostToContainer\n"
               "        - name: data\n          mountPath: /e\n          subPath: ''\n"
               "          subPathExpr: e\n",
               init=f"  initContainers:\n    - name: i\n      image: {PAUSE}\n"
                    "      volumeMounts:\n        - name: data\n          mountPath: /data\n")
    assert api_findings(validator, tmp_path, text) == []


def test_volume_mount_may_name_a_claim_template(validator: Validator, tmp_path: Path) -> None:
    """A StatefulSet's Pods get a volume per claim template, beside the template's own."""
    text = ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n"
            "  serviceName: db\n  selector:\n    matchLabels:\n      app: db\n"
            "  template:\n    metadata:\n      labels:\n        app: db\n    spec:\n"
            "      volumes:\n        - name: conf\n          emptyDir: {}\n"
            f"      containers:\n        - name: db\n          image: {PAUSE}\n"
            "          volumeMounts:\n            - name: www\n              mountPath: /www\n"
            "            - name: conf\n              mountPath: /conf\n"
            "            - name: logs # <\n              mountPath: /logs\n"
            "  volumeClaimTemplates:\n    - metadata:\n        name: www\n      spec:\n"
            "        accessModes: [ReadWriteOnce]\n        resources:\n          requests:\n"
            "            storage: 1Gi\n")
    rejects(validator, tmp_path, text, "api-volume-mount",
            'spec.template.spec.containers[0].volumeMounts[2].name: Not found: "logs"')


def test_a_statefulset_without_claim_templates(validator: Validator, tmp_path: Path) -> None:
    text = workload("StatefulSet", "      volumes:\n        - name: conf\n          emptyDir: {}\n",
                    "          volumeMounts:\n            - name: conf\n"
                    "              mountPath: /conf\n            - name: www # <\n"
                    "              mountPath: /www\n", spec="  serviceName: w\n")
    rejects(validator, tmp_path, text, "api-volume-mount",
            'spec.template.spec.containers[0].volumeMounts[1].name: Not found: "www"')


def test_only_a_statefulset_adds_claim_volumes(validator: Validator, tmp_path: Path) -> None:
    text = workload("Deployment", "", "          volumeMounts:\n"
                    "            - name: www # <\n              mountPath: /www\n")
    rejects(validator, tmp_path, text, "api-volume-mount",
            'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "www"')


def test_a_pod_without_volumes_has_none_to_mount(validator: Validator, tmp_path: Path) -> None:
    """And every container is checked: here the init container mounts nothing."""
    text = pod("", "      volumeMounts:\n        - name: data # <\n          mountPath: /data\n",
               init=f"  initContainers:\n    - name: i\n      image: {PAUSE}\n")
    rejects(validator, tmp_path, text, "api-volume-mount",
            'spec.containers[0].volumeMounts[0].name: Not found: "data"')


M = "        - name: data\n          mountPath: /data\n"
C = "spec.containers[0].volumeMounts"


@pytest.mark.parametrize(("mounts", "expected"), [
    ("        - name: cache # <\n          mountPath: /cache\n",
     f'{C}[0].name: Not found: "cache"'),
    # Not ours: the API server also says 'Not found: ""' here
    ("        - name: '' # <\n          mountPath: /cache\n", f"{C}[0].name: Required value"),
    ("        - name: data\n          mountPath: '' # <\n", f"{C}[0].mountPath: Required value"),
    (M + "        - name: data\n          mountPath: /data # <\n",
     f'{C}[1].mountPath: Invalid value: "/data": must be unique'),
    (M + "          subPath: /etc # <\n",
     f'{C}[0].subPath: Invalid value: "/etc": must be a relative path'),
    (M + "          subPathExpr: /etc # <\n",
     f'{C}[0].subPathExpr: Invalid value: "/etc": must be a relative path'),
    (M + "          subPath: a/../../b # <\n",
     f"{C}[0].subPath: Invalid value: \"a/../../b\": must not contain '..'"),
    (M + "          subPathExpr: a/../b # <\n",
     f"{C}[0].subPathExpr: Invalid value: \"a/../b\": must not contain '..'"),
    (M + "          subPath: a\n          subPathExpr: b # <\n",
     f'{C}[0].subPathExpr: Invalid value: "b": subPathExpr and subPath are mutually exclusive'),
    (M + "          mountPropagation: Shared # <\n",
     f'{C}[0].mountPropagation: Unsupported value: "Shared": supported values: '
     '"Bidirectional", "HostToContainer", "None"'),
    (M + "          recursiveReadOnly: Enabled # <\n",
     f"{C}[0].recursiveReadOnly: Forbidden: may only be specified when readOnly is true"),
    (M + "          readOnly: false\n          recursiveReadOnly: IfPossible # <\n",
     f"{C}[0].recursiveReadOnly: Forbidden: may only be specified when readOnly is true"),
    (M + "          readOnly: true\n          recursiveReadOnly: Always # <\n",
     f'{C}[0].recursiveReadOnly: Unsupported value: "Always": supported values: '
     '"Disabled", "Enabled", "IfPossible"'),
])
def test_volume_mount_rejects(validator: Validator, tmp_path: Path, mounts: str,
                              expected: str) -> None:
    text = pod("  volumes:\n    - name: data\n      emptyDir: {}\n",
               f"      volumeMounts:\n{mounts}")
    rejects(validator, tmp_path, text, "api-volume-mount", expected)


def test_volume_mount_reports_every_mistake(validator: Validator, tmp_path: Path) -> None:
    text = pod("  volumes:\n    - name: data\n      emptyDir: {}\n",
               "      volumeMounts:\n        - name: cache # <\n          mountPath: /data\n"
               "        - name: data\n          mountPath: /data # <\n"
               "          subPath: /a # <\n          subPathExpr: /b # <2\n")
    rejects_all(validator, tmp_path, text, "api-volume-mount", [
        f'{C}[0].name: Not found: "cache"',
        f'{C}[1].mountPath: Invalid value: "/data": must be unique',
        f'{C}[1].subPath: Invalid value: "/a": must be a relative path',
        f'{C}[1].subPathExpr: Invalid value: "/b": must be a relative path',
        f'{C}[1].subPathExpr: Invalid value: "/b": subPathExpr and subPath are mutually '
        "exclusive",
    ])


# --- api-probe (validateProbe, validateHandler, validateLivenessProbe, ...) -------------------
def test_probe_accepts(validator: Validator, tmp_path: Path) -> None:
    """successThreshold 0 is defaulted to 1; a readinessProbe takes any; ports 1-65535."""
    text = pod("", "      ports:\n        - name: http\n          containerPort: 8080\n"
                   "      livenessProbe:\n        httpGet:\n          path: /healthz\n"
                   "          port: http\n        successThreshold: 1\n"
                   "        terminationGracePeriodSeconds: 1\n"
                   "      readinessProbe:\n        tcpSocket:\n          port: 8080\n"
                   "        successThreshold: 3\n        periodSeconds: 0\n"
                   "        initialDelaySeconds: 0\n        timeoutSeconds: 0\n"
                   "        failureThreshold: 0\n        exec: null\n"
                   "      startupProbe:\n        exec:\n          command: [\"true\"]\n"
                   "        failureThreshold: 30\n        successThreshold: 0\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize("handler", [
    "httpGet:\n          port: 1\n          scheme: HTTPS\n",
    "httpGet:\n          port: 65535\n          scheme: HTTP\n",
    "httpGet:\n          port: 8080\n          path: /\n",
    "tcpSocket:\n          port: 65535\n",
    "grpc:\n          port: 1\n",
    "grpc:\n          port: 65535\n        periodSeconds: 5\n",
])
def test_probe_handler_accepts(validator: Validator, tmp_path: Path, handler: str) -> None:
    text = pod("", f"      livenessProbe:\n        {handler}")
    assert api_findings(validator, tmp_path, text) == []


P = "spec.containers[0]"
BETWEEN = "must be between 1 and 65535, inclusive"


@pytest.mark.parametrize(("probe", "expected"), [
    ("      livenessProbe: # <\n        initialDelaySeconds: 5\n",
     f"{P}.livenessProbe: Required value: must specify a handler type"),
    ("      readinessProbe: # <\n        exec: null\n",
     f"{P}.readinessProbe: Required value: must specify a handler type"),
    ("      livenessProbe:\n        exec:\n          command: [\"true\"]\n"
     "        tcpSocket: # <\n          port: 8080\n",
     f"{P}.livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"),
    # Not ours: the API server also refuses grpc, each handler after the first
    ("      livenessProbe:\n        grpc:\n          port: 8080\n        exec:\n"
     "          command: [\"true\"]\n        httpGet: # <\n          port: 8080\n",
     f"{P}.livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type"),
    ("      livenessProbe:\n        tcpSocket:\n          port: 8080\n"
     "        successThreshold: 2 # <\n",
     f"{P}.livenessProbe.successThreshold: Invalid value: 2: must be 1"),
    ("      startupProbe:\n        tcpSocket:\n          port: 8080\n"
     "        successThreshold: 3 # <\n",
     f"{P}.startupProbe.successThreshold: Invalid value: 3: must be 1"),
    ("      readinessProbe:\n        tcpSocket:\n          port: 8080\n"
     "        periodSeconds: -1 # <\n",
     f"{P}.readinessProbe.periodSeconds: Invalid value: -1: "
     "must be greater than or equal to 0"),
    ("      livenessProbe:\n        grpc:\n          port: 8080\n"
     "        failureThreshold: -1 # <\n",
     f"{P}.livenessProbe.failureThreshold: Invalid value: -1: "
     "must be greater than or equal to 0"),
    # Not ours: the API server also says "must be greater than 0" for a 0 here
    ("      readinessProbe:\n        tcpSocket:\n          port: 8080\n"
     "        terminationGracePeriodSeconds: 10 # <\n",
     f"{P}.readinessProbe.terminationGracePeriodSeconds: Invalid value: 10: "
     "must not be set for readinessProbes"),
    ("      livenessProbe:\n        tcpSocket:\n          port: 8080\n"
     "        terminationGracePeriodSeconds: 0 # <\n",
     f"{P}.livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: "
     "must be greater than 0"),
    ("      startupProbe:\n        tcpSocket:\n          port: 8080\n"
     "        terminationGracePeriodSeconds: -1 # <\n",
     f"{P}.startupProbe.terminationGracePeriodSeconds: Invalid value: -1: "
     "must be greater than 0"),
    ("      readinessProbe:\n        httpGet:\n          port: 65536 # <\n",
     f"{P}.readinessProbe.httpGet.port: Invalid value: 65536: {BETWEEN}"),
    ("      readinessProbe:\n        tcpSocket:\n          port: 0 # <\n",
     f"{P}.readinessProbe.tcpSocket.port: Invalid value: 0: {BETWEEN}"),
    ("      readinessProbe:\n        grpc:\n          port: 0 # <\n",
     f"{P}.readinessProbe.grpc.port: Invalid value: 0: {BETWEEN}"),
    ("      readinessProbe:\n        grpc:\n          port: 65536 # <\n",
     f"{P}.readinessProbe.grpc.port: Invalid value: 65536: {BETWEEN}"),
    ("      readinessProbe:\n        httpGet:\n          port: 8080\n"
     "          scheme: FTP # <\n",
     f'{P}.readinessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: '
     '"HTTP", "HTTPS"'),
    ("      readinessProbe:\n        httpGet:\n          port: Web_Port # <\n",
     f'{P}.readinessProbe.httpGet.port: Invalid value: "Web_Port": '
     f'{first(is_valid_port_name, "Web_Port")}'),
    ("      readinessProbe:\n        tcpSocket:\n          port: web--port # <\n",
     f'{P}.readinessProbe.tcpSocket.port: Invalid value: "web--port": '
     f'{first(is_valid_port_name, "web--port")}'),
])
def test_probe_rejects(validator: Validator, tmp_path: Path, probe: str, expected: str) -> None:
    text = pod("", "      ports:\n        - containerPort: 8080\n" + probe)
    rejects(validator, tmp_path, text, "api-probe", expected)


def test_probe_reports_every_mistake(validator: Validator, tmp_path: Path) -> None:
    """Every count, in the order of the Go code, and each probe of the container."""
    text = pod("", "      livenessProbe:\n        tcpSocket:\n          port: 8080\n"
                   "        initialDelaySeconds: -1 # <\n        timeoutSeconds: -1 # <\n"
                   "        periodSeconds: -1 # <\n        successThreshold: -1 # <2\n"
                   "        failureThreshold: -1 # <\n"
                   "      readinessProbe:\n        httpGet:\n          port: '8080'\n"
                   "        periodSeconds: -2 # <\n"
                   "      startupProbe: # <\n        exec: null\n")
    less = "must be greater than or equal to 0"
    rejects_all(validator, tmp_path, text, "api-probe", [
        f"{P}.livenessProbe.initialDelaySeconds: Invalid value: -1: {less}",
        f"{P}.livenessProbe.timeoutSeconds: Invalid value: -1: {less}",
        f"{P}.livenessProbe.periodSeconds: Invalid value: -1: {less}",
        f"{P}.livenessProbe.successThreshold: Invalid value: -1: must be 1",
        f"{P}.livenessProbe.successThreshold: Invalid value: -1: {less}",
        f"{P}.livenessProbe.failureThreshold: Invalid value: -1: {less}",
        f"{P}.readinessProbe.periodSeconds: Invalid value: -2: {less}",
        f"{P}.startupProbe: Required value: must specify a handler type",
    ])


def test_probe_success_threshold_rules_hold_beside_other_mistakes(
        validator: Validator, tmp_path: Path) -> None:
    """A readinessProbe takes any successThreshold, and a 0 is defaulted to 1, in a probe
    that has some other mistake too."""
    text = pod("", "      readinessProbe:\n        tcpSocket:\n          port: 8080\n"
                   "        successThreshold: 3\n        periodSeconds: -1 # <\n"
                   "      livenessProbe:\n        tcpSocket:\n          port: 8080\n"
                   "        successThreshold: 0\n        timeoutSeconds: -1 # <\n")
    rejects_all(validator, tmp_path, text, "api-probe", [
        f"{P}.readinessProbe.periodSeconds: Invalid value: -1: "
        "must be greater than or equal to 0",
        f"{P}.livenessProbe.timeoutSeconds: Invalid value: -1: "
        "must be greater than or equal to 0",
    ])


def test_probe_on_a_plain_init_container_is_forbidden(validator: Validator,
                                                      tmp_path: Path) -> None:
    """validateInitContainers; a sidecar (restartPolicy: Always) takes probes, checked as
    an app container's are."""
    sidecar = (f"  initContainers:\n    - name: proxy\n      image: {PAUSE}\n"
               "      restartPolicy: Always\n      ports:\n        - containerPort: 15021\n"
               "      readinessProbe:\n        tcpSocket:\n          port: 15021\n"
               "      startupProbe:\n        tcpSocket:\n          port: 15021\n"
               "        successThreshold: 2 # <\n")
    rejects(validator, tmp_path, pod("", init=sidecar), "api-probe",
            "spec.initContainers[0].startupProbe.successThreshold: Invalid value: 2: must be 1")
    plain = (f"  initContainers:\n    - name: setup\n      image: {PAUSE}\n"
             "      ports:\n        - containerPort: 8080\n"
             "      livenessProbe: # <\n        tcpSocket:\n          port: 8080\n"
             "        successThreshold: 5\n"
             "      readinessProbe: # <\n        tcpSocket:\n          port: 8080\n"
             "      startupProbe: # <\n        tcpSocket:\n          port: 8080\n")
    forbidden = "Forbidden: may not be set for init containers without restartPolicy=Always"
    rejects_all(validator, tmp_path, pod("", init=plain), "api-probe", [
        f"spec.initContainers[0].livenessProbe: {forbidden}",
        f"spec.initContainers[0].readinessProbe: {forbidden}",
        f"spec.initContainers[0].startupProbe: {forbidden}",
    ])


# --- api-env (ValidateEnv, validateEnvVarValueFrom, ValidateEnvFrom) --------------------------
def test_env_accepts(validator: Validator, tmp_path: Path) -> None:
    """Names are relaxed (RelaxedEnvironmentVariableValidation, GA in 1.34): a leading digit
    or a space is fine in 1.35-1.37, and so is every printable ASCII character but '='."""
    text = pod("", "      env:\n        - name: MY_VAR\n          value: x\n"
                   "        - name: 1st var.name\n          value: z\n"
                   "        - name: ' ~!'\n          value: z\n"
                   "        - name: EMPTY\n          value: ''\n          valueFrom:\n"
                   "            fieldRef:\n              fieldPath: metadata.name\n"
                   "        - name: POD\n          valueFrom:\n            fieldRef:\n"
                   "              fieldPath: metadata.name\n              apiVersion: v1\n"
                   "        - name: HOST\n          valueFrom:\n            fieldRef:\n"
                   "              fieldPath: spec.host\n"
                   "        - name: APP\n          valueFrom:\n            fieldRef:\n"
                   "              fieldPath: metadata.labels['app']\n"
                   "        - name: NOTE\n          valueFrom:\n            fieldRef:\n"
                   "              fieldPath: metadata.annotations['note']\n"
                   "        - name: CPU\n          valueFrom:\n            resourceFieldRef:\n"
                   "              resource: limits.cpu\n"
                   "        - name: TOKEN\n          valueFrom:\n            secretKeyRef:\n"
                   "              name: creds\n              key: token.txt\n"
                   "        - name: CONF\n          valueFrom:\n            configMapKeyRef:\n"
                   "              name: settings\n              key: app_conf\n"
                   "      envFrom:\n        - prefix: APP_\n          configMapRef:\n"
                   "            name: settings\n"
                   "        - prefix: ''\n          secretRef:\n            name: creds\n"
                   "            optional: true\n")
    assert api_findings(validator, tmp_path, text) == []


E = "spec.containers[0].env[0]"
V = f"{E}.valueFrom"
FR = "      env:\n        - name: A\n          valueFrom:\n            fieldRef:\n"
ONE_OF = "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"
ENV_PATHS = ('"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", '
             '"spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", '
             '"status.podIPs"')


@pytest.mark.parametrize(("env", "expected"), [
    ("      env:\n        - name: A=B # <\n          value: x\n",
     f'{E}.name: Invalid value: "A=B": {RELAXED_ENV}'),
    ("      env:\n        - name: \"a\\tb\" # <\n          value: x\n",
     f'{E}.name: Invalid value: "a\\tb": {RELAXED_ENV}'),
    # Not ours: the API server also says 'Invalid value: "": environment variable name must
    # be non-empty' (IsRelaxedEnvVarName)
    ("      env:\n        - name: '' # <\n          value: x\n", f"{E}.name: Required value"),
    ("      env:\n        - name: A\n          valueFrom: {} # <\n",
     f'{V}: Invalid value: "": {ONE_OF}'),
    ("      env:\n        - name: A\n          value: x\n          valueFrom: {} # <\n",
     f'{V}: Invalid value: "": {ONE_OF}'),
    ("      env:\n        - name: A\n          value: x\n          valueFrom: # <\n"
     "            fieldRef:\n              fieldPath: metadata.name\n",
     f'{V}: Invalid value: "": may not be specified when `value` is not empty'),
    ("      env:\n        - name: A\n          value: x\n          valueFrom: # <\n"
     "            fileKeyRef:\n              path: a\n              key: k\n"
     "              volumeName: v\n",
     f'{V}: Invalid value: "": may not be specified when `value` is not empty'),
    ("      env:\n        - name: A\n          valueFrom: # <\n            fieldRef:\n"
     "              fieldPath: metadata.name\n            secretKeyRef:\n"
     "              name: s\n              key: k\n",
     f'{V}: Invalid value: "": may not have more than one field specified at a time'),
    ("      env:\n        - name: A\n          valueFrom: # <\n            resourceFieldRef:\n"
     "              resource: limits.cpu\n            configMapKeyRef:\n"
     "              name: c\n              key: k\n",
     f'{V}: Invalid value: "": may not have more than one field specified at a time'),
    (FR + "              fieldPath: status.phase # <\n",
     f'{V}.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: '
     f"{ENV_PATHS}"),
    (FR + "              fieldPath: metadata.annotations # <\n",
     f'{V}.fieldRef.fieldPath: Unsupported value: "metadata.annotations": supported values: '
     f"{ENV_PATHS}"),
    (FR + "              fieldPath: spec.hostname # <\n",
     f'{V}.fieldRef.fieldPath: Invalid value: "spec.hostname": error converting fieldPath: '
     "field label not supported: spec.hostname"),
    (FR + "              fieldPath: metadata.labels['a' # <\n",
     f"{V}.fieldRef.fieldPath: Invalid value: \"metadata.labels['a'\": error converting "
     "fieldPath: field label not supported: metadata.labels['a'"),
    (FR + "              fieldPath: \"['a']\" # <\n",
     f"{V}.fieldRef.fieldPath: Invalid value: \"['a']\": error converting fieldPath: "
     "field label not supported: ['a']"),
    (FR + "              fieldPath: spec.nodeName['a'] # <\n",
     f"{V}.fieldRef.fieldPath: Invalid value: \"spec.nodeName['a']\": error converting "
     "fieldPath: field label does not support subscript: spec.nodeName['a']"),
    (FR + "              fieldPath: metadata.name # <\n              apiVersion: v2\n",
     f'{V}.fieldRef.fieldPath: Invalid value: "metadata.name": error converting fieldPath: '
     "unsupported pod version: v2"),
    (FR + "              fieldPath: '' # <\n", f"{V}.fieldRef.fieldPath: Required value"),
    ("      env:\n        - name: A\n          valueFrom:\n            configMapKeyRef:\n"
     "              name: c\n              key: a/b # <\n",
     f'{V}.configMapKeyRef.key: Invalid value: "a/b": {first(is_config_map_key, "a/b")}'),
    ("      env:\n        - name: A\n          valueFrom:\n            secretKeyRef:\n"
     "              name: s\n              key: '..' # <\n",
     f'{V}.secretKeyRef.key: Invalid value: "..": {first(is_config_map_key, "..")}'),
    ("      env:\n        - name: A\n          valueFrom:\n            secretKeyRef:\n"
     "              name: ''\n              key: '' # <\n",
     f"{V}.secretKeyRef.key: Required value"),
    ("      env:\n        - name: A\n          valueFrom:\n            configMapKeyRef:\n"
     "              name: C_1 # <\n              key: k\n",
     f'{V}.configMapKeyRef.name: Invalid value: "C_1": {first(is_dns1123_subdomain, "C_1")}'),
    ("      envFrom:\n        - prefix: A= # <\n          secretRef:\n            name: s\n",
     f'spec.containers[0].envFrom[0].prefix: Invalid value: "A=": {RELAXED_ENV}'),
    ("      envFrom:\n        - configMapRef: # <\n            name: c\n"
     "          secretRef:\n            name: s\n",
     'spec.containers[0].envFrom[0]: Invalid value: "": '
     "may not have more than one field specified at a time"),
    ("      envFrom:\n        - prefix: P # <\n",
     'spec.containers[0].envFrom[0]: Invalid value: "": '
     "must specify one of: `configMapRef` or `secretRef`"),
    ("      envFrom:\n        - configMapRef:\n            name: '' # <\n",
     "spec.containers[0].envFrom[0].configMapRef.name: Required value"),
    ("      envFrom:\n        - configMapRef: {} # <\n",
     "spec.containers[0].envFrom[0].configMapRef.name: Required value"),
    ("      envFrom:\n        - secretRef:\n            name: S_1 # <\n",
     'spec.containers[0].envFrom[0].secretRef.name: Invalid value: "S_1": '
     f'{first(is_dns1123_subdomain, "S_1")}'),
])
def test_env_rejects(validator: Validator, tmp_path: Path, env: str, expected: str) -> None:
    rejects(validator, tmp_path, pod("", env), "api-env", expected)


def test_env_reports_every_mistake(validator: Validator, tmp_path: Path) -> None:
    """Each variable and source of each container, init containers first."""
    init = (f"  initContainers:\n    - name: i\n      image: {PAUSE}\n"
            "      env:\n        - name: A=1 # <\n          value: x\n")
    text = pod("", "      env:\n        - name: B\n          value: x\n"
                   "        - name: C=1 # <\n          valueFrom: # <\n"
                   "            secretKeyRef:\n              name: S # <\n"
                   "              key: k\n            configMapKeyRef:\n"
                   "              name: c\n              key: a/b # <\n"
                   "      envFrom:\n        - secretRef:\n            name: s\n"
                   "        - prefix: X= # <2\n          configMapRef:\n"
                   "            name: C # <\n          secretRef:\n            name: '' # <\n",
               init=init)
    env = "spec.containers[0].env[1]"
    env_from = "spec.containers[0].envFrom[1]"
    rejects_all(validator, tmp_path, text, "api-env", [
        f'spec.initContainers[0].env[0].name: Invalid value: "A=1": {RELAXED_ENV}',
        f'{env}.name: Invalid value: "C=1": {RELAXED_ENV}',
        f'{env}.valueFrom: Invalid value: "": may not have more than one field specified '
        "at a time",
        f'{env}.valueFrom.secretKeyRef.name: Invalid value: "S": '
        f'{first(is_dns1123_subdomain, "S")}',
        f'{env}.valueFrom.configMapKeyRef.key: Invalid value: "a/b": '
        f'{first(is_config_map_key, "a/b")}',
        # the item and its prefix start on one line: by message, "" before "X="
        f'{env_from}: Invalid value: "": may not have more than one field specified at a time',
        f'{env_from}.prefix: Invalid value: "X=": {RELAXED_ENV}',
        f'{env_from}.configMapRef.name: Invalid value: "C": {first(is_dns1123_subdomain, "C")}',
        f"{env_from}.secretRef.name: Required value",
    ])


def test_env_names_are_relaxed_in_every_release_validated() -> None:
    assert all(RELAXED_ENV_NAMES_BY_DEFAULT.values())
    assert env_name_errors is is_relaxed_env_var_name
    assert env_name_errors("1st") == [] and is_env_var_name("1st") != []


@pytest.mark.parametrize(("name", "errors"), [
    ("", ["environment variable name must be non-empty"]),
    (" ", []), ("~", []), ("a b=", [RELAXED_ENV]), ("\x7f", [RELAXED_ENV]),
    ("\x1f", [RELAXED_ENV]), ("é", [RELAXED_ENV]),
])
def test_relaxed_env_var_names(name: str, errors: list[str]) -> None:
    """validation.go IsRelaxedEnvVarName: printable ASCII (' ' to '~') without '='."""
    assert is_relaxed_env_var_name(name) == errors


STRICT_ENV = ("a valid environment variable name must consist of alphabetic characters, "
              "digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',"
              "  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is "
              "'[-._a-zA-Z][-._a-zA-Z0-9]*')")


@pytest.mark.parametrize(("name", "valid"), [
    ("MY_ENV.NAME", True), ("-a", True), ("_1", True), ("a-Z.9", True),
    ("-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", True),
    ("", False), ("1st", False), ("A B", False), ("A=B", False), ("é", False),
])
def test_strict_env_var_names(name: str, valid: bool) -> None:
    """validation.go IsEnvVarName, for a release where the relaxed rule is off."""
    assert is_env_var_name(name) == ([] if valid else [STRICT_ENV])


# --- api-pod-spec (ValidatePodSpec, ValidateTolerations, validateContainerCommon, ...) ------
def test_pod_spec_accepts(validator: Validator, tmp_path: Path) -> None:
    """activeDeadlineSeconds 1 and 2147483647 are the bounds; an empty string is unset."""
    text = pod("  restartPolicy: OnFailure\n  dnsPolicy: None\n  dnsConfig:\n"
               "    nameservers: [1.1.1.1]\n  activeDeadlineSeconds: 1\n"
               "  hostname: web-0\n  subdomain: web\n  serviceAccountName: build.bot\n"
               "  priorityClassName: ''\n"
               "  nodeSelector:\n    kubernetes.io/os: linux\n    empty: ''\n  tolerations:\n"
               "    - key: dedicated\n      operator: Equal\n      value: gpu\n"
               "      effect: NoSchedule\n    - operator: Exists\n"
               "    - key: node.kubernetes.io/unreachable\n      operator: Exists\n"
               "      effect: NoExecute\n      tolerationSeconds: 30\n"
               "    - key: k\n      effect: PreferNoSchedule\n"
               "    - key: k\n      operator: Lt\n      value: '5'\n"
               "    - key: k\n      operator: Gt\n      value: '5'\n",
               "      imagePullPolicy: IfNotPresent\n"
               "      terminationMessagePolicy: FallbackToLogsOnError\n"
               "      lifecycle:\n        preStop:\n          sleep:\n            seconds: 5\n"
               "        postStart:\n          httpGet:\n            port: 65535\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize("spec", [
    "  restartPolicy: Never\n  activeDeadlineSeconds: 2147483647\n  dnsPolicy: Default\n",
    "  restartPolicy: Always\n  dnsPolicy: ClusterFirstWithHostNet\n  hostname: ''\n",
    "  restartPolicy: ''\n  dnsPolicy: ClusterFirst\n  subdomain: ''\n",
    "  dnsPolicy: ''\n  serviceAccountName: ''\n  priorityClassName: system-node-critical\n",
])
def test_pod_spec_values_accepted(validator: Validator, tmp_path: Path, spec: str) -> None:
    assert api_findings(validator, tmp_path, pod(spec)) == []


@pytest.mark.parametrize("container", [
    "      imagePullPolicy: Always\n      terminationMessagePolicy: File\n",
    "      imagePullPolicy: Never\n      terminationMessagePolicy: ''\n",
    "      imagePullPolicy: ''\n",
    "      lifecycle:\n        postStart:\n          tcpSocket:\n            port: 1\n",
    "      lifecycle:\n        postStart:\n          tcpSocket:\n            port: http\n",
])
def test_container_fields_accepted(validator: Validator, tmp_path: Path,
                                   container: str) -> None:
    assert api_findings(validator, tmp_path, pod("", container)) == []


TOLERATION_KEY = first(is_label_key, "bad key")
TOLERATION_VALUE = first(is_label_value, "bad value")


@pytest.mark.parametrize(("spec", "container", "expected"), [
    ("  restartPolicy: Sometimes # <\n", "",
     'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", '
     '"OnFailure", "Never"'),
    ("  dnsPolicy: ClusterLast # <\n", "",
     'spec.dnsPolicy: Unsupported value: "ClusterLast": supported values: '
     '"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'),
    ("  dnsPolicy: None # <\n", "",
     "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"),
    ("  activeDeadlineSeconds: 0 # <\n", "",
     "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, "
     "inclusive"),
    ("  activeDeadlineSeconds: 2147483648 # <\n", "",
     "spec.activeDeadlineSeconds: Invalid value: 2147483648: must be between 1 and "
     "2147483647, inclusive"),
    ("  hostname: web.0 # <\n", "",
     f'spec.hostname: Invalid value: "web.0": {first(is_dns1123_label, "web.0")}'),
    ("  subdomain: Web # <\n", "",
     f'spec.subdomain: Invalid value: "Web": {first(is_dns1123_label, "Web")}'),
    ("  serviceAccountName: Build_Bot # <\n", "",
     f'spec.serviceAccountName: Invalid value: "Build_Bot": '
     f'{first(is_dns1123_subdomain, "Build_Bot")}'),
    ("  priorityClassName: High_Prio # <\n", "",
     f'spec.priorityClassName: Invalid value: "High_Prio": '
     f'{first(is_dns1123_subdomain, "High_Prio")}'),
    # The API server names spec.nodeSelector; the finding points at the offending key
    ("  nodeSelector:\n    disk: fast ssd # <\n", "",
     f'spec.nodeSelector.disk: Invalid value: "fast ssd": {first(is_label_value, "fast ssd")}'),
    ("  nodeSelector:\n    bad key: ssd # <\n", "",
     f'spec.nodeSelector.bad key: Invalid value: "bad key": {TOLERATION_KEY}'),
    # Not ours: Go prints the toleration as a Go struct, core.Toleration{Key:"dedicated", ...}
    ("  tolerations:\n    - key: dedicated\n      operator: Exists # <\n      value: gpu\n",
     "", 'spec.tolerations[0].operator: Invalid value: {"key": "dedicated", "operator": '
         '"Exists", "value": "gpu"}: value must be empty when `operator` is \'Exists\''),
    ("  tolerations:\n    - operator: Equal # <\n      value: gpu\n", "",
     'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when '
     '`key` is empty, which means "match all values and all keys"'),
    ("  tolerations:\n    - value: gpu # <\n", "",
     'spec.tolerations[0].operator: Invalid value: "": operator must be Exists when '
     '`key` is empty, which means "match all values and all keys"'),
    ("  tolerations:\n    - key: k\n      operator: Exists\n      effect: NoSchedule # <\n"
     "      tolerationSeconds: 30\n", "",
     'spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' '
     "when `tolerationSeconds` is set"),
    ("  tolerations:\n    - key: k # <\n      operator: Exists\n      tolerationSeconds: 30\n",
     "", 'spec.tolerations[0].effect: Invalid value: "": effect must be \'NoExecute\' when '
         "`tolerationSeconds` is set"),
    ("  tolerations:\n    - key: k\n      operator: Exists\n      effect: Evict # <\n", "",
     'spec.tolerations[0].effect: Unsupported value: "Evict": supported values: '
     '"NoSchedule", "PreferNoSchedule", "NoExecute"'),
    ("  tolerations:\n    - key: bad key # <\n      operator: Exists\n", "",
     f'spec.tolerations[0].key: Invalid value: "bad key": {TOLERATION_KEY}'),
    ("  tolerations:\n    - key: k\n      operator: In # <\n      value: v\n", "",
     'spec.tolerations[0].operator: Unsupported value: "In": supported values: "Equal", '
     '"Exists"'),
    ("  tolerations:\n    - key: k\n      operator: Equal # <\n      value: bad value\n", "",
     f'spec.tolerations[0].operator: Invalid value: "bad value": {TOLERATION_VALUE}'),
    ("  tolerations:\n    - key: k # <\n      value: bad value\n", "",
     f'spec.tolerations[0].operator: Invalid value: "bad value": {TOLERATION_VALUE}'),
    ("", "      imagePullPolicy: Sometimes # <\n",
     'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: '
     '"Always", "IfNotPresent", "Never"'),
    ("", "      terminationMessagePolicy: Never # <\n",
     'spec.containers[0].terminationMessagePolicy: Unsupported value: "Never": supported '
     'values: "File", "FallbackToLogsOnError"'),
    ("", "      lifecycle:\n        postStart:\n          exec:\n            command: [a]\n"
     "          sleep: # <\n            seconds: 1\n",
     "spec.containers[0].lifecycle.postStart.sleep: Forbidden: may not specify more than 1 "
     "handler type"),
    ("", "      lifecycle:\n        preStop:\n          httpGet:\n            port: 80\n"
     "          tcpSocket: # <\n            port: 80\n",
     "spec.containers[0].lifecycle.preStop.tcpSocket: Forbidden: may not specify more than "
     "1 handler type"),
    ("", "      lifecycle:\n        preStop: {} # <\n",
     "spec.containers[0].lifecycle.preStop: Required value: must specify a handler type"),
    ("", "      lifecycle:\n        preStop:\n          httpGet:\n            port: Web_Port # <\n",
     'spec.containers[0].lifecycle.preStop.httpGet.port: Invalid value: "Web_Port": '
     f'{first(is_valid_port_name, "Web_Port")}'),
    # no cross-reference rule reads a hook's port: a quoted number is reported here
    ("", "      lifecycle:\n        postStart:\n          tcpSocket:\n"
     "            port: '8080' # <\n",
     'spec.containers[0].lifecycle.postStart.tcpSocket.port: Invalid value: "8080": '
     f'{first(is_valid_port_name, "8080")}'),
    ("", "      lifecycle:\n        postStart:\n          tcpSocket:\n            port: 0 # <\n",
     "spec.containers[0].lifecycle.postStart.tcpSocket.port: Invalid value: 0: "
     f"{BETWEEN}"),
    ("", "      lifecycle:\n        postStart:\n          httpGet:\n            port: 65536 # <\n",
     "spec.containers[0].lifecycle.postStart.httpGet.port: Invalid value: 65536: "
     f"{BETWEEN}"),
])
def test_pod_spec_rejects(validator: Validator, tmp_path: Path, spec: str, container: str,
                          expected: str) -> None:
    rejects(validator, tmp_path, pod(spec, container), "api-pod-spec", expected)


def test_toleration_value_errors_are_joined(validator: Validator, tmp_path: Path) -> None:
    """ValidateTolerations joins IsValidLabelValue's details with ';' in one finding."""
    value = "a " + "b" * 62
    text = pod(f"  tolerations:\n    - key: k\n      operator: Equal # <\n      value: {value}\n")
    rejects(validator, tmp_path, text, "api-pod-spec",
            f'spec.tolerations[0].operator: Invalid value: "{value}": '
            + ";".join(is_label_value(value)))
    assert len(is_label_value(value)) == 2


def test_pod_spec_reports_every_mistake(validator: Validator, tmp_path: Path) -> None:
    """Each field, node selector entry, toleration and container (init containers first)."""
    init = (f"  initContainers:\n    - name: i\n      image: {PAUSE}\n"
            "      imagePullPolicy: Sometimes # <\n")
    text = pod("  nodeSelector:\n    ok: fine\n    bad key: bad value # <2\n"
               "  tolerations:\n    - operator: Exists\n    - key: k\n      operator: Foo # <\n"
               "      effect: Evict # <\n",
               "      terminationMessagePolicy: Never # <\n      lifecycle:\n"
               "        postStart: {} # <\n        preStop: {} # <\n",
               init=init)
    rejects_all(validator, tmp_path, text, "api-pod-spec", [
        f'spec.nodeSelector.bad key: Invalid value: "bad key": {TOLERATION_KEY}',
        f'spec.nodeSelector.bad key: Invalid value: "bad value": {TOLERATION_VALUE}',
        'spec.tolerations[1].operator: Unsupported value: "Foo": supported values: "Equal", '
        '"Exists"',
        'spec.tolerations[1].effect: Unsupported value: "Evict": supported values: '
        '"NoSchedule", "PreferNoSchedule", "NoExecute"',
        'spec.initContainers[0].imagePullPolicy: Unsupported value: "Sometimes": supported '
        'values: "Always", "IfNotPresent", "Never"',
        'spec.containers[0].terminationMessagePolicy: Unsupported value: "Never": supported '
        'values: "File", "FallbackToLogsOnError"',
        "spec.containers[0].lifecycle.postStart: Required value: must specify a handler type",
        "spec.containers[0].lifecycle.preStop: Required value: must specify a handler type",
    ])


@pytest.mark.parametrize(("kind", "owner"), [
    ("Deployment", "ReplicaSet"), ("ReplicaSet", "ReplicaSet"), ("DaemonSet", "DaemonSet"),
    ("StatefulSet", "StatefulSet"),
])
def test_workload_templates_take_no_active_deadline(validator: Validator, tmp_path: Path,
                                                    kind: str, owner: str) -> None:
    """apps/validation: any activeDeadlineSeconds, even a valid one."""
    spec = "  serviceName: w\n" if kind == "StatefulSet" else ""
    text = workload(kind, "      activeDeadlineSeconds: 60 # <\n", spec=spec)
    rejects(validator, tmp_path, text, "api-pod-spec",
            "spec.template.spec.activeDeadlineSeconds: Invalid value: 60: "
            f"activeDeadlineSeconds in {owner} is not Supported")


def test_a_job_template_takes_a_valid_active_deadline(validator: Validator,
                                                      tmp_path: Path) -> None:
    """A Job's pods may have a deadline; its template is checked as a Pod's spec, except
    its restartPolicy (api-job's)."""
    pod_spec = "      restartPolicy: Never\n      activeDeadlineSeconds: {} # <\n"
    text = workload("Job", pod_spec.format(60).replace(" # <", ""), api_version="batch/v1")
    assert api_findings(validator, tmp_path, text) == []
    rejects(validator, tmp_path, workload("Job", pod_spec.format(0), api_version="batch/v1"),
            "api-pod-spec", "spec.template.spec.activeDeadlineSeconds: Invalid value: 0: "
            "must be between 1 and 2147483647, inclusive")
    text = workload("Job", "      restartPolicy: Sometimes\n", api_version="batch/v1")
    assert [f.rule for f in api_findings(validator, tmp_path, text)] == ["api-job"]


def test_workload_templates_are_checked(validator: Validator, tmp_path: Path) -> None:
    text = workload("Deployment", "      dnsPolicy: Bad # <\n",
                    "          imagePullPolicy: Bad # <\n")
    rejects_all(validator, tmp_path, text, "api-pod-spec", [
        'spec.template.spec.dnsPolicy: Unsupported value: "Bad": supported values: '
        '"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
        'spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "Bad": '
        'supported values: "Always", "IfNotPresent", "Never"',
    ])


def test_kinds_without_a_pod_spec_are_skipped(validator: Validator, tmp_path: Path) -> None:
    """A ConfigMap holding pod-spec-like data is no pod; the Pod after it is still checked."""
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n"
            "  dnsPolicy: Bad\n---\n" + pod("  dnsPolicy: Bad # <\n"))
    rejects(validator, tmp_path, text, "api-pod-spec",
            'spec.dnsPolicy: Unsupported value: "Bad": supported values: '
            '"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"')


# --- api-service-type (ValidateService, validateServiceExternalTrafficPolicy) -----------------
@pytest.mark.parametrize("spec", [
    "  ports:\n    - port: 80\n",
    "  clusterIP: None\n  selector:\n    app: db\n",  # headless: ports optional
    "  type: ExternalName\n  externalName: db.example.com.\n",
    "  type: NodePort\n  externalTrafficPolicy: Local\n  ports:\n"
    "    - port: 80\n      nodePort: 30080\n",
    "  type: LoadBalancer\n  loadBalancerSourceRanges: [10.0.0.0/8]\n"
    "  ports:\n    - port: 443\n",
    "  externalIPs: [192.0.2.10]\n  externalTrafficPolicy: Cluster\n  ports:\n    - port: 80\n",
])
def test_service_type_accepts(validator: Validator, tmp_path: Path, spec: str) -> None:
    assert api_findings(validator, tmp_path, service(spec)) == []


@pytest.mark.parametrize(("spec", "expected"), [
    ("  type: ClusterIP # <\n", "spec.ports: Required value"),
    # Not ours: the API server names spec.clusterIPs[0] (clusterIPs is defaulted from it)
    ("  type: NodePort\n  clusterIP: None # <\n  ports:\n    - port: 80\n",
     "spec.clusterIP: Invalid value: \"None\": may not be set to 'None' for NodePort services"),
    ("  type: ExternalName # <\n", "spec.externalName: Required value"),
    ("  type: ExternalName\n  externalName: db_primary # <\n",
     'spec.externalName: Invalid value: "db_primary": '
     f'{first(is_dns1123_subdomain, "db_primary")}'),
    ("  type: ExternalName\n  externalName: db.example.com\n  clusterIP: 10.0.0.1 # <\n",
     "spec.clusterIP: Forbidden: may not be set for ExternalName services"),
    ("  ports:\n    - port: 80\n      nodePort: 30080 # <\n",
     "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
    ("  type: NodePort\n  ports:\n    - port: 80\n      nodePort: 8080 # <\n",
     "spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. "
     "The range of valid ports is 30000-32767"),
    ("  externalTrafficPolicy: Local # <\n  ports:\n    - port: 80\n",
     'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for '
     "externally-accessible services"),
    ("  type: NodePort\n  loadBalancerClass: example.com/lb # <\n  ports:\n    - port: 80\n",
     "spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"),
])
def test_service_type_rejects(validator: Validator, tmp_path: Path, spec: str,
                              expected: str) -> None:
    rejects(validator, tmp_path, service(spec), "api-service-type", expected)


# --- api-service-value (ValidateService, validateServicePort, validateClientIPAffinityConfig) -
def test_service_value_accepts(validator: Validator, tmp_path: Path) -> None:
    text = service("  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n"
                   "      timeoutSeconds: 600\n  internalTrafficPolicy: Local\n"
                   "  clusterIP: 10.96.0.20\n  ipFamilyPolicy: SingleStack\n"
                   "  ipFamilies: [IPv4]\n  ports:\n"
                   "    - name: dns\n      port: 53\n      protocol: UDP\n"
                   "    - name: dns-tcp\n      port: 53\n      protocol: TCP\n"
                   "      targetPort: dns-tcp\n      appProtocol: kubernetes.io/h2c\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("spec", "expected"), [
    ("  type: Internal # <\n  ports:\n    - port: 80\n",
     'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", '
     '"ExternalName", "LoadBalancer", "NodePort"'),
    ("  ports:\n    - port: 80\n      protocol: HTTP # <\n",
     'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", '
     '"UDP"'),
    ("  sessionAffinity: Sticky # <\n  ports:\n    - port: 80\n",
     'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", '
     '"None"'),
    ("  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n"
     "      timeoutSeconds: 0 # <\n  ports:\n    - port: 80\n",
     "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater "
     "than 0 and less than 86400"),
    ("  sessionAffinityConfig: # <\n    clientIP:\n      timeoutSeconds: 60\n"
     "  ports:\n    - port: 80\n",
     "spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None"),
    ("  ports:\n    - name: a\n      port: 80\n    - name: b # <\n      port: 80\n",
     'spec.ports[1]: Duplicate value: "80/TCP"'),
    ("  ports:\n    - port: 80\n      targetPort: 70000 # <\n",
     f"spec.ports[0].targetPort: Invalid value: 70000: {BETWEEN}"),
    ("  ports:\n    - port: 80\n      targetPort: '8080' # <\n",
     'spec.ports[0].targetPort: Invalid value: "8080": '
     f'{first(is_valid_port_name, "8080")}'),
    ("  clusterIP: 10.0.0.300 # <\n  ports:\n    - port: 80\n",
     "spec.clusterIP: Invalid value: \"10.0.0.300\": must be empty, 'None', or a valid IP "
     "address"),
    # The API server names spec.selector; the finding points at the offending key
    ("  selector:\n    app: has spaces # <\n  ports:\n    - port: 80\n",
     'spec.selector.app: Invalid value: "has spaces": '
     f'{first(is_label_value, "has spaces")}'),
    ("  ipFamilyPolicy: DualStack # <\n  ports:\n    - port: 80\n",
     'spec.ipFamilyPolicy: Unsupported value: "DualStack": supported values: '
     '"PreferDualStack", "RequireDualStack", "SingleStack"'),
    ("  ipFamilies:\n    - IPv5 # <\n  ports:\n    - port: 80\n",
     'spec.ipFamilies[0]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"'),
    ("  ports:\n    - port: 80\n      appProtocol: kubernetes.io/h2c/tls # <\n",
     'spec.ports[0].appProtocol: Invalid value: "kubernetes.io/h2c/tls": '
     f'{first(is_label_key, "kubernetes.io/h2c/tls")}'),
])
def test_service_value_rejects(validator: Validator, tmp_path: Path, spec: str,
                               expected: str) -> None:
    rejects(validator, tmp_path, service(spec), "api-service-value", expected)


# --- one finding per mistake: a letterless port name is explained by the cross-reference rules
def test_a_letterless_probe_port_is_reported_once(validator: Validator, tmp_path: Path) -> None:
    """IsValidPortName refuses "8080" (no letter); probe-port already says so, with the fix."""
    text = pod("", "      ports:\n        - containerPort: 8080\n"
                   "      readinessProbe:\n        tcpSocket:\n          port: '8080'\n"
                   "      livenessProbe:\n        httpGet:\n          port: '8080'\n"
                   "          scheme: HTTPS\n")
    (tmp_path / "case.yaml").write_text(text, encoding="utf-8")
    assert [f.rule for f in validator.run([tmp_path]).findings] == ["probe-port"] * 2


def test_a_letterless_target_port_is_reported_once(validator: Validator, tmp_path: Path) -> None:
    """service-target-port explains a quoted "8080" of a Service that selects pods; a Service
    without a selector gets api-service-value (test_service_value_rejects)."""
    text = (service("  selector:\n    app: web\n  ports:\n    - port: 80\n"
                    "      targetPort: '8080'\n")
            + "---\n" + pod("", "      ports:\n        - containerPort: 8080\n")
            .replace("  name: p\n", "  name: p\n  labels:\n    app: web\n"))
    (tmp_path / "case.yaml").write_text(text, encoding="utf-8")
    assert [f.rule for f in validator.run([tmp_path]).findings] == ["service-target-port"]
