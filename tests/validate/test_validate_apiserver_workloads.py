"""The API server's validation of workloads and the other kinds
(rules/apiserver_workloads.py, rules/apiserver_other.py): accepted and rejected manifests
per rule, shaped like the cases of the Go tests they port. A rejected case marks the line
the finding must point at with `# <`; each is checked for its rule id, that line and the
finding as `deepdive validate` prints it (`field.path: Kind: detail`).

Where our text differs from the API server's (Go prints some values as Go structs, and a
few details are ours), the case says so beside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from apiserver_cases import PAUSE, api_findings, printed, rejects

from deepdive.validate.engine import Validator
from deepdive.validate.rules import apiserver_workloads


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


def all_printed(validator: Validator, tmp_path: Path, text: str) -> list[tuple[str, int, str]]:
    """Every api-* finding of a case that has several: (rule, line, printed), in order."""
    return [(f.rule, f.line, printed(f)) for f in api_findings(validator, tmp_path, text)]


NEGATIVE = "must be greater than or equal to 0"  # apimachinery IsNegativeErrorMsg
PERCENT = ("a valid percent string must be a numeric string followed by an ending '%' "
           "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")  # IsValidPercent


# --- api-selector (ValidateLabelSelector, ValidateGeneratedSelector, ValidateJobTemplateSpec) -
@pytest.mark.parametrize("text", [
    workload("Deployment", selector="    matchExpressions:\n      - key: app\n"
                                    "        operator: In\n        values: [w]\n"),
    job("  manualSelector: true\n  selector:\n    matchLabels:\n      app: j\n",
        "      restartPolicy: Never\n").replace("  template:\n", "  template:\n    metadata:\n"
                                                "      labels:\n        app: j\n"),
    job(),
    # the labels the API server generates (pkg/registry/batch/job/strategy.go) are no
    # selector of one's own
    job("  selector:\n    matchLabels:\n      controller-uid: u\n      job-name: j\n"
        "      batch.kubernetes.io/controller-uid: u\n      batch.kubernetes.io/job-name: j\n"
        "    matchExpressions: []\n"),
    cronjob(job_spec="      manualSelector: false\n"),
])
def test_selector_accepts(validator: Validator, tmp_path: Path, text: str) -> None:
    assert api_findings(validator, tmp_path, text) == []


OWN_SELECTOR = ('spec.selector: Invalid value: {0}: `selector` not auto-generated '
                '(set manualSelector: true to choose your own)')  # "(set ...)" is ours


@pytest.mark.parametrize(("text", "expected"), [
    # our field is the expression (its values are missing); Go's is ...[0].values
    (workload("Deployment", selector="    matchLabels:\n      app: w\n    matchExpressions:\n"
                                     "      - key: tier # <\n        operator: In\n"),
     "spec.selector.matchExpressions[0]: Required value: must be specified when `operator` "
     "is 'In' or 'NotIn'"),
    (workload("Deployment", selector="    matchLabels:\n      app: w\n    matchExpressions:\n"
                                     "      - key: tier\n        operator: Exists\n"
                                     "        values: [web] # <\n"),
     "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when "
     "`operator` is 'Exists' or 'DoesNotExist'"),
    (workload("DaemonSet", selector="    matchLabels:\n      app: w\n    matchExpressions:\n"
                                    "      - key: tier\n        operator: Equals # <\n"
                                    "        values: [web]\n"),
     'spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid '
     'selector operator'),
    (job("  selector: # <\n    matchLabels:\n      app: j\n"),
     OWN_SELECTOR.format('{"matchLabels": {"app": "j"}}')),
    (job("  manualSelector: false\n  selector: # <\n    matchLabels:\n      job-name: j\n"
         "      app: j\n"),
     OWN_SELECTOR.format('{"matchLabels": {"job-name": "j", "app": "j"}}')),
    (job("  selector: # <\n    matchExpressions:\n      - key: job-name\n"
         "        operator: Exists\n"),
     OWN_SELECTOR.format('{"matchExpressions": [{"key": "job-name", "operator": "Exists"}]}')),
    (cronjob(job_spec="      selector: # <\n        matchLabels:\n          app: j\n"),
     'spec.jobTemplate.spec.selector: Invalid value: {"matchLabels": {"app": "j"}}: '
     '`selector` will be auto-generated'),
    # Go prints the value as `true`
    (cronjob(job_spec="      manualSelector: true # <\n"),
     'spec.jobTemplate.spec.manualSelector: Unsupported value: True: supported values: '
     '"nil", "false"'),
])
def test_selector_rejects(validator: Validator, tmp_path: Path, text: str, expected: str) -> None:
    rejects(validator, tmp_path, text, "api-selector", expected)


# --- api-rollout (ValidateDeploymentSpec, ValidateDeploymentStrategy,
# ValidateRollingUpdateDeployment, ValidateRollingUpdateDaemonSet) -------------------------------
@pytest.mark.parametrize("text", [
    workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: 0\n"
                           "      maxUnavailable: 1\n"),
    workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: 50%\n"
                           "      maxUnavailable: 0\n"),
    # maxUnavailable may be 100%; maxSurge has no upper bound
    workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: 150%\n"
                           "      maxUnavailable: 100%\n"),
    # the other one defaults to 25%
    workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: 0\n"),
    workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxUnavailable: 0%\n"),
    # a null is unset: the API server defaults it (SetDefaults_Deployment)
    workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: null\n"
                           "      maxUnavailable: 0\n"),
    workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: 0\n"
                           "      maxUnavailable: null\n"),
    # a percent counts as its number: 05% is 5 (getIntOrPercentValue)
    workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: 0\n"
                           "      maxUnavailable: 05%\n"),
    workload("Deployment", "  strategy:\n    type: RollingUpdate\n"),
    workload("Deployment", "  strategy:\n    type: RollingUpdate\n    rollingUpdate: null\n"),
    workload("Deployment", "  strategy:\n    type: Recreate\n"),
    workload("Deployment", "  strategy:\n    type: Recreate\n    rollingUpdate: null\n"),
    workload("Deployment", "  minReadySeconds: 10\n  progressDeadlineSeconds: 60\n"
                           "  revisionHistoryLimit: 0\n"),
    # progressDeadlineSeconds must exceed minReadySeconds: the first accepted values
    workload("Deployment", "  minReadySeconds: 30\n  progressDeadlineSeconds: 31\n"),
    workload("Deployment", "  progressDeadlineSeconds: 1\n"),
    workload("Deployment", "  minReadySeconds: 599\n"),
    workload("StatefulSet", "  minReadySeconds: 0\n  revisionHistoryLimit: 0\n"),
    workload("DaemonSet", "  updateStrategy:\n    rollingUpdate:\n      maxSurge: 1\n"
                          "      maxUnavailable: 0\n"),
    workload("DaemonSet", "  updateStrategy:\n    rollingUpdate:\n      maxSurge: 100%\n"
                          "      maxUnavailable: 0%\n"),
    workload("DaemonSet", "  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 100%\n"),
    # maxUnavailable defaults to 1, maxSurge to 0
    workload("DaemonSet", "  updateStrategy:\n    type: RollingUpdate\n"),
    workload("DaemonSet", "  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: null\n"
                          "      maxSurge: null\n"),
    workload("DaemonSet", "  updateStrategy:\n    type: OnDelete\n"),
    # OnDelete ignores rollingUpdate (ValidateDaemonSetUpdateStrategy)
    workload("DaemonSet", "  updateStrategy:\n    type: OnDelete\n    rollingUpdate:\n"
                          "      maxSurge: 1\n"),
])
def test_rollout_accepts(validator: Validator, tmp_path: Path, text: str) -> None:
    assert api_findings(validator, tmp_path, text) == []


ROLLING = "spec.strategy.rollingUpdate"
DS_ROLLING = "spec.updateStrategy.rollingUpdate"


@pytest.mark.parametrize(("text", "expected"), [
    (workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: 0\n"
                            "      maxUnavailable: 0 # <\n"),
     f"{ROLLING}.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"),
    (workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: 0%\n"
                            "      maxUnavailable: 0% # <\n"),
     f'{ROLLING}.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0'),
    (workload("Deployment", "  strategy:\n    rollingUpdate:\n"
                            "      maxUnavailable: 101% # <\n"),
     f'{ROLLING}.maxUnavailable: Invalid value: "101%": must not be greater than 100%'),
    (workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: '10' # <\n"),
     f'{ROLLING}.maxSurge: Invalid value: "10": {PERCENT}'),
    # ... yet counts as 10, so maxUnavailable may be 0 (IntOrString.IntValue)
    (workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxUnavailable: 0\n"
                            "      maxSurge: '10' # <\n"),
     f'{ROLLING}.maxSurge: Invalid value: "10": {PERCENT}'),
    (workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxSurge: -1 # <\n"),
     f"{ROLLING}.maxSurge: Invalid value: -1: {NEGATIVE}"),
    (workload("Deployment", "  strategy:\n    type: Recreate\n    rollingUpdate: # <\n"
                            "      maxSurge: 1\n"),
     f"{ROLLING}: Forbidden: may not be specified when strategy `type` is 'Recreate'"),
    # Go's field is spec.strategy and its value the whole strategy, printed as a Go struct
    (workload("Deployment", "  strategy:\n    type: Blue # <\n"),
     'spec.strategy.type: Unsupported value: "Blue": supported values: "Recreate", '
     '"RollingUpdate"'),
    (workload("ReplicaSet", "  minReadySeconds: -1 # <\n"),
     f"spec.minReadySeconds: Invalid value: -1: {NEGATIVE}"),
    (workload("Deployment", "  revisionHistoryLimit: -1 # <\n"),
     f"spec.revisionHistoryLimit: Invalid value: -1: {NEGATIVE}"),
    (workload("StatefulSet", "  revisionHistoryLimit: -1 # <\n"),
     f"spec.revisionHistoryLimit: Invalid value: -1: {NEGATIVE}"),
    (workload("DaemonSet", "  minReadySeconds: -1 # <\n"),
     f"spec.minReadySeconds: Invalid value: -1: {NEGATIVE}"),
    (workload("Deployment", "  minReadySeconds: 30\n  progressDeadlineSeconds: 30 # <\n"),
     "spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds"),
    (workload("Deployment", "  progressDeadlineSeconds: 0 # <\n"),
     "spec.progressDeadlineSeconds: Invalid value: 0: must be greater than minReadySeconds"),
    # the deadline is unset (600 by default): we point at minReadySeconds, and say why
    (workload("Deployment", "  minReadySeconds: 600 # <\n"),
     "spec.minReadySeconds: Invalid value: 600: must be greater than minReadySeconds "
     "(progressDeadlineSeconds defaults to 600)"),
    (workload("DaemonSet", "  updateStrategy:\n    rollingUpdate:\n      maxSurge: 1 # <\n"),
     f"{DS_ROLLING}.maxSurge: Invalid value: 1: may not be set when maxUnavailable is "
     "non-zero (maxUnavailable defaults to 1)"),
    (workload("DaemonSet", "  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: null\n"
                           "      maxSurge: 1 # <\n"),
     f"{DS_ROLLING}.maxSurge: Invalid value: 1: may not be set when maxUnavailable is "
     "non-zero (maxUnavailable defaults to 1)"),
    (workload("DaemonSet", "  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 1\n"
                           "      maxSurge: 10% # <\n"),
     f'{DS_ROLLING}.maxSurge: Invalid value: "10%": may not be set when maxUnavailable is '
     "non-zero"),
    (workload("DaemonSet", "  updateStrategy:\n    rollingUpdate:\n"
                           "      maxUnavailable: 0 # <\n"),
     f"{DS_ROLLING}.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"),
    (workload("DaemonSet", "  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 0\n"
                           "      maxSurge: 101% # <\n"),
     f'{DS_ROLLING}.maxSurge: Invalid value: "101%": must not be greater than 100%'),
    (workload("DaemonSet", "  updateStrategy:\n    rollingUpdate:\n"
                           "      maxUnavailable: 101% # <\n"),
     f'{DS_ROLLING}.maxUnavailable: Invalid value: "101%": must not be greater than 100%'),
    (workload("DaemonSet", "  updateStrategy:\n    type: Blue # <\n"),
     'spec.updateStrategy.type: Unsupported value: "Blue": supported values: "RollingUpdate", '
     '"OnDelete"'),
])
def test_rollout_rejects(validator: Validator, tmp_path: Path, text: str, expected: str) -> None:
    rejects(validator, tmp_path, text, "api-rollout", expected)


def test_rollout_reports_each_problem(validator: Validator, tmp_path: Path) -> None:
    """A negative deadline is also no greater than minReadySeconds; a string that is no
    percent counts as 0 (getIntOrPercentValue), so with maxUnavailable 0 both are 0.
    Findings come sorted by line, then message."""
    text = workload("Deployment", "  progressDeadlineSeconds: -1\n")
    assert all_printed(validator, tmp_path, text) == [
        ("api-rollout", 6, "spec.progressDeadlineSeconds: Invalid value: -1: must be greater "
                           "than minReadySeconds"),
        ("api-rollout", 6, f"spec.progressDeadlineSeconds: Invalid value: -1: {NEGATIVE}")]
    text = workload("Deployment", "  strategy:\n    rollingUpdate:\n      maxUnavailable: 0\n"
                                  "      maxSurge: none\n")
    assert all_printed(validator, tmp_path, text) == [
        ("api-rollout", 8, f"{ROLLING}.maxUnavailable: Invalid value: 0: may not be 0 when "
                           "`maxSurge` is 0"),
        ("api-rollout", 9, f'{ROLLING}.maxSurge: Invalid value: "none": {PERCENT}')]


# --- api-statefulset (ValidateStatefulSetSpec) ------------------------------------------------
@pytest.mark.parametrize("spec", [
    "  serviceName: web\n  podManagementPolicy: Parallel\n  updateStrategy:\n"
    "    rollingUpdate:\n      partition: 0\n",
    "  serviceName: ''\n  podManagementPolicy: OrderedReady\n  updateStrategy:\n"
    "    type: RollingUpdate\n  ordinals:\n    start: 0\n",
    "  podManagementPolicy: ''\n  updateStrategy: {}\n",
    "  updateStrategy:\n    type: OnDelete\n  persistentVolumeClaimRetentionPolicy:\n"
    "    whenDeleted: Delete\n    whenScaled: Retain\n",
    "  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: Retain\n    whenScaled: Delete\n",
    "  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: ''\n",
])
def test_statefulset_accepts(validator: Validator, tmp_path: Path, spec: str) -> None:
    assert api_findings(validator, tmp_path, workload("StatefulSet", spec)) == []


@pytest.mark.parametrize(("spec", "expected"), [
    ("  serviceName: web.svc # <\n", 'spec.serviceName: Invalid value: "web.svc": must not '
                                     'contain dots'),
    ("  podManagementPolicy: Random # <\n",
     "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or "
     "'Parallel'"),
    # Go's field is spec.updateStrategy and its value the whole strategy (a Go struct)
    ("  updateStrategy:\n    type: Blue # <\n",
     "spec.updateStrategy.type: Invalid value: \"Blue\": must be 'RollingUpdate' or "
     "'OnDelete'"),
    ("  updateStrategy:\n    type: OnDelete\n    rollingUpdate: # <\n      partition: 1\n",
     'spec.updateStrategy.rollingUpdate: Invalid value: {"partition": 1}: only allowed for '
     "updateStrategy 'RollingUpdate'"),
    ("  updateStrategy:\n    rollingUpdate:\n      partition: -1 # <\n",
     f"spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: {NEGATIVE}"),
    ("  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate:\n      partition: -1 # <\n",
     f"spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: {NEGATIVE}"),
    ("  ordinals:\n    start: -1 # <\n", f"spec.ordinals.start: Invalid value: -1: {NEGATIVE}"),
    # Go lists "Retain", "Delete"
    ("  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: Keep # <\n",
     'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": '
     'supported values: "Delete", "Retain"'),
    ("  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: Delete\n"
     "    whenScaled: Keep # <\n",
     'spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "Keep": '
     'supported values: "Delete", "Retain"'),
])
def test_statefulset_rejects(validator: Validator, tmp_path: Path, spec: str,
                             expected: str) -> None:
    rejects(validator, tmp_path, workload("StatefulSet", spec), "api-statefulset", expected)


# --- api-job (validateJobSpec) ----------------------------------------------------------------
@pytest.mark.parametrize("text", [
    job("  completions: 3\n  parallelism: 2\n  backoffLimit: 0\n  activeDeadlineSeconds: 0\n"
        "  ttlSecondsAfterFinished: 0\n"),
    job("  completionMode: Indexed\n  completions: 5\n  backoffLimitPerIndex: 0\n"
        "  maxFailedIndexes: 0\n", "      restartPolicy: OnFailure\n"),
    job("  completionMode: Indexed\n  completions: 5\n  parallelism: 100000\n"),
    job("  completionMode: NonIndexed\n  parallelism: 100001\n"),
    job("  completionMode: ''\n"),
    cronjob(),
    cronjob(job_spec="      completionMode: Indexed\n      completions: 2\n"
                     "      backoffLimitPerIndex: 1\n"),
])
def test_job_accepts(validator: Validator, tmp_path: Path, text: str) -> None:
    assert api_findings(validator, tmp_path, text) == []


INDEXED = "  completionMode: Indexed\n  completions: 2\n"
# Kubernetes 1.35 words an unset or Always restartPolicy `Required value: valid values:
# "OnFailure", "Never"` (validateJobSpec); we still print the older NotSupported form.
RESTART = 'Unsupported value: "Always": supported values: "OnFailure", "Never"'


@pytest.mark.parametrize(("text", "expected"), [
    (job(pod_spec="").replace("      containers:\n", "      containers: # <\n"),
     f"spec.template.spec.restartPolicy: {RESTART} (restartPolicy defaults to Always)"),
    (job(pod_spec="      restartPolicy: '' # <\n"),
     f"spec.template.spec.restartPolicy: {RESTART} (restartPolicy defaults to Always)"),
    (job(pod_spec="      restartPolicy: Always # <\n"),
     f"spec.template.spec.restartPolicy: {RESTART}"),
    (job(pod_spec="      restartPolicy: Sometimes # <\n"),
     'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: '
     '"OnFailure", "Never"'),
    (job("  parallelism: -1 # <\n"), f"spec.parallelism: Invalid value: -1: {NEGATIVE}"),
    (job("  completions: -1 # <\n"), f"spec.completions: Invalid value: -1: {NEGATIVE}"),
    (job("  activeDeadlineSeconds: -1 # <\n"),
     f"spec.activeDeadlineSeconds: Invalid value: -1: {NEGATIVE}"),
    (job("  backoffLimit: -1 # <\n"), f"spec.backoffLimit: Invalid value: -1: {NEGATIVE}"),
    (job("  ttlSecondsAfterFinished: -1 # <\n"),
     f"spec.ttlSecondsAfterFinished: Invalid value: -1: {NEGATIVE}"),
    (job(f"{INDEXED}  backoffLimitPerIndex: -1 # <\n"),
     f"spec.backoffLimitPerIndex: Invalid value: -1: {NEGATIVE}"),
    (job(f"{INDEXED}  backoffLimitPerIndex: 1\n  maxFailedIndexes: -1 # <\n"),
     f"spec.maxFailedIndexes: Invalid value: -1: {NEGATIVE}"),
    # Go lists "NonIndexed", "Indexed"
    (job("  completionMode: Ordered # <\n"),
     'spec.completionMode: Unsupported value: "Ordered": supported values: "Indexed", '
     '"NonIndexed"'),
    (job("  completionMode: Indexed # <\n"),
     "spec.completions: Required value: when completion mode is Indexed"),
    (job(f"{INDEXED}  parallelism: 100001 # <\n"),
     "spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 when "
     "completion mode is Indexed"),
    (job("  backoffLimitPerIndex: 1 # <\n"),
     "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode"),
    (job("  completionMode: NonIndexed\n  backoffLimitPerIndex: 0 # <\n"),
     "spec.backoffLimitPerIndex: Invalid value: 0: requires indexed completion mode"),
    # a missing field's finding points at the first line of its parent mapping
    (job(f"{INDEXED}  maxFailedIndexes: 1\n").replace("Indexed\n", "Indexed # <\n"),
     "spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified"),
    (cronjob(pod_spec="          restartPolicy: Always # <\n"),
     f"spec.jobTemplate.spec.template.spec.restartPolicy: {RESTART}"),
    (cronjob(job_spec="      backoffLimit: -1 # <\n"),
     f"spec.jobTemplate.spec.backoffLimit: Invalid value: -1: {NEGATIVE}"),
])
def test_job_rejects(validator: Validator, tmp_path: Path, text: str, expected: str) -> None:
    rejects(validator, tmp_path, text, "api-job", expected)


# --- api-cronjob (ValidateCronJobSpec, validateScheduleFormat, validateTimeZone) --------------
MONTHS = "jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec"
DAYS = "sun,mon,tue,wed,thu,fri,sat"


@pytest.mark.parametrize("spec", [
    "  schedule: '0 3 * * mon-fri'\n  timeZone: Europe/Paris\n  concurrencyPolicy: Forbid\n",
    "  schedule: '@hourly'\n  successfulJobsHistoryLimit: 0\n  failedJobsHistoryLimit: 0\n"
    "  startingDeadlineSeconds: 0\n",
    "  schedule: '15 2 1 jan,jul *'\n  concurrencyPolicy: Allow\n",
    "  schedule: '*/10 8-18/2 * * 0'\n  timeZone: UTC\n  concurrencyPolicy: Replace\n",
    "  schedule: '@every 1h30m'\n",
    "  schedule: '@every 0'\n",
    "  schedule: '@every +1.5h'\n",
    "  schedule: '@every .5s'\n",
    *(f"  schedule: '@{name}'\n"
      for name in ("yearly", "annually", "monthly", "weekly", "daily", "midnight", "hourly")),
    # the bounds of each field (robfig/cron): minute, hour, day of month, month, day of week
    "  schedule: '0 0 1 1 0'\n",
    "  schedule: '59 23 31 12 6'\n",
    "  schedule: '0,30 0-23 ? * ?'\n",
    "  schedule: '5/15 1-11/5 * * *'\n",
    "  schedule: '*/1 * * * *'\n",
    f"  schedule: '0 0 * {MONTHS} {DAYS}'\n",
    f"  schedule: '0 0 * {MONTHS.upper()} {DAYS.upper()}'\n",
    "  schedule: '0 0 * * *'\n  timeZone: Etc/GMT+5\n",
    "  schedule: '0 0 * * *'\n  timeZone: Antarctica/DumontDUrville\n",
    "  schedule: '0 0 * * *'\n  concurrencyPolicy: ''\n",
])
def test_cronjob_accepts(validator: Validator, tmp_path: Path, spec: str) -> None:
    assert api_findings(validator, tmp_path, cronjob(spec)) == []


def schedule(text: str) -> str:
    return f"  schedule: '{text}' # <\n"


# robfig/cron v3 also prints strconv.Atoi's reason after "failed to parse int from x"
@pytest.mark.parametrize(("spec", "detail"), [
    (schedule("* * * *"), "expected exactly 5 fields, found 4: [* * * *]"),
    (schedule("0 0 * * * *"), "expected exactly 5 fields, found 6: [0 0 * * * *]"),
    (schedule(" "), "empty spec string"),
    (schedule("@fortnightly"), "unrecognized descriptor: @fortnightly"),
    (schedule("@every"), "unrecognized descriptor: @every"),
    (schedule("@every 5"), "unrecognized descriptor: @every 5"),
    (schedule("@every 1x"), "unrecognized descriptor: @every 1x"),
    (schedule("60 * * * *"), "end of range (60) above maximum (59): 60"),
    (schedule("0,60 * * * *"), "end of range (60) above maximum (59): 60"),
    (schedule("0 24 * * *"), "end of range (24) above maximum (23): 24"),
    (schedule("0 0 0 * *"), "beginning of range (0) below minimum (1): 0"),
    (schedule("0 0 32 * *"), "end of range (32) above maximum (31): 32"),
    (schedule("0 0 * 0 *"), "beginning of range (0) below minimum (1): 0"),
    (schedule("0 0 * 13 *"), "end of range (13) above maximum (12): 13"),
    (schedule("0 0 * * 7"), "end of range (7) above maximum (6): 7"),
    (schedule("0 0 * dec-jan *"), "beginning of range (12) beyond end of range (1): dec-jan"),
    (schedule("0 0 * * sat-sun"), "beginning of range (6) beyond end of range (0): sat-sun"),
    (schedule("5-1 * * * *"), "beginning of range (5) beyond end of range (1): 5-1"),
    (schedule("0 10-5/2 * * *"), "beginning of range (10) beyond end of range (5): 10-5/2"),
    (schedule("70/5 * * * *"), "beginning of range (70) beyond end of range (59): 70/5"),
    (schedule("1-2-3 * * * *"), "too many hyphens: 1-2-3"),
    (schedule("1/2/3 * * * *"), "too many slashes: 1/2/3"),
    (schedule("*/0 * * * *"), "step of range should be a positive number: */0"),
    (schedule("*/x * * * *"), "failed to parse int from x"),
    (schedule("x * * * *"), "failed to parse int from x"),
    (schedule("0 0 * * monday"), "failed to parse int from monday"),
    (schedule("\u0663 * * * *"), "failed to parse int from \u0663"),  # an Arabic-Indic 3
    (schedule("1-jan * * * *"), "failed to parse int from jan"),  # names are the month's
])
def test_cronjob_rejects_schedule(validator: Validator, tmp_path: Path, spec: str,
                                  detail: str) -> None:
    value = spec.split("'")[1]
    rejects(validator, tmp_path, cronjob(spec), "api-cronjob",
            f'spec.schedule: Invalid value: "{value}": {detail}')


TZ_IN_SCHEDULE = "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"


@pytest.mark.parametrize(("value", "details"), [
    ("CRON_TZ=UTC 0 * * * *", [TZ_IN_SCHEDULE]),
    ("TZ=Europe/Paris 0 * * * *", [TZ_IN_SCHEDULE]),
    ("TZ=UTC * * *", [TZ_IN_SCHEDULE, "expected exactly 5 fields, found 3: [* * *]"]),
    ("TZ * * * *", [TZ_IN_SCHEDULE, "failed to parse int from TZ"]),
])
def test_cronjob_schedule_holds_no_time_zone(validator: Validator, tmp_path: Path, value: str,
                                             details: list[str]) -> None:
    """validateScheduleFormat: robfig/cron's error and the TZ one (printed sorted)."""
    text = cronjob(f"  schedule: '{value}'\n")
    assert all_printed(validator, tmp_path, text) == [
        ("api-cronjob", 6, f'spec.schedule: Invalid value: "{value}": {detail}')
        for detail in details]


