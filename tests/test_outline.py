"""Every item of the show notes' outline has its own section in the built site."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

# (outline item, page under site/, id of the heading that covers it)
OUTLINE: list[tuple[str, str, str]] = [
    ("Kubernetes components", "kubernetes/components/index.html", "kubernetes-components"),
    ("Control plane components", "kubernetes/components/index.html", "control-plane"),
    ("Node components", "kubernetes/components/index.html", "node-components"),
    ("How kubectl apply flows", "kubernetes/components/index.html", "how-kubectl-apply-flows"),
    ("Pod", "kubernetes/pods/index.html", "pods"),
    ("Pod resources", "kubernetes/pods/index.html", "pod-resources"),
    ("QoS classes", "kubernetes/pods/index.html", "qos-classes"),
    ("Guaranteed", "kubernetes/pods/index.html", "guaranteed"),
    ("Burstable", "kubernetes/pods/index.html", "burstable"),
    ("BestEffort", "kubernetes/pods/index.html", "besteffort"),
    ("Eviction order", "kubernetes/pods/index.html", "eviction-under-node-pressure"),
    ("Deployment", "kubernetes/deployments/index.html", "deployments"),
    ("Rollout strategies", "kubernetes/rollout-strategies/index.html", "rollout-strategies"),
    ("Recreate", "kubernetes/rollout-strategies/index.html", "recreate"),
    ("Ramped", "kubernetes/rollout-strategies/index.html", "ramped"),
    ("Blue/Green", "kubernetes/rollout-strategies/index.html", "bluegreen"),
    ("Canary", "kubernetes/rollout-strategies/index.html", "canary"),
    ("Rollout status, history, pause/resume, undo", "kubernetes/deployments/index.html",
     "managing-a-rollout"),
    ("Probes", "kubernetes/probes/index.html", "liveness-readiness-and-startup-probes"),
    ("Liveness command", "kubernetes/probes/index.html", "liveness-command"),
    ("Liveness HTTP request", "kubernetes/probes/index.html", "liveness-http-request"),
    ("TCP probe", "kubernetes/probes/index.html", "tcp-probe"),
    ("gRPC probe", "kubernetes/probes/index.html", "grpc-probe"),
    ("Readiness probe", "kubernetes/probes/index.html", "readiness-probe"),
    ("Startup probe", "kubernetes/probes/index.html", "startup-probe"),
    ("Probe timing fields", "kubernetes/probes/index.html", "timing-fields-and-defaults"),
    ("StatefulSet", "kubernetes/statefulsets/index.html", "statefulsets"),
    ("When to use a StatefulSet", "kubernetes/statefulsets/index.html",
     "when-to-use-a-statefulset"),
    ("Stable names and DNS", "kubernetes/statefulsets/index.html", "stable-names-and-dns"),
    ("volumeClaimTemplates", "kubernetes/statefulsets/index.html", "volumeclaimtemplates"),
    ("Pod management policy", "kubernetes/statefulsets/index.html", "pod-management-policy"),
    ("Update strategies", "kubernetes/statefulsets/index.html", "update-strategies"),
    ("Service", "kubernetes/services/index.html", "services-and-endpoints"),
    ("Multi-port Services", "kubernetes/services/index.html", "multi-port-services"),
    ("Headless Services", "kubernetes/services/index.html", "headless-services"),
    ("ExternalName", "kubernetes/services/index.html", "externalname"),
    ("NodePort and LoadBalancer", "kubernetes/services/index.html", "nodeport-and-loadbalancer"),
    ("Endpoints and EndpointSlices", "kubernetes/services/index.html",
     "endpoints-and-endpointslices"),
    ("kubectl top", "kubernetes/extras/index.html", "kubectl-top"),
    ("kubectl logs", "kubernetes/extras/index.html", "kubectl-logs"),
    ("stern", "kubernetes/extras/index.html", "stern"),
    ("Istio overview", "istio/index.html", "what-a-mesh-adds-and-what-it-costs"),
    ("Istio set-up on kind", "istio/index.html", "set-up-istio-on-the-kind-cluster"),
    ("Sidecar injection", "istio/index.html", "turn-on-sidecar-injection"),
    ("The sample app", "istio/index.html", "the-sample-app"),
    ("Istio architecture", "istio/architecture/index.html", "architecture"),
    ("Data plane", "istio/architecture/index.html", "the-data-plane"),
    ("Istiod", "istio/architecture/index.html", "the-control-plane-istiod"),
    ("xDS", "istio/architecture/index.html",
     "configuration-from-istio-resources-to-envoy-over-xds"),
    ("Certificates and identity", "istio/architecture/index.html",
     "certificates-and-workload-identity"),
    ("Sidecar and ambient mode", "istio/architecture/index.html",
     "sidecar-mode-and-ambient-mode"),
    ("Envoy", "istio/envoy/index.html", "envoy-the-sidecar"),
    ("Envoy: traffic interception", "istio/envoy/index.html", "how-the-sidecar-intercepts-traffic"),
    ("Envoy: listeners, routes, clusters, endpoints", "istio/envoy/index.html",
     "listeners-routes-clusters-endpoints"),
    ("Envoy features and their Istio fields", "istio/envoy/index.html",
     "what-envoy-can-do-and-the-istio-field-that-asks-for-it"),
    ("istioctl proxy-config and analyze", "istio/envoy/index.html",
     "inspect-and-check-the-configuration"),
    ("Traffic management", "istio/traffic-management/index.html", "traffic-management"),
    ("VirtualService, DestinationRule, subsets", "istio/traffic-management/index.html",
     "virtualservice-destinationrule-and-subsets"),
    ("Request routing", "istio/traffic-management/index.html", "request-routing"),
    ("Traffic shifting", "istio/traffic-management/index.html", "traffic-shifting"),
    ("TCP traffic shifting", "istio/traffic-management/index.html", "tcp-traffic-shifting"),
    ("Mirroring", "istio/traffic-management/index.html", "mirroring"),
    ("Fault injection", "istio/resilience/index.html", "fault-injection"),
    ("Timeouts", "istio/resilience/index.html", "timeouts"),
    ("Retries", "istio/resilience/index.html", "retries"),
    ("Circuit breaking", "istio/resilience/index.html", "circuit-breaking"),
    ("Outlier detection", "istio/resilience/index.html", "outlier-detection"),
    ("Ingress", "istio/ingress/index.html", "ingress"),
    ("Egress: ALLOW_ANY and REGISTRY_ONLY", "istio/egress/index.html",
     "allow_any-and-registry_only"),
    ("Egress: ServiceEntry", "istio/egress/index.html", "serviceentry"),
    ("Egress gateway", "istio/egress/index.html", "an-egress-gateway"),
    ("Observability", "istio/observability/index.html", "observability-and-kiali"),
    ("Istio standard metrics", "istio/observability/index.html", "standard-metrics"),
    ("Prometheus and PromQL", "istio/observability/index.html",
     "querying-the-metrics-with-promql"),
    ("Grafana", "istio/observability/index.html", "grafana-dashboards"),
    ("Distributed tracing", "istio/observability/index.html", "distributed-tracing"),
    ("Access logs", "istio/observability/index.html", "access-logs"),
    ("Kiali", "istio/observability/index.html", "kiali"),
]


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"h1", "h2", "h3", "h4"}:
            self.ids.update(value for name, value in attrs if name == "id" and value)


def heading_ids(page: Path) -> set[str]:
    parser = _Headings()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.ids


@pytest.mark.parametrize(("item", "page", "anchor"), OUTLINE, ids=[row[0] for row in OUTLINE])
def test_outline_item_has_a_section(built_site: Path, item: str, page: str, anchor: str) -> None:
    path = built_site / page
    assert path.is_file(), f"{item}: page {page} was not built"
    assert anchor in heading_ids(path), f"{item}: no heading #{anchor} on {page}"


@pytest.mark.parametrize("page", sorted({row[1] for row in OUTLINE}))
def test_every_outline_page_has_a_try_it_section(built_site: Path, page: str) -> None:
    ids = heading_ids(built_site / page)
    assert any(i == "try-it" or i.startswith("try-it") for i in ids), f"{page} has no 'Try it'"
