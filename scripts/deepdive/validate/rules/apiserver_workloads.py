"""The API server's validation of workload specs (issue 12): label selectors, rollout
parameters of Deployments and DaemonSets, StatefulSet fields, and Job and CronJob fields.

Ported from pkg/apis/apps/validation/validation.go and pkg/apis/batch/validation/
validation.go (each check cites its function), after the API server's defaulting
(strategy RollingUpdate with 25% / 25% for a Deployment, maxUnavailable 1 and maxSurge 0
for a DaemonSet, progressDeadlineSeconds 600, restartPolicy Always, concurrencyPolicy Allow).
Whether a selector matches its template's labels is selector-mismatch's to report.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from deepdive.validate.findings import Finding
from deepdive.validate.rules.apiserver import (
    NEGATIVE,
    Path,
    check_label_selector,
    forbidden,
    integer,
    invalid,
    is_dns1123_label,
    is_valid_percent,
    negative_fields,
    required,
    spec_of,
    unsupported,
)
from deepdive.validate.rules.context import SetContext
from deepdive.validate.yamlcheck import Resource


def check_selectors(_context: SetContext, resource: Resource,
                    spec: dict[str, Any]) -> Iterator[Finding]:
    """api-selector. meta/v1/validation/validation.go ValidateLabelSelector, called by
    ValidateDeploymentSpec, ValidateReplicaSetSpec, ValidateStatefulSetSpec,
    ValidateDaemonSetSpec (pkg/apis/apps/validation/validation.go) and ValidateJobSpec
    (pkg/apis/batch/validation/validation.go); ValidateGeneratedSelector: a Job's own
    selector needs manualSelector: true; ValidateJobTemplateSpec: a CronJob's job template
    takes no selector and no manualSelector."""
    if resource.kind != "CronJob":
        yield from check_label_selector(resource, spec.get("selector"), ("spec", "selector"),
                                        "api-selector")
    if resource.kind == "Job" and spec.get("manualSelector") is not True \
            and _own_selector(spec):
        path: Path = ("spec", "selector")
        yield resource.finding(path, "api-selector", invalid(
            spec["selector"], "`selector` not auto-generated (set manualSelector: "
            "true to choose your own)"))
    job = spec.get("jobTemplate") if resource.kind == "CronJob" else None
    job_spec = job.get("spec") if isinstance(job, dict) else None
    if not isinstance(job_spec, dict):
        return
    base: Path = ("spec", "jobTemplate", "spec")
    if job_spec.get("selector") is not None:
        path = (*base, "selector")
        yield resource.finding(path, "api-selector", invalid(
            job_spec["selector"], "`selector` will be auto-generated"))
    if job_spec.get("manualSelector") is True:
        path = (*base, "manualSelector")
        yield resource.finding(path, "api-selector",
                               unsupported(True, ["nil", "false"]))


# pkg/registry/batch/job/strategy.go generateSelector: the labels a generated selector uses
GENERATED_JOB_LABELS = {"controller-uid", "job-name", "batch.kubernetes.io/controller-uid",
                        "batch.kubernetes.io/job-name"}


def _own_selector(spec: dict[str, Any]) -> bool:
    """A selector the generated one would not match (any key beyond the generated labels)."""
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        return False
    labels = selector.get("matchLabels") or {}
    return bool(selector.get("matchExpressions")) or (
        isinstance(labels, dict) and any(str(k) not in GENERATED_JOB_LABELS for k in labels))


# --- rollouts ------------------------------------------------------------------------------
def _int_or_percent(value: Any) -> tuple[int, bool]:
    """(value, is a percent) as the apps validation reads an IntOrString
    (getIntOrPercentValue; a string that is no percent counts as its integer or 0)."""
    if isinstance(value, str):
        if not is_valid_percent(value):
            return int(value[:-1]), True
        return (int(value), False) if value.isdigit() else (0, False)
    number = integer(value)
    return (0 if number is None else number), False


def _int_or_percent_findings(resource: Resource, path: Path, value: Any,
                             at_most_100: bool) -> Iterator[Finding]:
    """ValidatePositiveIntOrPercent (a percent string or a non-negative integer) and
    IsNotMoreThan100Percent."""
    if isinstance(value, str):
        errors = is_valid_percent(value)
        for detail in errors:
            yield resource.finding(path, "api-rollout", invalid(value, detail))
        if not errors and at_most_100 and int(value[:-1]) > 100:
            yield resource.finding(path, "api-rollout",
                                   invalid(value, "must not be greater than 100%"))
    elif (number := integer(value)) is not None and number < 0:
        yield resource.finding(path, "api-rollout", invalid(number, NEGATIVE))


def _defaulted(rolling: dict[str, Any], name: str, default: Any) -> Any:
    """A rollingUpdate field, or the API server's default when it is unset or null
    (SetDefaults_Deployment, SetDefaults_DaemonSet)."""
    value = rolling.get(name)
    return default if value is None else value


def check_rollouts(_context: SetContext, resource: Resource,
                   spec: dict[str, Any]) -> Iterator[Finding]:
    """api-rollout. apps/validation/validation.go ValidateDeploymentSpec (minReadySeconds
    and revisionHistoryLimit non-negative, progressDeadlineSeconds greater than
    minReadySeconds), ValidateDeploymentStrategy (no rollingUpdate with Recreate),
    ValidateRollingUpdateDeployment (maxUnavailable and maxSurge not both 0, maxUnavailable at
    most 100%), ValidateReplicaSetSpec, ValidateStatefulSetSpec and ValidateDaemonSetSpec
    (minReadySeconds, revisionHistoryLimit), ValidateDaemonSetUpdateStrategy and
    ValidateRollingUpdateDaemonSet (exactly one of maxUnavailable and maxSurge non-zero, each
    at most 100%)."""
    yield from negative_fields(resource, spec, ("spec",),
                               ("minReadySeconds", "revisionHistoryLimit"), "api-rollout")
    if resource.kind == "Deployment":
        yield from _deployment_findings(resource, spec)
    elif resource.kind == "DaemonSet":
        yield from _daemonset_findings(resource, spec)


def _deployment_findings(resource: Resource, spec: dict[str, Any]) -> Iterator[Finding]:
    rule = "api-rollout"
    deadline = integer(spec.get("progressDeadlineSeconds"))
    ready = integer(spec.get("minReadySeconds")) or 0
    deadline_path: Path = ("spec", "progressDeadlineSeconds")
    if deadline is not None and deadline < 0:
        yield resource.finding(deadline_path, rule, invalid(deadline, NEGATIVE))
    if (600 if deadline is None else deadline) <= ready:
        at: Path = deadline_path if deadline is not None else ("spec", "minReadySeconds")
        yield resource.finding(at, rule, invalid(
            600 if deadline is None else deadline,
            "must be greater than minReadySeconds"
            + ("" if deadline is not None else " (progressDeadlineSeconds defaults to 600)")))
    strategy = spec.get("strategy")
    if not isinstance(strategy, dict):
        return
    kind = strategy.get("type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    base: Path = ("spec", "strategy")
    if kind == "Recreate":
        if rolling is not None:
            path: Path = (*base, "rollingUpdate")
            yield resource.finding(path, rule, forbidden(
                "may not be specified when strategy `type` is 'Recreate'"))
        return
    if kind != "RollingUpdate":
        path = (*base, "type")
        yield resource.finding(path, rule, unsupported(kind, ["Recreate", "RollingUpdate"]))
        return
    rolling = rolling if isinstance(rolling, dict) else {}
    unavailable = _defaulted(rolling, "maxUnavailable", "25%")
    surge = _defaulted(rolling, "maxSurge", "25%")
    base = (*base, "rollingUpdate")
    yield from _int_or_percent_findings(resource, (*base, "maxUnavailable"), unavailable, True)
    yield from _int_or_percent_findings(resource, (*base, "maxSurge"), surge, False)
    if _int_or_percent(unavailable)[0] == 0 and _int_or_percent(surge)[0] == 0:
        path = (*base, "maxUnavailable")
        yield resource.finding(path, rule,
                               invalid(unavailable, "may not be 0 when `maxSurge` is 0"))


def _daemonset_findings(resource: Resource, spec: dict[str, Any]) -> Iterator[Finding]:
    rule = "api-rollout"
    strategy = spec.get("updateStrategy")
    if not isinstance(strategy, dict):
        return
    kind = strategy.get("type") or "RollingUpdate"
    base: Path = ("spec", "updateStrategy")
    if kind == "OnDelete":
        return
    if kind != "RollingUpdate":
        path: Path = (*base, "type")
        yield resource.finding(path, rule, unsupported(kind, ["RollingUpdate", "OnDelete"]))
        return
    rolling = strategy.get("rollingUpdate")
    rolling = rolling if isinstance(rolling, dict) else {}
    unavailable = _defaulted(rolling, "maxUnavailable", 1)
    surge = _defaulted(rolling, "maxSurge", 0)
    base = (*base, "rollingUpdate")
    yield from _int_or_percent_findings(resource, (*base, "maxUnavailable"), unavailable, True)
    yield from _int_or_percent_findings(resource, (*base, "maxSurge"), surge, True)
    has_unavailable = _int_or_percent(unavailable)[0] != 0
    has_surge = _int_or_percent(surge)[0] != 0
    if has_unavailable and has_surge:
        path = (*base, "maxSurge")
        yield resource.finding(path, rule, invalid(
            surge, "may not be set when maxUnavailable is non-zero"
            + ("" if rolling.get("maxUnavailable") is not None
               else " (maxUnavailable defaults to 1)")))
    elif not has_unavailable and not has_surge:
        path = (*base, "maxUnavailable")
        yield resource.finding(path, rule, required("cannot be 0 when maxSurge is 0"))


# --- StatefulSets --------------------------------------------------------------------------
POD_MANAGEMENT = ("OrderedReady", "Parallel")
RETENTION = ["Delete", "Retain"]


def check_statefulsets(_context: SetContext, resource: Resource,
                       spec: dict[str, Any]) -> Iterator[Finding]:
    """api-statefulset. apps/validation/validation.go ValidateStatefulSetSpec:
    serviceName, when set, a DNS-1123 label; podManagementPolicy OrderedReady or Parallel;
    updateStrategy RollingUpdate or OnDelete, rollingUpdate only with RollingUpdate,
    partition and ordinals.start non-negative;
    ValidatePersistentVolumeClaimRetentionPolicy: Retain or Delete."""
    rule = "api-statefulset"
    name = spec.get("serviceName")
    if isinstance(name, str) and name:
        path: Path = ("spec", "serviceName")
        for detail in is_dns1123_label(name):
            yield resource.finding(path, rule, invalid(name, detail))
    policy = spec.get("podManagementPolicy")
    if isinstance(policy, str) and policy and policy not in POD_MANAGEMENT:
        path = ("spec", "podManagementPolicy")
        yield resource.finding(path, rule, invalid(
            policy, "must be 'OrderedReady' or 'Parallel'"))
    strategy = spec.get("updateStrategy")
    if isinstance(strategy, dict):
        yield from _statefulset_strategy(resource, strategy)
    ordinals = spec.get("ordinals")
    yield from negative_fields(resource, ordinals, ("spec", "ordinals"), ("start",), rule)
    retention = spec.get("persistentVolumeClaimRetentionPolicy")
    for field_name in ("whenDeleted", "whenScaled"):
        value = retention.get(field_name) if isinstance(retention, dict) else None
        if isinstance(value, str) and value and value not in RETENTION:
            path = ("spec", "persistentVolumeClaimRetentionPolicy", field_name)
            yield resource.finding(path, rule, unsupported(value, RETENTION))


def _statefulset_strategy(resource: Resource, strategy: dict[str, Any]) -> Iterator[Finding]:
    rule = "api-statefulset"
    kind = strategy.get("type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    base: Path = ("spec", "updateStrategy")
    if kind not in ("RollingUpdate", "OnDelete"):
        path: Path = (*base, "type")
        yield resource.finding(path, rule, invalid(kind,
                                                   "must be 'RollingUpdate' or 'OnDelete'"))
    elif kind == "OnDelete" and rolling is not None:
        path = (*base, "rollingUpdate")
        yield resource.finding(path, rule, invalid(
            rolling, "only allowed for updateStrategy 'RollingUpdate'"))
    elif isinstance(rolling, dict):
        yield from negative_fields(resource, rolling, (*base, "rollingUpdate"), ("partition",),
                                   rule)


# --- Jobs and CronJobs -----------------------------------------------------------------------
JOB_RESTART_POLICIES = ["OnFailure", "Never"]
COMPLETION_MODES = ["Indexed", "NonIndexed"]
JOB_COUNTS = ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
              "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes")
MAX_INDEXED_PARALLELISM = 100000  # batch/validation maxParallelismForIndexedJob


def _job_spec_findings(resource: Resource, spec: dict[str, Any], base: Path,
                       template_policy: Any) -> Iterator[Finding]:
    """batch/validation/validation.go validateJobSpec."""
    rule = "api-job"
    yield from negative_fields(resource, spec, base, JOB_COUNTS, rule)
    mode = spec.get("completionMode")
    if isinstance(mode, str) and mode and mode not in COMPLETION_MODES:
        path: Path = (*base, "completionMode")
        yield resource.finding(path, rule, unsupported(mode, COMPLETION_MODES))
    if mode == "Indexed":
        if spec.get("completions") is None:
            path = (*base, "completions")
            yield resource.finding(path, rule,
                                   required("when completion mode is Indexed"))
        parallelism = integer(spec.get("parallelism"))
        if parallelism is not None and parallelism > MAX_INDEXED_PARALLELISM:
            path = (*base, "parallelism")
            yield resource.finding(path, rule, invalid(
                parallelism, f"must be less than or equal to {MAX_INDEXED_PARALLELISM} "
                "when completion mode is Indexed"))
    if spec.get("backoffLimitPerIndex") is not None and mode != "Indexed":
        path = (*base, "backoffLimitPerIndex")
        yield resource.finding(path, rule, invalid(
            spec["backoffLimitPerIndex"], "requires indexed completion mode"))
    if spec.get("maxFailedIndexes") is not None and spec.get("backoffLimitPerIndex") is None:
        path = (*base, "backoffLimitPerIndex")
        yield resource.finding(path, rule, required("when maxFailedIndexes is specified"))
    policy = template_policy if isinstance(template_policy, str) and template_policy \
        else "Always"
    if policy not in JOB_RESTART_POLICIES:
        path = (*base, "template", "spec", "restartPolicy")
        yield resource.finding(path, rule, unsupported(policy, JOB_RESTART_POLICIES)
                               + ("" if template_policy else " (restartPolicy defaults to "
                                  "Always)"))


def check_jobs(context: SetContext, resource: Resource,
               spec: dict[str, Any]) -> Iterator[Finding]:
    """api-job. batch/validation/validation.go validateJobSpec, for a Job and a CronJob's
    job template: parallelism, completions, activeDeadlineSeconds, backoffLimit and
    ttlSecondsAfterFinished non-negative; completionMode NonIndexed or Indexed, Indexed
    needing completions; backoffLimitPerIndex only when Indexed, maxFailedIndexes only with
    it; the template's restartPolicy OnFailure or Never (an unset one defaults to Always)."""
    template = context.template(resource)
    policy = template.spec.get("restartPolicy") if template is not None else None
    if resource.kind == "Job":
        yield from _job_spec_findings(resource, spec, ("spec",), policy)
        return
    job = spec.get("jobTemplate")
    job_spec = job.get("spec") if isinstance(job, dict) else None
    if isinstance(job_spec, dict):
        yield from _job_spec_findings(resource, job_spec, ("spec", "jobTemplate", "spec"),
                                      policy)