UNKNOWN_ZONE = 'spec.timeZone: Invalid value: "{0}": unknown time zone {0}'
LOCAL = ("timeZone must be an explicit time zone as defined in "
         "https://www.iana.org/time-zones")


@pytest.mark.parametrize(("spec", "expected"), [
    ("  schedule: ''\n".replace("\n", " # <\n"), "spec.schedule: Required value"),
    ("  schedule: '0 * * * *'\n  timeZone: '' # <\n",
     'spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string'),
    *((f"  schedule: '0 * * * *'\n  timeZone: {zone} # <\n", UNKNOWN_ZONE.format(zone))
      for zone in ("Mars/Olympus_Mons", "Europe/../Paris", "./UTC", "-UTC", "Europe//Paris",
                   "Abcdefghijklmno", "Europe/Par is", "Europe/Paris/")),
    ("  schedule: '0 * * * *'\n  timeZone: Local # <\n",
     f'spec.timeZone: Invalid value: "Local": {LOCAL}'),
    ("  schedule: '0 * * * *'\n  timeZone: local # <\n",
     f'spec.timeZone: Invalid value: "local": {LOCAL}'),
    ("  schedule: '0 * * * *'\n  concurrencyPolicy: Sometimes # <\n",
     'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", '
     '"Forbid", "Replace"'),
    *((f"  schedule: '0 * * * *'\n  {name}: -1 # <\n",
       f"spec.{name}: Invalid value: -1: {NEGATIVE}")
      for name in ("startingDeadlineSeconds", "successfulJobsHistoryLimit",
                   "failedJobsHistoryLimit")),
])
def test_cronjob_rejects(validator: Validator, tmp_path: Path, spec: str, expected: str) -> None:
    rejects(validator, tmp_path, cronjob(spec), "api-cronjob", expected)


