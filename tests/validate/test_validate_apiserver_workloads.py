"""The API server's validation of workloads and the other kinds
(rules/apiserver_workloads.py, rules/apiserver_other.py): accepted and rejected manifests
per rule, shaped like the cases of the Go tests they port. A rejected case marks the line
the finding must point at with `# <`; each is checked for its rule id, that line and the
API server's kind of error."""

from __future__ import annotations

from pathlib import Path

import pytest
from apiserver_cases import PAUSE, api_findings, rejects

from deepdive.validate.engine import Validator


def workload(kind: str, spec: str = "", pod_spec: str = "", selector: str = "") -> str:
    """An apps/v1 workload named w; `spec` and `selector` lines are indented by 2 and 4."""
    selector = selector or "    matchLabels:\n      app: w\n"
    return (f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: w\nspec:\n{spec}"
            f"  selector:\n{selector}"
            "  template:\n    metadata:\n      labels:\n        app: w\n"
            f"    spec:\n{pod_spec}      containers:\n        - name: c\n"
            f"          image: {PAUSE}\n")


def job(spec: str = "", pod_spec: str = "      restartPolicy: Never\n") -> str:
    return (f"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n{spec}"
            f"  template:\n    spec:\n{pod_spec}      containers:\n        - name: c\n"
            f"          image: {PAUSE}\n")


def cronjob(spec: str = "  schedule: '*/5 * * * *'\n", job_spec: str = "",
            pod_spec: str = "          restartPolicy: OnFailure\n", name: str = "cj") -> str:
    return (f"apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {name}\nspec:\n{spec}"
            f"  jobTemplate:\n    spec:\n{job_spec}      template:\n        spec:\n{pod_spec}"
            f"          containers:\n            - name: c\n              image: {PAUSE}\n")


def resource(api_version: str, kind: str, body: str, name: str = "x") -> str:
    return f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {name}\n{body}"


# --- api-selector (ValidateLabelSelector, ValidateGeneratedSelector, ValidateJobTemplateSpec) -
@pytest.mark.parametrize("text", [
    workload("Deployment", selector="    matchExpressions:\n      - key: app\n"
                                    "        operator: In\n        values: [w]\n"),
    job("  manualSelector: true\n  selector:\n    matchLabels:\n      app: j\n",
        "      restartPolicy: Never\n").replace("  template:\n", "  template:\n    metadata:\n"
                                                "      labels:\n        app: j\n"),
    job(),
])
def test_selector_accepts(validator: Validator, tmp_path: Path, text: str) -> None:
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("text", "kind"), [
    (workload("Deployment", selector="    matchLabels:\n      app: w\n    matchExpressions:\n"
                                     "      - key: tier # <\n        operator: In\n"), "Required"),
    (workload("Deployment", selector="    matchLabels:\n      app: w\n    matchExpressions:\n"
                                     "      - key: tier\n        operator: Exists\n"
                                     "        values: [web] # <\n"), "Forbidden"),
    (workload("DaemonSet", selector="    matchLabels:\n      app: w\n    matchExpressions:\n"
                                    "      - key: tier\n        operator: Equals # <\n"
                                    "        values: [web]\n"), "Invalid value"),
    (job("  selector: # <\n    matchLabels:\n      app: j\n"), "Invalid value"),
    (cronjob(job_spec="      selector: # <\n        matchLabels:\n          app: j\n"),
     "Invalid value"),
])
def test_selector_rejects(validator: Validator, tmp_path: Path, text: str, kind: str) -> None:
    rejects(validator, tmp_path, text, "api-selector", kind)


