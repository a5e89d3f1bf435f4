"""The facts boxes of the site's own manifests, word for word, as readers see them.

Each box was read against its manifest by a person (see the comments); the numbers in it are
the ones test_site_facts.py pins. A change to how the boxes are worded or computed shows up
here as a diff to review, and is made here on purpose.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deepdive.embed import load_embed
from deepdive.facts.document import document_facts
from deepdive.facts.markdown import facts_markdown
from test_site import MANIFESTS

BOXES = {
    'kubernetes/pods/qos-burstable.yaml': (
        '!!! info "QoS class: Burstable"\n'
        '\n'
        "    Computed from this manifest with Kubernetes' QoS rules.\n"
        '\n'
        '    | Container | CPU request | CPU limit | Memory request | Memory limit |\n'
        '    | --- | --- | --- | --- | --- |\n'
        '    | `web` | none | no limit | 100Mi | 200Mi |\n'
        '\n'
        '    Not Guaranteed because web sets no cpu limit; memory requests differ fro'
        'm memory limits.'
    ),
    'kubernetes/pods/qos-guaranteed.yaml': (
        '!!! info "QoS class: Guaranteed"\n'
        '\n'
        "    Computed from this manifest with Kubernetes' QoS rules.\n"
        '\n'
        '    | Container | CPU request | CPU limit | Memory request | Memory limit |\n'
        '    | --- | --- | --- | --- | --- |\n'
        '    | `web` | 250m | 250m | 200Mi | 200Mi |\n'
        '\n'
        '    Every container limits both CPU and memory, and requests equal limits.'
    ),
    'kubernetes/deployments/ramped/web-ramped-percent.yaml': (
        '!!! info "QoS class: Burstable"\n'
        '\n'
        "    Computed from this manifest with Kubernetes' QoS rules.\n"
        '\n'
        '    | Container | CPU request | CPU limit | Memory request | Memory limit |\n'
        '    | --- | --- | --- | --- | --- |\n'
        '    | `web` | 10m | no limit | 32Mi | 128Mi |\n'
        '\n'
        '    Not Guaranteed because web sets no cpu limit; memory requests differ fro'
        'm memory limits.\n'
        '\n'
        '!!! info "Rollout bounds: 10 replicas"\n'
        '\n'
        '    Computed from this manifest.\n'
        '\n'
        '    - maxSurge `25%` \u2192 3 pods (25% of 10, rounded up)\n'
        '    - maxUnavailable `25%` \u2192 2 pods (25% of 10, rounded down)\n'
        '\n'
        '    During a rolling update at most **13** pods exist (old and new), and at '
        'least **8** stay available. Pods that are terminating are not counted: until'
        ' their grace period ends they can add to that (`podReplacementPolicy`, behin'
        'd a feature gate, can make the Deployment wait for them).'
    ),
    'kubernetes/deployments/ramped/web-ramped-one-by-one.yaml': (
        '!!! info "QoS class: Burstable"\n'
        '\n'
        "    Computed from this manifest with Kubernetes' QoS rules.\n"
        '\n'
        '    | Container | CPU request | CPU limit | Memory request | Memory limit |\n'
        '    | --- | --- | --- | --- | --- |\n'
        '    | `web` | 10m | no limit | 32Mi | 128Mi |\n'
        '\n'
        '    Not Guaranteed because web sets no cpu limit; memory requests differ fro'
        'm memory limits.\n'
        '\n'
        '!!! info "Rollout bounds: 4 replicas"\n'
        '\n'
        '    Computed from this manifest.\n'
        '\n'
        '    - maxSurge `0%` \u2192 0 pods (0% of 4, rounded up)\n'
        '    - maxUnavailable `20%` rounds to 0 like maxSurge, so the controller allo'
        'ws 1 pod unavailable\n'
        '\n'
        '    During a rolling update at most **4** pods exist (old and new), and at l'
        'east **3** stay available. Pods that are terminating are not counted: until '
        'their grace period ends they can add to that (`podReplacementPolicy`, behind'
        ' a feature gate, can make the Deployment wait for them).'
    ),
    'kubernetes/deployments/recreate/web-recreate.yaml': (
        '!!! info "QoS class: Burstable"\n'
        '\n'
        "    Computed from this manifest with Kubernetes' QoS rules.\n"
        '\n'
        '    | Container | CPU request | CPU limit | Memory request | Memory limit |\n'
        '    | --- | --- | --- | --- | --- |\n'
        '    | `web` | 50m | no limit | 64Mi | 128Mi |\n'
        '\n'
        '    Not Guaranteed because web sets no cpu limit; memory requests differ fro'
        'm memory limits.\n'
        '\n'
        '!!! info "Rollout: Recreate, 3 replicas"\n'
        '\n'
        '    Computed from this manifest.\n'
        '\n'
        '    All old pods are stopped before any new pod starts: at most **3** exist,'
        ' and as few as **0** are available while the new ones start.'
    ),
    'kubernetes/probes/startup.yaml': (
        '!!! info "QoS class: BestEffort"\n'
        '\n'
        "    Computed from this manifest with Kubernetes' QoS rules.\n"
        '\n'
        '    | Container | CPU request | CPU limit | Memory request | Memory limit |\n'
        '    | --- | --- | --- | --- | --- |\n'
        '    | `web` | none | no limit | none | no limit |\n'
        '\n'
        '    No container requests or limits CPU or memory.\n'
        '\n'
        '!!! info "Probe timeline"\n'
        '\n'
        '    Computed from this manifest; "(default)" marks a value Kubernetes fills '
        'in.\n'
        '\n'
        '    | Setting | startupProbe | livenessProbe |\n'
        '    | --- | --- | --- |\n'
        '    | check | `httpGet` | `httpGet` |\n'
        '    | `initialDelaySeconds` | 0 (default) | 0 (default) |\n'
        '    | `periodSeconds` | 10 | 10 |\n'
        '    | `timeoutSeconds` | 1 (default) | 1 (default) |\n'
        '    | `successThreshold` | 1 (default) | 1 (default) |\n'
        '    | `failureThreshold` | 30 | 1 |\n'
        '    | acts after the check starts failing | 290\u2013301 s: restarts the containe'
        'r | 0\u201311 s: restarts the container |\n'
        '\n'
        '    - If `web` has not passed its startup check 290\u2013301 s after it starts, t'
        'he startup probe restarts it; liveness and readiness probes wait until the s'
        'tartup probe has passed.'
    ),
    'istio/traffic/timeouts-retries/virtual-service-retries.yaml': (
        '!!! info "Route table: VirtualService httpbin"\n'
        '\n'
        '    Computed from this manifest. The rules are tried in order and the first '
        'match wins.\n'
        '\n'
        '    | Rule | Name | Requests | Go to |\n'
        '    | --- | --- | --- | --- |\n'
        '    | 1 | (no name) | every request | `httpbin` |\n'
        '\n'
        '    - Rule 1: timeout 5 s; up to 3 retries (4 tries) of at most 1 s each on '
        '`5xx,connect-failure,reset`; a caller waits at most **4.275 s** (4 \u00d7 1 s plu'
        's up to 275 ms of back-off between tries).'
    ),
    'istio/traffic/timeouts-retries/virtual-service-timeout.yaml': (
        '!!! info "Route table: VirtualService httpbin"\n'
        '\n'
        '    Computed from this manifest. The rules are tried in order and the first '
        'match wins.\n'
        '\n'
        '    | Rule | Name | Requests | Go to |\n'
        '    | --- | --- | --- | --- |\n'
        '    | 1 | (no name) | every request | `httpbin` |\n'
        '\n'
        "    - Rule 1: timeout 2 s; Istio's default retry policy: up to 2 retries (3 "
        'tries) on `connect-failure,refused-stream,unavailable,cancelled,retriable-st'
        'atus-codes`; a caller waits at most **2 s**, the timeout.'
    ),
    'istio/traffic/fault-injection/virtual-service-delay.yaml': (
        '!!! info "Route table: VirtualService helloworld"\n'
        '\n'
        '    Computed from this manifest. The rules are tried in order and the first '
        'match wins.\n'
        '\n'
        '    | Rule | Name | Requests | Go to |\n'
        '    | --- | --- | --- | --- |\n'
        '    | 1 | (no name) | every request | `helloworld v1` |\n'
        '\n'
        '    - Rule 1, fault injection: 50% of requests wait 2 s before they are forw'
        'arded.'
    ),
    'istio/traffic/fault-injection/virtual-service-abort.yaml': (
        '!!! info "Route table: VirtualService helloworld"\n'
        '\n'
        '    Computed from this manifest. The rules are tried in order and the first '
        'match wins.\n'
        '\n'
        '    | Rule | Name | Requests | Go to |\n'
        '    | --- | --- | --- | --- |\n'
        '    | 1 | `tester-sees-errors` | header `end-user` is `tester` | `helloworld'
        ' v1` |\n'
        '    | 2 | `everyone-else` | every other request | `helloworld v1` |\n'
        '\n'
        "    - Rule 1, fault injection: 20% are answered 503 by the client's sidecar,"
        ' never reaching the service.'
    ),
    'istio/traffic/circuit-breaking/destination-rule.yaml': (
        '!!! info "Traffic policy: DestinationRule httpbin"\n'
        '\n'
        '    Computed from this manifest and, for pod counts, its example set.\n'
        '\n'
        "    Load balancing: `LEAST_REQUEST` (Istio's default).\n"
        '\n'
        '    | Circuit-breaker limit, per client sidecar | Value |\n'
        '    | --- | --- |\n'
        '    | connections (`tcp.maxConnections`) | 1 |\n'
        '    | requests waiting for a connection (`http.http1MaxPendingRequests`) | 1'
        ' |\n'
        '    | requests at once (`http.http2MaxRequests`) | no limit |\n'
        '    | retries at once (`http.maxRetries`) | no limit |\n'
        '    | requests per connection (`http.maxRequestsPerConnection`) | 1 |\n'
        '\n'
        "    A client's sidecar holds at most 3 connections (one per pod: Envoy opens"
        ' one to each of the 3 pods that has none, even past maxConnections 1) to `ht'
        'tpbin` and queues at most 1 request for them: with HTTP/1.1, from about requ'
        "est 5 in flight at the same moment, the client's own sidecar answers 503 at "
        "once (response flag `UO`). The limits are approximate: each of the sidecar's"
        ' worker threads keeps its own connection pool.'
    ),
    'istio/traffic/outlier-detection/destination-rule.yaml': (
        '!!! info "Traffic policy: DestinationRule httpbin"\n'
        '\n'
        '    Computed from this manifest and, for pod counts, its example set.\n'
        '\n'
        "    Load balancing: `LEAST_REQUEST` (Istio's default).\n"
        '\n'
        '    Outlier detection: an endpoint that answers 3 5xx responses in a row is '
        'ejected for 30 s, then 60 s the second time, and so on; ejected endpoints ar'
        'e checked every 5 s. Of the 3 pods behind `httpbin` in this example, at most'
        ' 1 can be ejected at once: 3 pods \u00d7 maxEjectionPercent 50%, rounded down.'
    ),
    'istio/traffic/request-routing/destination-rule.yaml': (
        '!!! info "Traffic policy: DestinationRule helloworld"\n'
        '\n'
        '    Computed from this manifest and, for pod counts, its example set.\n'
        '\n'
        '    | Subset | Pods labelled | Pods in this example |\n'
        '    | --- | --- | --- |\n'
        '    | `v1` | `version: v1` | 1 |\n'
        '    | `v2` | `version: v2` | 1 |\n'
        '\n'
        "    Load balancing: `LEAST_REQUEST` (Istio's default)."
    ),
    'istio/traffic/request-routing/virtual-service.yaml': (
        '!!! info "Route table: VirtualService helloworld"\n'
        '\n'
        '    Computed from this manifest. The rules are tried in order and the first '
        'match wins.\n'
        '\n'
        '    | Rule | Name | Requests | Go to |\n'
        '    | --- | --- | --- | --- |\n'
        '    | 1 | `tester-to-v2` | header `end-user` is `tester` | `helloworld v2` |'
        '\n'
        '    | 2 | `everyone-else` | every other request | `helloworld v1` |'
    ),
    'istio/traffic/mirroring/virtual-service.yaml': (
        '!!! info "Route table: VirtualService helloworld"\n'
        '\n'
        '    Computed from this manifest. The rules are tried in order and the first '
        'match wins.\n'
        '\n'
        '    | Rule | Name | Requests | Go to |\n'
        '    | --- | --- | --- | --- |\n'
        '    | 1 | (no name) | every request | `helloworld v1` |\n'
        '\n'
        '    - Rule 1: 100% of requests are also copied to `helloworld v2`; its answe'
        'rs are discarded.'
    ),
    'istio/traffic/traffic-shifting/virtual-service-90-10.yaml': (
        '!!! info "Route table: VirtualService helloworld"\n'
        '\n'
        '    Computed from this manifest. The rules are tried in order and the first '
        'match wins.\n'
        '\n'
        '    | Rule | Name | Requests | Go to |\n'
        '    | --- | --- | --- | --- |\n'
        '    | 1 | (no name) | every request | `helloworld v1` 90%, `helloworld v2` 1'
        '0% |\n'
        '\n'
        '    - Rule 1: weights are relative, each is divided by their sum (100): hell'
        'oworld v1 90/100 = 90%, helloworld v2 10/100 = 10%.'
    ),
    'istio/traffic/traffic-shifting/httproute-90-10.yaml': (
        '!!! info "Route table: HTTPRoute helloworld"\n'
        '\n'
        '    Computed from this manifest. The most specific match wins (an exact path'
        ', then the longest prefix, then method, headers and query parameters); betwe'
        'en equally specific matches, the first rule.\n'
        '\n'
        '    | Rule | Name | Requests | Go to |\n'
        '    | --- | --- | --- | --- |\n'
        '    | 1 | (no name) | every request | `helloworld-v1:5000` 90%, `helloworld-'
        'v2:5000` 10% |\n'
        '\n'
        '    - Rule 1: weights are relative, each is divided by their sum (100): hell'
        'oworld-v1:5000 90/100 = 90%, helloworld-v2:5000 10/100 = 10%.'
    ),
    'istio/traffic/tcp-traffic-shifting/virtual-service-80-20.yaml': (
        '!!! info "Route table: VirtualService tcp-echo"\n'
        '\n'
        '    Computed from this manifest. The rules are tried in order and the first '
        'match wins.\n'
        '\n'
        '    | Rule | Name | Requests | Go to |\n'
        '    | --- | --- | --- | --- |\n'
        '    | 1 | (no name) | port 9000 | `tcp-echo v1:9000` 80%, `tcp-echo v2:9000`'
        ' 20% |\n'
        '\n'
        '    - Rule 1: weights are relative, each is divided by their sum (100): tcp-'
        'echo v1:9000 80/100 = 80%, tcp-echo v2:9000 20/100 = 20%, TCP connections sp'
        'lit per connection.'
    ),
}


@pytest.mark.parametrize(("path", "box"), BOXES.items())
def test_facts_boxes_of_the_site_manifests(path: str, box: str) -> None:
    embed = load_embed(MANIFESTS, path)
    shown = "\n".join(facts_markdown(document_facts(d, embed.context))
                      for d in embed.loaded.documents)
    assert shown == box


def test_the_boxes_are_what_the_manifest_macro_puts_under_the_file() -> None:
    path = "kubernetes/pods/qos-guaranteed.yaml"
    assert BOXES[path] in load_embed(MANIFESTS, path).markdown("", with_apply=False)
    assert Path(MANIFESTS / path).is_file()


# --- boxes for cases no site manifest has yet --------------------------------------------------

def pod_box(spec: str) -> str:
    import yaml

    from deepdive.facts.markdown import qos_markdown
    from deepdive.facts.qos import compute_qos

    return "\n".join(qos_markdown(compute_qos(yaml.safe_load(spec))))


def test_the_qos_box_marks_init_containers_and_defaulted_requests() -> None:
    box = pod_box("""