def test_cronjob_time_zones_load_on_first_use(validator: Validator, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh process reads the zone database when the first timeZone needs it."""
    monkeypatch.setattr(apiserver_workloads, "_ZONES", set())
    text = cronjob("  schedule: '0 * * * *'\n  timeZone: Mars/Olympus_Mons # <\n")
    rejects(validator, tmp_path, text, "api-cronjob", UNKNOWN_ZONE.format("Mars/Olympus_Mons"))
    assert api_findings(validator, tmp_path, cronjob("  schedule: '0 * * * *'\n"
                                                     "  timeZone: Asia/Tokyo\n")) == []


def test_cronjob_name_is_at_most_52_characters(validator: Validator, tmp_path: Path) -> None:
    assert api_findings(validator, tmp_path, cronjob(name="c" * 52)) == []
    text = cronjob(name="c" * 53).replace(f"name: {'c' * 53}", f"name: {'c' * 53} # <")
    rejects(validator, tmp_path, text, "api-cronjob",
            f'metadata.name: Invalid value: "{"c" * 53}": must be no more than 52 characters')


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


# Go names a map key data[a/b] (field.Path.Key); we print data.a/b. Go's JSON error for a
# dockerconfigjson reads "invalid character 'n' looking for beginning of object key string".
@pytest.mark.parametrize(("text", "expected"), [
    (resource("v1", "ConfigMap", "data:\n  a/b: x # <\n"),
     'data.a/b: Invalid value: "a/b": a valid config key must consist of alphanumeric '
     "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used "
     "for validation is '[-._a-zA-Z0-9]+')"),
    (resource("v1", "ConfigMap", "data:\n  ..data: x # <\n"),
     "data...data: Invalid value: \"..data\": must not start with '..'"),
    (resource("v1", "ConfigMap", "data:\n  k: x # <\nbinaryData:\n  k: eA==\n"),
     'data.k: Invalid value: "k": duplicate of key present in binaryData'),
    (resource("v1", "Secret", "type: kubernetes.io/tls\ndata:\n  tls.crt: Yw== # <\n"),
     "data.tls.key: Required value"),
    (resource("v1", "Secret", "type: kubernetes.io/dockerconfigjson\nstringData:\n"
                              "  .dockerconfigjson: '{not json' # <\n"),
     'stringData..dockerconfigjson: Invalid value: "<secret contents redacted>": Expecting '
     "property name enclosed in double quotes: line 1 column 2 (char 1)"),
    (resource("v1", "Secret", "type: kubernetes.io/service-account-token\n")
     .replace("  name: x\n", "  name: x # <\n"),
     "metadata.annotations.kubernetes.io/service-account.name: Required value"),
])
def test_config_data_rejects(validator: Validator, tmp_path: Path, text: str,
                             expected: str) -> None:
    rejects(validator, tmp_path, text, "api-config-data", expected)


# --- api-pvc (ValidatePersistentVolumeClaimSpec) ----------------------------------------------
def claim(spec: str) -> str:
    return resource("v1", "PersistentVolumeClaim", f"spec:\n{spec}")


STORAGE = "  resources:\n    requests:\n      storage: 1Gi\n"


def test_pvc_accepts(validator: Validator, tmp_path: Path) -> None:
    text = claim("  accessModes: [ReadWriteOnce]\n  storageClassName: standard\n"
                 f"  volumeMode: Filesystem\n{STORAGE}")
    assert api_findings(validator, tmp_path, text) == []


# Go names the storage request spec.resources[storage]
@pytest.mark.parametrize(("spec", "expected"), [
    (f"  storageClassName: standard # <\n{STORAGE}",
     "spec.accessModes: Required value: at least 1 access mode is required"),
    ("  accessModes: [ReadWriteOnce]\n  resources:\n    limits: # <\n      storage: 1Gi\n",
     "spec.resources.requests.storage: Required value"),
    (f"{STORAGE}  accessModes:\n    - ReadWriteAlways # <\n",
     'spec.accessModes[0]: Unsupported value: "ReadWriteAlways": supported values: '
     '"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"'),
    ("  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: '0' # <\n",
     'spec.resources.requests.storage: Invalid value: "0": must be greater than zero'),
    (f"{STORAGE}  accessModes: [ReadWriteOncePod, ReadWriteOnce] # <\n",
     "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"),
    (f"{STORAGE}  accessModes: [ReadWriteOnce]\n  volumeMode: Raw # <\n",
     'spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"'),
])
def test_pvc_rejects(validator: Validator, tmp_path: Path, spec: str, expected: str) -> None:
    rejects(validator, tmp_path, claim(spec), "api-pvc", expected)


def test_pvc_rules_apply_to_claim_templates(validator: Validator, tmp_path: Path) -> None:
    text = workload("StatefulSet") + ("  volumeClaimTemplates:\n    - metadata:\n"
                                      "        name: data\n      spec:\n"
                                      "        accessModes: [ReadWriteOnce] # <\n")
    rejects(validator, tmp_path, text, "api-pvc", "spec.volumeClaimTemplates[0].spec.resources"
            ".requests.storage: Required value")


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


PATH = "spec.rules[0].http.paths[0]"


# Go prints the port (a struct) and the missing rules (a nil slice) as Go values, not ""
@pytest.mark.parametrize(("spec", "expected"), [
    (path_rule("api # <"), f'{PATH}.path: Invalid value: "api": must be an absolute path'),
    (path_rule("/a//b # <"), f"{PATH}.path: Invalid value: \"/a//b\": must not contain '//'"),
    (path_rule("/", "Regex # <"),
     f'{PATH}.pathType: Unsupported value: "Regex": supported values: "Exact", '
     '"ImplementationSpecific", "Prefix"'),
    (path_rule(host="host: 192.0.2.1 # <\n      "),
     'spec.rules[0].host: Invalid value: "192.0.2.1": must be a DNS name, not an IP address'),
    (path_rule(host="host: 'a.*.example.com' # <\n      "),
     'spec.rules[0].host: Invalid value: "a.*.example.com": a wildcard DNS-1123 subdomain '
     "must start with '*.', followed by a valid DNS subdomain, which must consist of lower "
     "case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. "
     "'*.example.com', regex used for validation is "
     "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
    (path_rule(backend="              service:\n                name: Web # <\n"
                       "                port:\n                  number: 80\n"),
     f'{PATH}.backend.service.name: Invalid value: "Web": a DNS-1035 label must consist of '
     "lower case alphanumeric characters or '-', start with an alphabetic character, and end "
     "with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation "
     "is '[a-z]([-a-z0-9]*[a-z0-9])?')"),
    (path_rule(backend="              service:\n                name: web\n"
                       "                port: # <\n                  name: http\n"
                       "                  number: 80\n"),
     f'{PATH}.backend.service.port: Invalid value: "": cannot set both port name & port '
     "number"),
    (path_rule(backend="              service:\n                name: web\n"
                       "                port: {} # <\n"),
     f"{PATH}.backend.service.port: Required value: port name or number is required"),
    ("  ingressClassName: nginx # <\n",
     'spec.rules: Invalid value: "": either `defaultBackend` or `rules` must be specified'),
])
def test_ingress_rejects(validator: Validator, tmp_path: Path, spec: str,
                         expected: str) -> None:
    rejects(validator, tmp_path, ingress(spec), "api-ingress", expected)


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


TARGET = "spec.metrics[0].resource.target"


@pytest.mark.parametrize(("spec", "metrics", "expected"), [
    ("  minReplicas: 0 # <\n  maxReplicas: 5\n", CPU,
     "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"),
    ("  minReplicas: 4\n  maxReplicas: 2 # <\n", CPU,
     "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"),
    ("  maxReplicas: 2\n", "    - type: Resource # <\n",
     "spec.metrics[0].resource: Required value: must populate information for the given "
     "metric source"),
    ("  maxReplicas: 2\n", CPU.replace("averageUtilization: 70", "averageUtilization: 0 # <"),
     f"{TARGET}.averageUtilization: Invalid value: 0: must be greater than 0"),
    ("  maxReplicas: 2\n", CPU.replace("type: Utilization", "type: Percent # <"),
     f'{TARGET}.type: Invalid value: "Percent": must be either Utilization, Value, or '
     "AverageValue"),
    ("  maxReplicas: 2\n", CPU.replace("          averageUtilization: 70\n", "")
     .replace("        target:\n", "        target: # <\n"),
     f"{TARGET}: Required value: must set either a target raw value or a target utilization"),
])
def test_hpa_rejects(validator: Validator, tmp_path: Path, spec: str, metrics: str,
                     expected: str) -> None:
    rejects(validator, tmp_path, hpa(spec, metrics), "api-hpa", expected)


# --- api-pdb (ValidatePodDisruptionBudgetSpec) ------------------------------------------------
def pdb(spec: str) -> str:
    return resource("policy/v1", "PodDisruptionBudget",
                    f"spec:\n  selector:\n    matchLabels:\n      app: web\n{spec}")


@pytest.mark.parametrize("spec", ["  minAvailable: 1\n", "  maxUnavailable: 50%\n", ""])
def test_pdb_accepts(validator: Validator, tmp_path: Path, spec: str) -> None:
    assert api_findings(validator, tmp_path, pdb(spec)) == []


@pytest.mark.parametrize(("spec", "expected"), [
    # Go's field is spec, its value the whole spec (a Go struct)
    ("  minAvailable: 1\n  maxUnavailable: 1 # <\n",
     'spec.maxUnavailable: Invalid value: {"minAvailable": 1, "maxUnavailable": 1}: '
     "minAvailable and maxUnavailable cannot be both set"),
    ("  minAvailable: 120% # <\n",
     'spec.minAvailable: Invalid value: "120%": must not be greater than 100%'),
    ("  maxUnavailable: ten # <\n", f'spec.maxUnavailable: Invalid value: "ten": {PERCENT}'),
    ("  minAvailable: -1 # <\n", f"spec.minAvailable: Invalid value: -1: {NEGATIVE}"),
    ("  unhealthyPodEvictionPolicy: Never # <\n",
     'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: '
     '"AlwaysAllow", "IfHealthyBudget"'),
])
def test_pdb_rejects(validator: Validator, tmp_path: Path, spec: str, expected: str) -> None:
    rejects(validator, tmp_path, pdb(spec), "api-pdb", expected)


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


ADDRESS = "endpoints[0].addresses[0]: Invalid value: "


@pytest.mark.parametrize(("text", "expected"), [
    (slice_("IP # <", "  - addresses: [10.0.0.1]\n"),
     'addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"'),
    (slice_("IPv4", "  - addresses:\n      - 10.0.0.300 # <\n"),
     f'{ADDRESS}"10.0.0.300": must be a valid IPv4 address'),
    (slice_("IPv4", "  - addresses: [] # <\n"),
     "endpoints[0].addresses: Required value: must contain at least 1 address"),
    (slice_("IPv4", "  - addresses:\n      - fd00::1 # <\n"),
     f'{ADDRESS}"fd00::1": must be a valid IPv4 address'),
    (slice_("FQDN", "  - addresses:\n      - localhost # <\n"),
     f'{ADDRESS}"localhost": should be a domain with at least two segments separated by dots'),
    # Go's field is ports[1].name (the name is unset here)
    (slice_("IPv4", "  - addresses: [10.0.0.1]\n",
            "  - port: 80\n  - port: 81 # <\n"), 'ports[1]: Duplicate value: ""'),
    (slice_("IPv4", "  - addresses: [10.0.0.1]\n", "  - name: HTTP # <\n    port: 80\n"),
     'ports[0].name: Invalid value: "HTTP": a lowercase RFC 1123 label must consist of lower '
     "case alphanumeric characters or '-', and must start and end with an alphanumeric "
     "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
     "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
])
def test_endpointslice_rejects(validator: Validator, tmp_path: Path, text: str,
                               expected: str) -> None:
    rejects(validator, tmp_path, text, "api-endpointslice", expected)