# --- api-rollout (ValidateDeploymentSpec, ValidateDeploymentStrategy,
# ValidateRollingUpdateDeployment, ValidateRollingUpdateDaemonSet) -------------------------------
@pytest.mark.parametrize("text", [
    workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: 0\n"
                           "      maxUnavailable: 1\n"),
    workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: 50%\n"
                           "      maxUnavailable: 0\n"),
    workload("Deployment", "  strategy:\n    type: Recreate\n"),
    workload("Deployment", "  minReadySeconds: 10\n  progressDeadlineSeconds: 60\n"
                           "  revisionHistoryLimit: 0\n"),
    workload("DaemonSet", "  updateStrategy:\n    rollingUpdate:\n      maxSurge: 1\n"
                          "      maxUnavailable: 0\n"),
    workload("DaemonSet", "  updateStrategy:\n    type: OnDelete\n"),
])
def test_rollout_accepts(validator: Validator, tmp_path: Path, text: str) -> None:
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("text", "kind"), [
    (workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: 0\n"
                            "      maxUnavailable: 0 # <\n"),
     "Invalid value: 0: may not be 0 when `maxSurge` is 0"),
    (workload("Deployment", "  strategy:\n    rollingUpdate:\n"
                            "      maxUnavailable: 150% # <\n"), "Invalid value"),
    (workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: '10' # <\n"),
     "Invalid value"),
    (workload("Deployment", "  strategy:\n    type: Recreate\n    rollingUpdate: # <\n"
                            "      maxSurge: 1\n"), "Forbidden"),
    (workload("ReplicaSet", "  minReadySeconds: -1 # <\n"), "Invalid value: -1"),
    (workload("Deployment", "  revisionHistoryLimit: -1 # <\n"), "Invalid value: -1"),
    (workload("Deployment", "  minReadySeconds: 30\n  progressDeadlineSeconds: 10 # <\n"),
     "Invalid value: 10: must be greater than minReadySeconds"),
    (workload("Deployment", "  minReadySeconds: 600 # <\n"), "Invalid value: 600"),
    (workload("DaemonSet", "  updateStrategy:\n    rollingUpdate:\n      maxSurge: 1 # <\n"),
     "Invalid value: 1: may not be set when maxUnavailable is non-zero"),
    (workload("DaemonSet", "  updateStrategy:\n    rollingUpdate:\n"
                           "      maxUnavailable: 0 # <\n"), "Required value"),
])
def test_rollout_rejects(validator: Validator, tmp_path: Path, text: str, kind: str) -> None:
    rejects(validator, tmp_path, text, "api-rollout", kind)


# --- api-statefulset (ValidateStatefulSetSpec) ------------------------------------------------
@pytest.mark.parametrize("spec", [
    "  serviceName: web\n  podManagementPolicy: Parallel\n  updateStrategy:\n"
    "    rollingUpdate:\n      partition: 0\n",
    "  updateStrategy:\n    type: OnDelete\n  persistentVolumeClaimRetentionPolicy:\n"
    "    whenDeleted: Delete\n    whenScaled: Retain\n",
])
def test_statefulset_accepts(validator: Validator, tmp_path: Path, spec: str) -> None:
    assert api_findings(validator, tmp_path, workload("StatefulSet", spec)) == []


@pytest.mark.parametrize(("spec", "kind"), [
    ("  serviceName: web.svc # <\n", "Invalid value"),
    ("  podManagementPolicy: Random # <\n", "Invalid value"),
    ("  updateStrategy:\n    type: Blue # <\n", "Invalid value"),
    ("  updateStrategy:\n    type: OnDelete\n    rollingUpdate: # <\n      partition: 1\n",
     "Invalid value"),
    ("  updateStrategy:\n    rollingUpdate:\n      partition: -1 # <\n", "Invalid value: -1"),
    ("  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: Keep # <\n",
     "Unsupported value"),
])
def test_statefulset_rejects(validator: Validator, tmp_path: Path, spec: str, kind: str) -> None:
    rejects(validator, tmp_path, workload("StatefulSet", spec), "api-statefulset", kind)


# --- api-job (validateJobSpec) ----------------------------------------------------------------
@pytest.mark.parametrize("text", [
    job("  completions: 3\n  parallelism: 2\n  backoffLimit: 0\n"),
    job("  completionMode: Indexed\n  completions: 5\n  backoffLimitPerIndex: 1\n"
        "  maxFailedIndexes: 2\n", "      restartPolicy: OnFailure\n"),
    cronjob(),
])
def test_job_accepts(validator: Validator, tmp_path: Path, text: str) -> None:
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("text", "kind"), [
    (job(pod_spec="").replace("      containers:\n", "      containers: # <\n"),
     'Unsupported value: "Always": supported values: "OnFailure", "Never"'),
    (job(pod_spec="      restartPolicy: Always # <\n"), "Unsupported value"),
    (job("  completions: -1 # <\n"), "Invalid value: -1"),
    (job("  completionMode: Ordered # <\n"), "Unsupported value"),
    (job("  completionMode: Indexed # <\n"), "Required value"),
    (job("  backoffLimitPerIndex: 1 # <\n"), "Invalid value"),
    (cronjob(pod_spec="          restartPolicy: Always # <\n"), "Unsupported value"),
])
def test_job_rejects(validator: Validator, tmp_path: Path, text: str, kind: str) -> None:
    rejects(validator, tmp_path, text, "api-job", kind)