initContainers:
  - {name: setup, resources: {limits: {cpu: 100m, memory: 64Mi}}}
containers:
  - {name: app, resources: {requests: {cpu: 200m}, limits: {cpu: 200m, memory: 1Gi}}}
""")
    assert box.startswith('!!! info "QoS class: Guaranteed"\n')
    assert "    | `setup` (init) | 100m (from limit) | 100m | 64Mi (from limit) | 64Mi |" in box
    assert "    | `app` | 200m | 200m | 1Gi (from limit) | 1Gi |" in box
    assert box.endswith(
        "    Every container limits both CPU and memory, and requests equal limits.")


def test_the_qos_box_of_pod_level_resources() -> None:
    guaranteed = pod_box("""
resources: {limits: {cpu: "1", memory: 1Gi}}
containers: [{name: app}]
""")
    assert "    | `(pod)` | 1 (from limit) | 1 | 1Gi (from limit) | 1Gi |" in guaranteed
    assert guaranteed.endswith(
        "    Pod-level `spec.resources` decide the class. The pod limits both CPU and memory, "
        "and its requests equal its limits.")
    derived = pod_box("""
resources: {requests: {cpu: 500m, memory: 1Gi}}
containers: [{name: app, resources: {limits: {cpu: 500m, memory: 1Gi}}}]
""")
    assert ("    | `(pod)` | 500m | 500m (containers' total) | 1Gi | 1Gi (containers' total) |"
            in derived)
    summed = pod_box("""
