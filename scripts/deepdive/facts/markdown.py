"""Render computed facts as Markdown (Material admonitions and tables)."""

from __future__ import annotations

from collections.abc import Collection
from fractions import Fraction

from deepdive.facts.document import DocumentFacts
from deepdive.facts.probes import DEFAULTS, ProbeTimeline, Window
from deepdive.facts.qos import QOS_RESOURCES, QosClass, QosReport
from deepdive.facts.rollout import RolloutBounds
from deepdive.quantity import format_bytes, format_cpu

_PROBE_ACTION = {
    "startupProbe": "restarts the container",
    "livenessProbe": "restarts the container",
    "readinessProbe": "removes the pod from Service endpoints",
}


def _indent(lines: list[str]) -> list[str]:
    return [f"    {line}" if line else "" for line in lines]


def _amount(resource: str, value: Fraction | None) -> str:
    if value is None:
        return "\u2013"  # en dash: no amount
    return format_cpu(value) if resource == "cpu" else format_bytes(value)


def qos_markdown(report: QosReport) -> list[str]:
    lines = [
        f'!!! info "QoS class: {report.qos_class}"',
        "",
    ]
    body = ["| Container | CPU request | CPU limit | Memory request | Memory limit |",
            "| --- | --- | --- | --- | --- |"]
    for entry in report.resources:
        cells = [f"`{entry.name}`" + (" (init)" if entry.field == "initContainers" else "")]
        for resource in QOS_RESOURCES:
            request = _amount(resource, entry.requests.get(resource))
            limit = _amount(resource, entry.limits.get(resource))
            if resource in entry.defaulted:
                request += " (from limit)"
            if f"requests.{resource}" in entry.derived:
                request += " (containers' total)"
            if f"limits.{resource}" in entry.derived:
                limit += " (containers' total)"
            cells += [request, limit]
        body.append("| " + " | ".join(cells) + " |")
    if report.qos_class is QosClass.GUARANTEED and report.pod_level:
        why = "The pod limits both CPU and memory, and its requests equal its limits."
    elif report.qos_class is QosClass.GUARANTEED:
        why = "Every container limits both CPU and memory, and requests equal limits."
    elif report.qos_class is QosClass.BEST_EFFORT:
        why = "No container requests or limits CPU or memory."
    else:
        why = "Not Guaranteed because " + "; ".join(report.reasons) + "."
    if report.pod_level:
        why = "Pod-level `spec.resources` decide the class. " + why
    body = ["Computed from this manifest with Kubernetes' QoS rules.", "", *body, "", why]
    return lines + _indent(body)


def _pods(count: int, noun: str = "pod") -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def rollout_title(bounds: RolloutBounds) -> str:
    """The admonition title, e.g. "Rollout bounds: 10 replicas"."""
    if bounds.strategy == "Recreate":
        return f"Rollout: Recreate, {_pods(bounds.replicas, 'replica')}"
    return f"Rollout bounds: {_pods(bounds.replicas, 'replica')}"


def _resolved(name: str, spec: str, pods: int, replicas: int, rounding: str) -> str:
    text = f"{name} `{spec}` → {_pods(pods)}"
    if spec.endswith("%"):
        text += f" ({spec} of {replicas}, rounded {rounding})"
    return text


def rollout_markdown(bounds: RolloutBounds) -> list[str]:
    if bounds.strategy == "Recreate":
        body = [
            f"All old pods are stopped before any new pod starts: at most "
            f"**{bounds.max_pods}** exist, and as few as **{bounds.min_available}** "
            "are available while the new ones start."
        ]
    else:
        surge = _resolved("maxSurge", bounds.max_surge_spec, bounds.max_surge, bounds.replicas,
                          "up")
        if bounds.fencepost:
            unavailable = (
                f"maxUnavailable `{bounds.max_unavailable_spec}` rounds to 0 like maxSurge, "
                f"so the controller allows {_pods(bounds.max_unavailable)} unavailable"
            )
        else:
            unavailable = _resolved("maxUnavailable", bounds.max_unavailable_spec,
                                    bounds.max_unavailable, bounds.replicas, "down")
        body = [
            f"- {surge}",
            f"- {unavailable}",
            "",
            f"During a rolling update at most **{bounds.max_pods}** pods exist (old and new), "
            f"and at least **{bounds.min_available}** stay available.",
        ]
    return [f'!!! info "{rollout_title(bounds)}"', "",
            *_indent(["Computed from this manifest.", "", *body])]