# --- api-cronjob (ValidateCronJobSpec, validateScheduleFormat, validateTimeZone) --------------
@pytest.mark.parametrize("spec", [
    "  schedule: '0 3 * * mon-fri'\n  timeZone: Europe/Paris\n  concurrencyPolicy: Forbid\n",
    "  schedule: '@hourly'\n  successfulJobsHistoryLimit: 0\n",
    "  schedule: '15 2 1 jan,jul *'\n",
    "  schedule: '*/10 8-18/2 * * 0'\n  timeZone: UTC\n",
    "  schedule: '@every 1h30m'\n",
])
def test_cronjob_accepts(validator: Validator, tmp_path: Path, spec: str) -> None:
    assert api_findings(validator, tmp_path, cronjob(spec)) == []


@pytest.mark.parametrize(("spec", "kind"), [
    ("  schedule: '* * * *' # <\n", "Invalid value"),
    ("  schedule: '60 * * * *' # <\n", "Invalid value"),
    ("  schedule: '0 0 * * 7' # <\n", "Invalid value"),
    ("  schedule: '@fortnightly' # <\n", "Invalid value"),
    ("  schedule: 'CRON_TZ=UTC 0 * * * *' # <\n", "Invalid value"),
    ("  schedule: '0 * * * *'\n  timeZone: Mars/Olympus_Mons # <\n", "Invalid value"),
    ("  schedule: '0 * * * *'\n  timeZone: Local # <\n", "Invalid value"),
    ("  schedule: '0 * * * *'\n  concurrencyPolicy: Sometimes # <\n", "Unsupported value"),
    ("  schedule: '0 * * * *'\n  failedJobsHistoryLimit: -1 # <\n", "Invalid value: -1"),
])
def test_cronjob_rejects(validator: Validator, tmp_path: Path, spec: str, kind: str) -> None:
    rejects(validator, tmp_path, cronjob(spec), "api-cronjob", kind)


def test_cronjob_name_is_at_most_52_characters(validator: Validator, tmp_path: Path) -> None:
    assert api_findings(validator, tmp_path, cronjob(name="c" * 52)) == []
    text = cronjob(name="c" * 53).replace(f"name: {'c' * 53}", f"name: {'c' * 53} # <")
    rejects(validator, tmp_path, text, "api-cronjob", "Invalid value")


# --- api-config-data (ValidateConfigMap, ValidateSecret) --------------------------------------
@pytest.mark.parametrize("text", [
    resource("v1", "ConfigMap", "data:\n  app.properties: a=1\n  KEY_1: x\n  -x: v\n"
                                "binaryData:\n  logo.png: aGVsbG8=\n"),
    resource("v1", "Secret", "type: kubernetes.io/tls\nstringData:\n  tls.crt: c\n"
                             "data:\n  tls.key: a2V5\n"),
    resource("v1", "Secret", "type: kubernetes.io/basic-auth\nstringData:\n  username: u\n"),
])
def test_config_data_accepts(validator: Validator, tmp_path: Path, text: str) -> None:
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("text", "kind"), [
    (resource("v1", "ConfigMap", "data:\n  a/b: x # <\n"), "Invalid value"),
    (resource("v1", "ConfigMap", "data:\n  ..data: x # <\n"), "Invalid value"),
    (resource("v1", "ConfigMap", "data:\n  k: x # <\nbinaryData:\n  k: eA==\n"),
     "Invalid value"),
    (resource("v1", "Secret", "type: kubernetes.io/tls\ndata:\n  tls.crt: Yw== # <\n"),
     "Required value"),
    (resource("v1", "Secret", "type: kubernetes.io/dockerconfigjson\nstringData:\n"
                              "  .dockerconfigjson: '{not json' # <\n"), "Invalid value"),
    (resource("v1", "Secret", "type: kubernetes.io/service-account-token\n")
     .replace("  name: x\n", "  name: x # <\n"), "Required value"),
])
def test_config_data_rejects(validator: Validator, tmp_path: Path, text: str, kind: str) -> None:
    rejects(validator, tmp_path, text, "api-config-data", kind)


# --- api-pvc (ValidatePersistentVolumeClaimSpec) ----------------------------------------------
def claim(spec: str) -> str:
    return resource("v1", "PersistentVolumeClaim", f"spec:\n{spec}")