CONCURRENCY = ["Allow", "Forbid", "Replace"]
CRONJOB_NAME_MAX = 52  # DNS1035LabelMaxLength - 11: room for the Job's suffix


def check_cronjobs(_context: SetContext, resource: Resource,
                   spec: dict[str, Any]) -> Iterator[Finding]:
    """api-cronjob. batch/validation/validation.go ValidateCronJobCreate (a name of at
    most 52 characters), ValidateCronJobSpec: validateScheduleFormat (robfig/cron ParseStandard;
    no TZ= or CRON_TZ= in the schedule), validateTimeZone, validateConcurrencyPolicy,
    startingDeadlineSeconds and the history limits non-negative."""
    rule = "api-cronjob"
    if len(resource.name) > CRONJOB_NAME_MAX:
        path: Path = ("metadata", "name")
        yield resource.finding(path, rule, invalid(
            resource.name, f"must be no more than {CRONJOB_NAME_MAX} characters"))
    schedule = spec.get("schedule")
    path = ("spec", "schedule")
    if schedule == "":
        yield resource.finding(path, rule, required())
    elif isinstance(schedule, str):
        for detail in schedule_errors(schedule):
            yield resource.finding(path, rule, invalid(schedule, detail))
    zone = spec.get("timeZone")
    if isinstance(zone, str):
        path = ("spec", "timeZone")
        for detail in time_zone_errors(zone):
            yield resource.finding(path, rule, invalid(zone, detail))
    policy = spec.get("concurrencyPolicy")
    if isinstance(policy, str) and policy and policy not in CONCURRENCY:
        path = ("spec", "concurrencyPolicy")
        yield resource.finding(path, rule, unsupported(policy, CONCURRENCY))
    yield from negative_fields(
        resource, spec, ("spec",),
        ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"),
        rule)


