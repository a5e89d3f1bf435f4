"""Render computed facts as Markdown (Material admonitions and tables)."""

from __future__ import annotations

from collections.abc import Collection
from fractions import Fraction

from deepdive.facts.document import DocumentFacts
from deepdive.facts.istio import (
    RouteRule,
    RouteTable,
    TrafficPolicy,
    WaitBound,
    format_seconds,
    format_share,
)
from deepdive.facts.istio_defaults import UNLIMITED
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


def _amount(resource: str, value: Fraction | None, missing: str = "none") -> str:
    if value is None:
        return missing  # words, not a dash a screen reader reads out as a symbol
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
            limit = _amount(resource, entry.limits.get(resource), "no limit")
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
            f"and at least **{bounds.min_available}** stay available. Pods that are "
            "terminating are not counted: until their grace period ends they can add to that "
            "(`podReplacementPolicy`, behind a feature gate, can make the Deployment wait "
            "for them).",
        ]
    return [f'!!! info "{rollout_title(bounds)}"', "",
            *_indent(["Computed from this manifest.", "", *body])]


def _seconds(window: Window) -> str:
    return f"{window.earliest}\u2013{window.latest} s"


def _setting(timeline: ProbeTimeline, name: str) -> str:
    value = str(timeline.settings[name])
    return f"{value} (default)" if name in timeline.defaulted else value