STORAGE = "  resources:\n    requests:\n      storage: 1Gi\n"


def test_pvc_accepts(validator: Validator, tmp_path: Path) -> None:
    text = claim("  accessModes: [ReadWriteOnce]\n  storageClassName: standard\n"
                 f"  volumeMode: Filesystem\n{STORAGE}")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("spec", "kind"), [
    (f"  storageClassName: standard # <\n{STORAGE}", "Required value"),
    ("  accessModes: [ReadWriteOnce]\n  resources:\n    limits: # <\n      storage: 1Gi\n",
     "Required value"),
    (f"{STORAGE}  accessModes:\n    - ReadWriteAlways # <\n", "Unsupported value"),
    ("  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: '0' # <\n",
     "Invalid value"),
    (f"{STORAGE}  accessModes: [ReadWriteOncePod, ReadWriteOnce] # <\n", "Forbidden"),
    (f"{STORAGE}  accessModes: [ReadWriteOnce]\n  volumeMode: Raw # <\n", "Unsupported value"),
])
def test_pvc_rejects(validator: Validator, tmp_path: Path, spec: str, kind: str) -> None:
    rejects(validator, tmp_path, claim(spec), "api-pvc", kind)


def test_pvc_rules_apply_to_claim_templates(validator: Validator, tmp_path: Path) -> None:
    text = workload("StatefulSet") + ("  volumeClaimTemplates:\n    - metadata:\n"
                                      "        name: data\n      spec:\n"
                                      "        accessModes: [ReadWriteOnce] # <\n")
    rejects(validator, tmp_path, text, "api-pvc", "Required value")


# --- api-ingress (ValidateIngressSpec, validateHTTPIngressPath, validateIngressBackend) -------
def ingress(spec: str) -> str:
    return resource("networking.k8s.io/v1", "Ingress", f"spec:\n{spec}")


def path_rule(path: str = "/", path_type: str = "Prefix",
              backend: str = "              service:\n                name: web\n"
                             "                port:\n                  number: 80\n",
              host: str = "") -> str:
    return (f"  rules:\n    - {host}http:\n        paths:\n          - path: {path}\n"
            f"            pathType: {path_type}\n            backend:\n{backend}")


@pytest.mark.parametrize("spec", [
    path_rule(),
    path_rule("/api/v1", "Exact", host="host: '*.example.com'\n      "),
    path_rule("''", "ImplementationSpecific",
              "              service:\n                name: web\n                port:\n"
              "                  name: http\n"),
    "  ingressClassName: nginx\n  defaultBackend:\n    service:\n      name: web\n"
    "      port:\n        number: 8080\n",
])
def test_ingress_accepts(validator: Validator, tmp_path: Path, spec: str) -> None:
    assert api_findings(validator, tmp_path, ingress(spec)) == []


@pytest.mark.parametrize(("spec", "kind"), [
    (path_rule("api # <"), "Invalid value"),
    (path_rule("/a//b # <"), "Invalid value"),
    (path_rule("/", "Regex # <"), "Unsupported value"),
    (path_rule(host="host: 192.0.2.1 # <\n      "), "Invalid value"),
    (path_rule(host="host: 'a.*.example.com' # <\n      "), "Invalid value"),
    (path_rule(backend="              service:\n                name: Web # <\n"
                       "                port:\n                  number: 80\n"), "Invalid value"),
    (path_rule(backend="              service:\n                name: web\n"
                       "                port: # <\n                  name: http\n"
                       "                  number: 80\n"), "Invalid value"),
    (path_rule(backend="              service:\n                name: web\n"
                       "                port: {} # <\n"), "Required value"),
    ("  ingressClassName: nginx # <\n", "Invalid value"),
])
def test_ingress_rejects(validator: Validator, tmp_path: Path, spec: str, kind: str) -> None:
    rejects(validator, tmp_path, ingress(spec), "api-ingress", kind)


# --- api-hpa (validateHorizontalPodAutoscalerSpec, validateMetricSpec, validateMetricTarget) --
def hpa(spec: str, metrics: str = "") -> str:
    return resource("autoscaling/v2", "HorizontalPodAutoscaler",
                    "spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n"
                    f"    name: web\n{spec}" + (f"  metrics:\n{metrics}" if metrics else ""))