resources: {limits: {cpu: "1", memory: 1Gi}}
containers: [{name: app, resources: {requests: {cpu: 300m, memory: 1Gi}}}]
""")
    assert ("    | `(pod)` | 300m (containers' total) | 1 | 1Gi (containers' total) | 1Gi |"
            in summed)
    assert summed.endswith("Pod-level `spec.resources` decide the class. Not Guaranteed because "
                           "cpu requests differ from cpu limits.")


def _route_box(http: str) -> str:
    """The route box of a VirtualService for host shop with these `http` rules (YAML)."""
    import yaml

    from deepdive.facts.istio import route_table
    from deepdive.facts.markdown import routes_markdown
    from deepdive.manifests import Document

    data = yaml.safe_load("apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
                          "metadata: {name: shop}\nspec:\n  hosts: [shop]\n  http:\n" + http)
    document = Document(path=Path("t.yaml"), index=0, data=data)
    return "\n".join(routes_markdown(route_table(document)))


def test_a_route_box_for_a_rule_that_is_never_reached_and_no_destination() -> None:
    box = _route_box("""
    - route: [{destination: {host: shop, subset: v1}, weight: 3},
              {destination: {host: shop, subset: v2}, weight: 0}]
      retries: {attempts: 0}
      fault: {delay: {fixedDelay: 1s}}
    - match: [{uri: {prefix: /a}}]
      route: [{destination: {host: shop}}]
      timeout: 3s
      retries: {attempts: 5, perTryTimeout: 1s}
    - match: [{uri: {prefix: /b}}]
      retries: {attempts: 2}