def _seconds(window: Window) -> str:
    return f"{window.earliest}\u2013{window.latest} s"


def _setting(timeline: ProbeTimeline, name: str) -> str:
    value = str(timeline.settings[name])
    return f"{value}*" if name in timeline.defaulted else value


def _probe_table(probes: list[ProbeTimeline]) -> list[str]:
    """One container's probes side by side: a column per probe, a row per field."""
    rows = [
        "| | " + " | ".join(t.kind for t in probes) + " |",
        "| --- |" + " --- |" * len(probes),
        "| check | " + " | ".join(f"`{t.handler}`" for t in probes) + " |",
    ]
    rows += [
        f"| `{name}` | " + " | ".join(_setting(t, name) for t in probes) + " |"
        for name in DEFAULTS
    ]
    rows.append(
        "| acts after the check starts failing | "
        + " | ".join(f"{_seconds(t.act_after_failure)}: {_PROBE_ACTION[t.kind]}" for t in probes)
        + " |"
    )
    return rows


def _probe_notes(probes: list[ProbeTimeline]) -> list[str]:
    has_startup = any(t.kind == "startupProbe" for t in probes)
    notes: list[str] = []
    for timeline in probes:
        if timeline.kind == "startupProbe":
            notes.append(
                f"If `{timeline.container}` has not passed its startup check "
                f"{_seconds(timeline.act_from_start)} after it starts, the startup probe "
                "restarts it; liveness and readiness probes wait until the startup probe has "
                "passed."
            )
        elif timeline.kind == "livenessProbe" and not has_startup:
            notes.append(
                f"If `{timeline.container}` fails its liveness check from the start, it is "
                f"restarted {_seconds(timeline.act_from_start)} after it starts."
            )
        elif timeline.recover_after_success is not None:
            notes.append(
                f"`{timeline.container}` is back in endpoints "
                f"{_seconds(timeline.recover_after_success)} after its readiness check passes "
                "again."
            )
    return notes


def probes_markdown(probes: tuple[ProbeTimeline, ...]) -> list[str]:
    by_container: dict[str, list[ProbeTimeline]] = {}
    for timeline in probes:
        by_container.setdefault(timeline.container, []).append(timeline)
    body = ["Computed from this manifest; `*` marks a default Kubernetes fills in.", ""]
    for container, timelines in by_container.items():
        if len(by_container) > 1:
            body += [f"Container `{container}`:", ""]
        body += [*_probe_table(timelines), ""]
        body += [f"- {note}" for note in _probe_notes(timelines)]
        body.append("")
    return ['!!! info "Probe timeline"', "", *_indent(body[:-1])]


FACT_KINDS = ("qos", "rollout", "probes")


def facts_markdown(facts: DocumentFacts, kinds: Collection[str] = FACT_KINDS) -> str:
    """The chosen facts of one document, as Markdown blocks separated by blank lines."""
    blocks: list[list[str]] = []
    if facts.qos is not None and "qos" in kinds:
        blocks.append(qos_markdown(facts.qos))
    if facts.rollout is not None and "rollout" in kinds:
        blocks.append(rollout_markdown(facts.rollout))
    if facts.probes and "probes" in kinds:
        blocks.append(probes_markdown(facts.probes))
    return "\n\n".join("\n".join(block) for block in blocks)