CPU = ("    - type: Resource\n      resource:\n        name: cpu\n        target:\n"
       "          type: Utilization\n          averageUtilization: 70\n")


def test_hpa_accepts(validator: Validator, tmp_path: Path) -> None:
    text = hpa("  minReplicas: 1\n  maxReplicas: 5\n", CPU)
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("spec", "metrics", "kind"), [
    ("  minReplicas: 0 # <\n  maxReplicas: 5\n", CPU, "Invalid value"),
    ("  minReplicas: 4\n  maxReplicas: 2 # <\n", CPU, "Invalid value"),
    ("  maxReplicas: 2\n", "    - type: Resource # <\n", "Required value"),
    ("  maxReplicas: 2\n", CPU.replace("averageUtilization: 70", "averageUtilization: 0 # <"),
     "Invalid value"),
    ("  maxReplicas: 2\n", CPU.replace("type: Utilization", "type: Percent # <"),
     "Invalid value"),
    ("  maxReplicas: 2\n", CPU.replace("          averageUtilization: 70\n", "")
     .replace("        target:\n", "        target: # <\n"), "Required value"),
])
def test_hpa_rejects(validator: Validator, tmp_path: Path, spec: str, metrics: str,
                     kind: str) -> None:
    rejects(validator, tmp_path, hpa(spec, metrics), "api-hpa", kind)


# --- api-pdb (ValidatePodDisruptionBudgetSpec) ------------------------------------------------
def pdb(spec: str) -> str:
    return resource("policy/v1", "PodDisruptionBudget",
                    f"spec:\n  selector:\n    matchLabels:\n      app: web\n{spec}")


@pytest.mark.parametrize("spec", ["  minAvailable: 1\n", "  maxUnavailable: 50%\n", ""])
def test_pdb_accepts(validator: Validator, tmp_path: Path, spec: str) -> None:
    assert api_findings(validator, tmp_path, pdb(spec)) == []


@pytest.mark.parametrize(("spec", "kind"), [
    ("  minAvailable: 1\n  maxUnavailable: 1 # <\n", "Invalid value"),
    ("  minAvailable: 120% # <\n", "Invalid value"),
    ("  maxUnavailable: ten # <\n", "Invalid value"),
    ("  minAvailable: -1 # <\n", "Invalid value: -1"),
    ("  unhealthyPodEvictionPolicy: Never # <\n", "Unsupported value"),
])
def test_pdb_rejects(validator: Validator, tmp_path: Path, spec: str, kind: str) -> None:
    rejects(validator, tmp_path, pdb(spec), "api-pdb", kind)


# --- api-endpointslice (validateAddressType, validateEndpoints, validatePorts) ----------------
def slice_(address_type: str, endpoints: str, ports: str = "") -> str:
    return resource("discovery.k8s.io/v1", "EndpointSlice",
                    f"addressType: {address_type}\nendpoints:\n{endpoints}"
                    + (f"ports:\n{ports}" if ports else ""))


@pytest.mark.parametrize("text", [
    slice_("IPv4", "  - addresses: [10.0.0.1]\n    hostname: web-0\n",
           "  - name: http\n    port: 8080\n    protocol: TCP\n"),
    slice_("FQDN", "  - addresses: [db.example.com]\n", "  - port: 5432\n"),
])
def test_endpointslice_accepts(validator: Validator, tmp_path: Path, text: str) -> None:
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("text", "kind"), [
    (slice_("IP # <", "  - addresses: [10.0.0.1]\n"), "Unsupported value"),
    (slice_("IPv4", "  - addresses:\n      - 10.0.0.300 # <\n"), "Invalid value"),
    (slice_("IPv4", "  - addresses: [] # <\n"), "Required value"),
    (slice_("IPv4", "  - addresses:\n      - fd00::1 # <\n"), "Invalid value"),
    (slice_("FQDN", "  - addresses:\n      - localhost # <\n"), "Invalid value"),
    (slice_("IPv4", "  - addresses: [10.0.0.1]\n",
            "  - port: 80\n  - port: 81 # <\n"), 'Duplicate value: ""'),
    (slice_("IPv4", "  - addresses: [10.0.0.1]\n", "  - name: HTTP # <\n    port: 80\n"),
     "Invalid value"),
])
def test_endpointslice_rejects(validator: Validator, tmp_path: Path, text: str,
                               kind: str) -> None:
    rejects(validator, tmp_path, text, "api-endpointslice", kind)