# robfig/cron/v3 parser.go: the fields of a standard spec, and the descriptors
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
CRON_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day of month", 1, 31, {}),
    ("month", 1, 12, {m: i + 1 for i, m in enumerate(_MONTHS)}),
    ("day of week", 0, 6, {d: i for i, d in enumerate(_DAYS)}))
CRON_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
                    "@hourly"}
_DURATION = re.compile(r"(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


def schedule_errors(schedule: str) -> list[str]:
    """validateScheduleFormat: what robfig/cron's ParseStandard refuses (five fields, or a
    descriptor), then a time zone written into the schedule."""
    errors = []
    if "TZ" in schedule:
        errors.append("cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
    spec = schedule.strip()
    if spec.startswith(("TZ=", "CRON_TZ=")):
        _, _, spec = spec.partition(" ")
        spec = spec.strip()
    problem = _cron_problem(spec)
    return ([problem] if problem else []) + errors


def _cron_problem(spec: str) -> str:
    if not spec:
        return "empty spec string"
    if spec.startswith("@"):
        if spec in CRON_DESCRIPTORS:
            return ""
        every = spec.removeprefix("@every ")
        if every != spec and _valid_duration(every.strip()):
            return ""
        return f"unrecognized descriptor: {spec}"
    fields = spec.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    for text, (_name, low, high, names) in zip(fields, CRON_FIELDS, strict=True):
        for part in text.split(","):
            if problem := _cron_range_problem(part, low, high, names):
                return problem
    return ""


def _cron_number(text: str, names: dict[str, int]) -> int | None:
    if text.lower() in names:
        return names[text.lower()]
    return int(text) if text.isascii() and text.isdigit() else None


def _cron_range_problem(part: str, low: int, high: int, names: dict[str, int]) -> str:
    """robfig/cron getRange: `*` or `?`, a number or a-b, then an optional /step."""
    range_text, slash, step_text = part.partition("/")
    if "/" in step_text:
        return f"too many slashes: {part}"
    if range_text in ("*", "?"):
        start, end = low, high
    else:
        bounds = range_text.split("-")
        if len(bounds) > 2:
            return f"too many hyphens: {part}"
        numbers: list[int] = []
        for bound in bounds:
            number = _cron_number(bound, names)
            if number is None:
                return f"failed to parse int from {bound}"
            numbers.append(number)
        start, end = numbers[0], numbers[-1]
        if slash and len(bounds) == 1:
            end = high
    if slash:
        step = _cron_number(step_text, {})
        if step is None:
            return f"failed to parse int from {step_text}"
        if step <= 0:
            return f"step of range should be a positive number: {part}"
    if start < low:
        return f"beginning of range ({start}) below minimum ({low}): {part}"
    if end > high:
        return f"end of range ({end}) above maximum ({high}): {part}"
    if start > end:
        return f"beginning of range ({start}) beyond end of range ({end}): {part}"
    return ""


def _valid_duration(text: str) -> bool:
    """Go's time.ParseDuration, for @every."""
    return bool(text) and (text == "0" or bool(re.fullmatch(
        rf"[-+]?({_DURATION.pattern})+", text)))


_TZ_PART = re.compile(r"[A-Za-z\.\-_0-9+]{1,14}")  # batch/validation validTimeZoneCharacters
_ZONES: set[str] = set()


def time_zone_errors(zone: str) -> list[str]:
    """validateTimeZone: not empty, each part of allowed characters, not Local, and a zone
    Go's time.LoadLocation knows (the IANA database: checked only when Python has it)."""
    if not zone:
        return ["timeZone must be nil or non-empty string"]
    for part in zone.split("/"):
        if part in (".", "..") or part.startswith("-") or not _TZ_PART.fullmatch(part):
            return [f"unknown time zone {zone}"]
    if zone.lower() == "local":
        return ["timeZone must be an explicit time zone as defined in "
                "https://www.iana.org/time-zones"]
    if not _ZONES:
        from zoneinfo import available_timezones  # only CronJobs with a timeZone need it
        _ZONES.update(available_timezones() or {"UTC"})
    if len(_ZONES) > 1 and zone not in _ZONES and zone != "UTC":
        return [f"unknown time zone {zone}"]
    return []


WorkloadRule = Callable[[SetContext, Resource, dict[str, Any]], Iterator[Finding]]
RULES_BY_KIND: dict[tuple[str, str], tuple[WorkloadRule, ...]] = {
    ("apps", "Deployment"): (check_selectors, check_rollouts),
    ("apps", "ReplicaSet"): (check_selectors, check_rollouts),
    ("apps", "DaemonSet"): (check_selectors, check_rollouts),
    ("apps", "StatefulSet"): (check_selectors, check_rollouts, check_statefulsets),
    ("batch", "Job"): (check_selectors, check_jobs),
    ("batch", "CronJob"): (check_selectors, check_jobs, check_cronjobs),
}


def check_workloads(context: SetContext) -> Iterator[Finding]:
    """The rules above that apply to each member workload: one resource at a time."""
    for resource in context.members:
        rules = RULES_BY_KIND.get((resource.group, resource.kind))
        if rules:
            spec = spec_of(resource)
            for rule in rules:
                yield from rule(context, resource, spec)


APISERVER_WORKLOAD_CHECKS = (check_workloads,)