""")
    assert ("    | 1 | (no name) | every request | `shop v1` 100%, `shop v2` 0% |" in box)
    assert ("    | 2 | (no name) | path starts with `/a` (never reached: rule 1 takes every "
            "request) | `shop` |") in box
    assert "    | 3 | (no name) | path starts with `/b` (never reached: rule 1 takes every " \
        "request) | no destination |" in box
    assert ("    - Rule 1: weights are relative, each is divided by their sum (3): "
            "shop v1 3/3 = 100%.") in box
    assert "    - Rule 1, fault injection: none." in box
    assert ("    - Rule 1: no timeout; no retries; a caller may wait as long as the server "
            "takes.") in box
    assert ("    - Rule 2: timeout 3 s; up to 5 retries (6 tries) of at most 1 s each on "
            "`connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes`; "
            "a caller waits at most **3 s**, the timeout.") in box
    assert ("    - Rule 3: no timeout; up to 2 retries (3 tries) on `connect-failure,"
            "refused-stream,unavailable,cancelled,retriable-status-codes`; a caller may wait "
            "as long as the server takes.") in box


def test_one_retry_is_singular() -> None:
    box = _route_box("""
    - route: [{destination: {host: shop}}]
      retries: {attempts: 1}
""")
    assert "up to 1 retry (2 tries)" in box