def _probe_table(probes: list[ProbeTimeline]) -> list[str]:
    """One container's probes side by side: a column per probe, a row per field."""
    rows = [
        "| Setting | " + " | ".join(t.kind for t in probes) + " |",
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
    body = ["Computed from this manifest; \"(default)\" marks a value Kubernetes fills in.",
            ""]
    for container, timelines in by_container.items():
        if len(by_container) > 1:
            body += [f"Container `{container}`:", ""]
        body += [*_probe_table(timelines), ""]
        body += [f"- {note}" for note in _probe_notes(timelines)]
        body.append("")
    return ['!!! info "Probe timeline"', "", *_indent(body[:-1])]


def _goes_to(rule: RouteRule) -> str:
    if not rule.destinations:
        return "no destination"
    if len(rule.destinations) == 1:
        return f"`{rule.destinations[0].label}`"
    return ", ".join(f"`{d.label}` {format_share(d.share)}" for d in rule.destinations)


def _wait_note(number: int, wait: WaitBound) -> str:
    retries = wait.retries
    if retries.attempts == 0:
        tries = "no retries"
    else:
        retry_word = "retry" if retries.attempts == 1 else "retries"
        tries = (f"up to {retries.attempts} {retry_word} ({wait.tries} tries)"
                 + (f" of at most {format_seconds(retries.per_try_timeout)} each"
                    if retries.per_try_timeout is not None else "")
                 + f" on `{retries.retry_on}`")
        if retries.defaulted:
            tries = "Istio's default retry policy: " + tries
    timeout = (f"timeout {format_seconds(wait.timeout)}" if wait.timeout is not None
               else "no timeout")
    worst = wait.worst_case
    if worst is None:
        bound = "a caller may wait as long as the server takes"
    elif wait.tries_bound is not None and wait.tries_bound < (wait.timeout or worst + 1):
        bound = (f"a caller waits at most **{format_seconds(worst)}** ({wait.tries} \u00d7 "
                 f"{format_seconds(retries.per_try_timeout or worst)} plus up to "
                 f"{format_seconds(wait.backoff)} of back-off between tries)")
    else:
        bound = f"a caller waits at most **{format_seconds(worst)}**, the timeout"
    return f"Rule {number}: {timeout}; {tries}; {bound}."


def routes_markdown(table: RouteTable) -> list[str]:
    rows = ["| Rule | Name | Requests | Go to |", "| --- | --- | --- | --- |"]
    notes: list[str] = []
    for rule in table.rules:
        number = rule.index + 1
        requests = " or ".join(rule.matches) if rule.matches else "every request"
        if requests == "every request" and rule.index > 0 and table.kind == "VirtualService":
            requests = "every other request"
        if rule.shadowed_by is not None:
            requests += f" (never reached: rule {rule.shadowed_by + 1} takes every request)"
        name = f"`{rule.name}`" if rule.name else "(no name)"
        rows.append(f"| {number} | {name} | {requests} | {_goes_to(rule)} |")
        weighted = [d for d in rule.destinations if d.weight]
        if len(rule.destinations) > 1:
            total = sum(d.weight for d in rule.destinations)
            shares = ", ".join(f"{d.label} {d.weight}/{total} = {format_share(d.share)}"
                               for d in weighted)
            notes.append(f"Rule {number}: weights are relative, each is divided by their sum "
                         f"({total}): {shares}"
                         + (f", {rule.section.upper()} connections split per connection"
                            if rule.section == "tcp" else "") + ".")
        if rule.fault is not None:
            parts = []
            if rule.fault.delay_share and rule.fault.delay is not None:
                parts.append(f"{format_share(rule.fault.delay_share)} of requests wait "
                             f"{format_seconds(rule.fault.delay)} before they are forwarded")
            if rule.fault.abort_share:
                parts.append(f"{format_share(rule.fault.abort_share)} are answered "
                             f"{rule.fault.abort_status} by the client's sidecar, never reaching "
                             "the service")
            notes.append(f"Rule {number}, fault injection: " + "; ".join(parts or ["none"])
                         + ".")
        if rule.wait is not None and rule.wait.retries is not None and (
                rule.wait.timeout is not None or not rule.wait.retries.defaulted):
            notes.append(_wait_note(number, rule.wait))
        if rule.mirror is not None and rule.mirror_share is not None:
            notes.append(f"Rule {number}: {format_share(rule.mirror_share)} of requests are "
                         f"also copied to `{rule.mirror.label}`; its answers are discarded.")
    intro = ("Computed from this manifest. The rules are tried in order and the first match "
             "wins." if table.kind == "VirtualService" else
             "Computed from this manifest. The most specific match wins (an exact path, then "
             "the longest prefix, then method, headers and query parameters); between equally "
             "specific matches, the first rule.")
    body = [intro, "", *rows]
    if notes:
        body += ["", *[f"- {note}" for note in notes]]
    return [f'!!! info "Route table: {table.kind} {table.name}"', "", *_indent(body)]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _limit(value: int) -> str:
    return "no limit" if value == UNLIMITED else str(value)


def policy_markdown(policy: TrafficPolicy) -> list[str]:
    body = ["Computed from this manifest and, for pod counts, its example set.", ""]
    if policy.subsets:
        body += ["| Subset | Pods labelled | Pods in this example |", "| --- | --- | --- |"]
        for subset in policy.subsets:
            labels = ", ".join(f"`{k}: {v}`" for k, v in subset.labels.items()) or "any"
            count = "unknown" if subset.endpoints is None else str(subset.endpoints)
            body.append(f"| `{subset.name}` | {labels} | {count} |")
        body.append("")
    balancer = f"Load balancing: `{policy.load_balancer}`"
    body.append(balancer + (" (Istio's default)." if policy.load_balancer_defaulted else "."))
    limits = policy.limits
    if limits is not None:
        per_connection = (str(limits.max_requests_per_connection)
                          if limits.max_requests_per_connection else "no limit")
        body += [
            "",
            "| Circuit-breaker limit, per client sidecar | Value |",
            "| --- | --- |",
            f"| connections (`tcp.maxConnections`) | {_limit(limits.max_connections)} |",
            f"| requests waiting for a connection (`http.http1MaxPendingRequests`) | "
            f"{_limit(limits.max_pending_requests)} |",
            f"| requests at once (`http.http2MaxRequests`) | {_limit(limits.max_requests)} |",
            f"| retries at once (`http.maxRetries`) | {_limit(limits.max_retries)} |",
            f"| requests per connection (`http.maxRequestsPerConnection`) | "
            f"{per_connection} |",
            "",
        ]
        if UNLIMITED not in (limits.max_connections, limits.max_pending_requests):
            connections = _count(limits.connections, "connection")
            if limits.connections > limits.max_connections:
                connections += (f" (one per pod: Envoy opens one to each of the "
                                f"{_count(limits.endpoints or 0, 'pod')} that has none, even "
                                f"past maxConnections {limits.max_connections})")
            body.append(
                f"A client's sidecar holds at most {connections} to `{policy.host}` and "
                f"queues at most {_count(limits.max_pending_requests, 'request')} for them: "
                f"with HTTP/1.1, from about request {limits.most_in_flight + 1} in flight at "
                "the same moment, the client's own sidecar answers 503 at once (response flag "
                "`UO`). The limits are approximate: each of the sidecar's worker threads keeps "
                "its own connection pool.")
    ejection = policy.ejection
    if ejection is not None:
        out = (f"{format_seconds(ejection.base_ejection_time)}, then "
               f"{format_seconds(ejection.ejection_time(2))} the second time, and so on")
        text = (f"Outlier detection: an endpoint that answers {ejection.consecutive_5xx} "
                f"5xx responses in a row is ejected for {out}; ejected endpoints are checked "
                f"every {format_seconds(ejection.interval)}.")
        if ejection.endpoints is not None and ejection.most_ejected is not None:
            pods = _count(ejection.endpoints, "pod")
            text += (f" Of the {pods} behind `{policy.host}` in this example, at most "
                     f"{ejection.most_ejected} can be ejected at once: {pods} \u00d7 "
                     f"maxEjectionPercent {ejection.max_ejection_percent}%, rounded down.")
            if ejection.most_ejected == 0:
                text += " No pod will ever be ejected; raise `maxEjectionPercent`."
        body += ["", text]
    return [f'!!! info "Traffic policy: DestinationRule {policy.name}"', "", *_indent(body)]


FACT_KINDS = ("qos", "rollout", "probes", "routes", "policy")
# How the boxes' titles start (deepdive.a11y_markdown gives these boxes' tables captions
# and row headers; tests/test_site.py finds the boxes by them).
FACT_TITLES = ("QoS class:", "Rollout bounds:", "Rollout: Recreate", "Probe timeline",
               "Route table:", "Traffic policy:")


def facts_markdown(facts: DocumentFacts, kinds: Collection[str] = FACT_KINDS) -> str:
    """The chosen facts of one document, as Markdown blocks separated by blank lines."""
    blocks: list[list[str]] = []
    if facts.qos is not None and "qos" in kinds:
        blocks.append(qos_markdown(facts.qos))
    if facts.rollout is not None and "rollout" in kinds:
        blocks.append(rollout_markdown(facts.rollout))
    if facts.probes and "probes" in kinds:
        blocks.append(probes_markdown(facts.probes))
    if facts.istio is not None and facts.istio.routes is not None and "routes" in kinds:
        blocks.append(routes_markdown(facts.istio.routes))
    if facts.istio is not None and facts.istio.policy is not None and "policy" in kinds:
        blocks.append(policy_markdown(facts.istio.policy))
    return "\n\n".join("\n".join(block) for block in blocks)
