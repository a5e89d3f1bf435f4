"""Pure: the mesh model -> an Envoy bootstrap (plain dicts), named and defaulted as istiod does.

One Envoy plays the client's sidecar (outbound listeners, one per service port) and, when the
files declare gateways, the gateway too (one listener per gateway port). Istio delivers the
same objects over xDS; here they are static, with the endpoints the runner started.
Comments cite the Istio source each name or default comes from (istio/istio, master).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deepdive.facts import istio_defaults as default
from deepdive.lab.fields import LabError
from deepdive.lab.mesh import (
    LB_POLICIES,
    MESH,
    Destination,
    HttpRoutes,
    HttpRule,
    Match,
    Mesh,
    Service,
    cluster_name,
    seconds,
)

Endpoints = Mapping[str, tuple[str, int]]  # pod name (or external host) -> local address
Json = dict[str, Any]

PASSTHROUGH = "PassthroughCluster"  # pilot/pkg/networking/util/util.go PassthroughCluster
BLACKHOLE = "BlackHoleCluster"  # util.go BlackHoleCluster
# Istio's defaults come from the one table the pages read too, with their sources.
MAX_UINT32 = default.UNLIMITED
CONNECT_TIMEOUT = f"{default.CONNECT_TIMEOUT}s"
FAULT_FILTER = "envoy.filters.http.fault"
TYPE = "type.googleapis.com/"


# The tags of Istio's bootstrap that the metrics need (tools/packaging/common/
# envoy_bootstrap.json stats_config): the cluster, the response code and its class.
STATS_CONFIG: Json = {
    "use_all_default_tags": False,
    "stats_tags": [
        {"tag_name": "cluster_name", "regex": "^cluster(\\.(.+);)"},
        {"tag_name": "response_code", "regex": "_rq(_(\\d{3}))$"},
        {"tag_name": "response_code_class", "regex": "_rq(_(\\dxx))$"},
    ],
}


def cluster_stat(cluster: str, stat: str) -> str:
    """A cluster's statistic as /stats names it (under its alt_stat_name)."""
    return f"cluster.{cluster};.{stat}"


def duration(text: str) -> str:
    """Envoy's JSON durations are seconds only ('0.5s'); Istio's YAML allows '500ms'."""
    value = seconds(str(text))
    return f"{value:g}s"


def default_retry_policy() -> Json:
    """A route without `retries` (pilot/pkg/networking/core/route/retry/retry.go
    DefaultPolicy): 2 retries, these conditions, never the same host twice."""
    return {
        "num_retries": default.RETRY_ATTEMPTS,
        "retry_on": default.RETRY_ON,
        "retry_host_predicate": [_previous_hosts()],
        "host_selection_retry_max_attempts": default.RETRY_HOST_SELECTION_ATTEMPTS,
    }


def _previous_hosts() -> Json:
    return {"name": "envoy.retry_host_predicates.previous_hosts",
            "typed_config": {"@type": TYPE + "envoy.extensions.retry.host.previous_hosts.v3"
                                             ".PreviousHostsPredicate"}}


def retry_policy(rule: HttpRule) -> Json | None:
    """retry.go ConvertPolicy: `attempts: 0` disables retries; numbers in retryOn become
    retriable_status_codes (and add 'retriable-status-codes')."""
    if rule.retries is None:
        return default_retry_policy()
    if rule.retries.attempts <= 0:
        return None
    policy = default_retry_policy()
    policy["num_retries"] = rule.retries.attempts
    if rule.retries.retry_on:
        words, codes = [], []
        for part in (p.strip() for p in str(rule.retries.retry_on).split(",")):
            if part.isdigit():
                codes.append(int(part))
            elif part:
                words.append(part)
        if codes and "retriable-status-codes" not in words:
            words.append("retriable-status-codes")
        policy["retry_on"] = ",".join(words)
        if codes:
            policy["retriable_status_codes"] = codes
    if rule.retries.per_try_timeout:
        policy["per_try_timeout"] = duration(rule.retries.per_try_timeout)
    return policy


def fractional(percent: float) -> Json:
    """route.go translatePercentToFractionalPercent: value * 10000 parts per MILLION."""
    return {"numerator": int(percent * 10000), "denominator": "MILLION"}


def fault_config(rule: HttpRule) -> Json | None:
    """route.go TranslateFault: the fault filter's per-route configuration."""
    fault = rule.fault
    if fault is None:
        return None
    config: Json = {"@type": TYPE + "envoy.extensions.filters.http.fault.v3.HTTPFault"}
    if fault.delay is not None and fault.delay_percent is not None:
        config["delay"] = {"fixed_delay": duration(fault.delay),
                           "percentage": fractional(fault.delay_percent)}
    if fault.abort_status is not None and fault.abort_percent is not None:
        config["abort"] = {"http_status": fault.abort_status,
                           "percentage": fractional(fault.abort_percent)}
    return config


def route_match(match: Match) -> Json:
    """route.go TranslateRouteMatch: uri exact/prefix/regex and header matchers."""
    out: Json = {"prefix": "/"}
    if match.uri is not None:
        kind, value = match.uri
        out = {"path": value} if kind == "exact" else (
            {"prefix": value} if kind == "prefix" else {"safe_regex": {"regex": value}})
    if match.headers:
        out["headers"] = [
            {"name": name, "string_match": {"safe_regex": {"regex": value}} if kind == "regex"
             else {kind: value}}
            for name, (kind, value) in match.headers.items()]
    return out


def route_action(rule: HttpRule) -> Json:
    destinations = [(d, w) for d, w in rule.destinations if w > 0 or
                    len(rule.destinations) == 1]
    action: Json = {}
    if len(destinations) == 1:
        action["cluster"] = destinations[0][0].cluster
    else:
        # Weights are relative: Envoy divides each by their sum (route.go, weighted_clusters).
        action["weighted_clusters"] = {"clusters": [{"name": d.cluster, "weight": w}
                                                    for d, w in destinations]}
    # route.go setTimeout: no timeout (0s) unless the VirtualService sets one.
    action["timeout"] = duration(rule.timeout) if rule.timeout else "0s"
    policy = retry_policy(rule)
    if policy is not None:
        action["retry_policy"] = policy
    if rule.mirror is not None:
        # route.go: mirrorPercentage as a runtime fraction; the mirrored Host keeps its name
        # (pilot/pkg/features/pilot.go DISABLE_SHADOW_HOST_SUFFIX, true by default).
        action["request_mirror_policies"] = [{
            "cluster": rule.mirror.cluster,
            "runtime_fraction": {"default_value": fractional(rule.mirror_percent or 100.0)},
            "disable_shadow_host_suffix_append": True,
        }]
    return action


def http_routes(rules: list[HttpRule], port: int, gateway: str) -> list[Json]:
    """One Envoy route per match of each rule, in order: the first match wins."""
    out = []
    for rule in rules:
        for match in rule.matches:
            if match.port is not None and match.port != port:
                continue
            if match.gateways and gateway not in match.gateways:
                continue
            route: Json = {"match": route_match(match), "route": route_action(rule),
                           "decorator": {"operation": _operation(rule)}}
            if rule.name:
                route["name"] = rule.name
            fault = fault_config(rule)
            if fault is not None:
                route["typed_per_filter_config"] = {FAULT_FILTER: fault}
            out.append(route)
    return out


def _operation(rule: HttpRule) -> str:
    first = rule.destinations[0][0] if rule.destinations else None
    return f"{first.host}:{first.port}/*" if first else "unknown"


def default_route(service: Service, port: int) -> Json:
    """route.go BuildDefaultHTTPOutboundRoute: a Service without a VirtualService."""
    cluster = cluster_name(port, "", service.host)
    return {"name": "default", "match": {"prefix": "/"},
            "route": {"cluster": cluster, "timeout": "0s",
                      "retry_policy": default_retry_policy()},
            "decorator": {"operation": f"{service.host}:{port}/*"}}


def domains(service: Service) -> list[str]:
    """The names a sidecar answers for a Service (pilot/pkg/networking/core/httproute.go
    generateVirtualHostDomains, Istio 1.30): the FQDN, its absolute form with a trailing dot
    (PILOT_ENABLE_ABSOLUTE_FQDN_VHOST_DOMAIN, on by default), name.namespace.svc,
    name.namespace and the short name; no :PORT variants, because the sidecar's route
    configuration ignores the port in the Host header (IgnorePortInHostMatching)."""
    if service.external:
        return [service.host]
    base = f"{service.name}.{service.namespace}"
    return [service.host, f"{service.host}.", f"{base}.svc", base, service.name]


def catch_all(policy: str) -> Json:
    """httproute.go buildCatchAllVirtualHost: ALLOW_ANY passes unknown hosts through,
    REGISTRY_ONLY answers them with a direct 502 (virtual host and route 'block_all')."""
    if policy == "ALLOW_ANY":
        return {"name": "allow_any", "domains": ["*"], "include_request_attempt_count": True,
                "routes": [{"name": "allow_any", "match": {"prefix": "/"},
                            "route": {"cluster": PASSTHROUGH, "timeout": "0s"}}]}
    return {"name": "block_all", "domains": ["*"], "include_request_attempt_count": True,
            "routes": [{"name": "block_all", "match": {"prefix": "/"},
                        "direct_response": {"status": 502}}]}


def bound(mesh: Mesh, gateway: str) -> list[HttpRoutes]:
    return [r for r in mesh.routes if gateway in r.gateways]


def _rules_for(mesh: Mesh, host: str, gateway: str) -> list[HttpRule] | None:
    found = [r for r in bound(mesh, gateway) if host in r.hosts]
    if len(found) > 1:
        raise LabError(f"{found[1].source.path}: a second rule for {host}; the lab reads one "
                       "per host (as Istio merges only for gateways)")
    return found[0].http if found else None


def http_filters(mesh: Mesh) -> list[Json]:
    return [
        {"name": FAULT_FILTER,
         "typed_config": {"@type": TYPE + "envoy.extensions.filters.http.fault.v3.HTTPFault"}},
        {"name": "envoy.filters.http.router",
         "typed_config": {"@type": TYPE + "envoy.extensions.filters.http.router.v3.Router"}},
    ]


def access_log(mesh: Mesh) -> list[Json]:
    """Telemetry accessLogging with the 'envoy' provider: a file log on stdout."""
    if not mesh.access_log:
        return []
    return [{"name": "envoy.access_loggers.file",
             "typed_config": {"@type": TYPE + "envoy.extensions.access_loggers.file.v3"
                                              ".FileAccessLog", "path": "/dev/stdout"}}]


def http_listener(name: str, stat_prefix: str, route_config: Json, mesh: Mesh,
                  port: int) -> Json:
    manager: Json = {
        "@type": TYPE + "envoy.extensions.filters.network.http_connection_manager.v3"
                        ".HttpConnectionManager",
        "stat_prefix": stat_prefix,
        "route_config": route_config,
        "http_filters": http_filters(mesh),
    }
    logs = access_log(mesh)
    if logs:
        manager["access_log"] = logs
    return {"name": name, "address": _address("127.0.0.1", port),
            "filter_chains": [{"filters": [{"name": "envoy.filters.network."
                                                    "http_connection_manager",
                                            "typed_config": manager}]}]}


def _address(host: str, port: int) -> Json:
    return {"socket_address": {"address": host, "port_value": port}}


def sidecar_listeners(mesh: Mesh, ports: Mapping[str, int]) -> list[Json]:
    """Outbound listeners as a sidecar has them: one HTTP listener per port number,
    0.0.0.0_PORT with route configuration "PORT" (pilot/pkg/networking/core/
    listener.go); one TCP listener per Service port (Istio names it CLUSTERIP_PORT; there is
    no cluster IP here, so the FQDN stands in)."""
    listeners = []
    services = [s for s in mesh.services if mesh.visible(s)]
    http_ports = sorted({p.number for s in services for p in s.ports if p.protocol == "HTTP"})
    for port in http_ports:
        hosts = []
        for service in services:
            if any(p.number == port and p.protocol == "HTTP" for p in service.ports):
                rules = _rules_for(mesh, service.host, MESH)
                routes = (http_routes(rules, port, MESH) if rules is not None
                          else [default_route(service, port)])
                hosts.append({"name": f"{service.host}:{port}",
                              "domains": domains(service), "routes": routes,
                              "include_request_attempt_count": True})
        hosts.append(catch_all(mesh.outbound_policy))
        name = f"0.0.0.0_{port}"
        listeners.append(http_listener(
            name, f"outbound_0.0.0.0_{port}",
            {"name": str(port), "virtual_hosts": hosts, "validate_clusters": False,
             "ignore_port_in_host_matching": True},
            mesh, ports.get(name, 0)))
    for service in services:
        for tcp_port in (p.number for p in service.ports if p.protocol == "TCP"):
            name = f"{service.host}_{tcp_port}"
            listeners.append({"name": name, "address": _address("127.0.0.1",
                                                                 ports.get(name, 0)),
                              "filter_chains": [{"filters": [tcp_proxy(mesh, service,
                                                                       tcp_port)]}]})
    return listeners


def tcp_proxy(mesh: Mesh, service: Service, port: int) -> Json:
    """pilot/pkg/networking/core/networkfilter.go buildOutboundNetworkFilters: one cluster,
    or weighted clusters picked once per connection."""
    destinations: list[tuple[Destination, int]] = []
    for routes in bound(mesh, MESH):
        if service.host in routes.hosts:
            for match_port, found in routes.tcp:
                if match_port in (None, port) and not destinations:
                    destinations = [(d, w) for d, w in found if w > 0 or len(found) == 1]
    default = cluster_name(port, "", service.host)
    config: Json = {"@type": TYPE + "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
                    "stat_prefix": default}
    if len(destinations) > 1:
        config["weighted_clusters"] = {"clusters": [{"name": d.cluster, "weight": w}
                                                    for d, w in destinations]}
    else:
        config["cluster"] = destinations[0][0].cluster if destinations else default
    return {"name": "envoy.filters.network.tcp_proxy", "typed_config": config}


def gateway_listeners(mesh: Mesh, ports: Mapping[str, int]) -> list[Json]:
    """A gateway's listener per port, route configuration http.PORT (pilot/pkg/model/
    gateway.go gatewayRDSRouteName), a virtual host per server host named HOST:PORT
    (pilot/pkg/networking/core/gateway.go). The gateway's Service maps 80 to a container
    port (8080 for istio-ingressgateway); without that Service here, the server port names it."""
    listeners = []
    by_port: dict[tuple[str, int], list[str]] = {}
    for server in mesh.gateways:
        by_port.setdefault((server.gateway, server.port), []).extend(server.hosts)
    for (gateway, port), server_hosts in sorted(by_port.items()):
        hosts = []
        for host in dict.fromkeys(server_hosts):
            rules: list[HttpRule] = []
            for routes in bound(mesh, gateway):
                if host == "*" or "*" in routes.hosts or host in routes.hosts:
                    rules += routes.http
            if rules:
                hosts.append({"name": f"{host}:{port}",
                              "domains": ["*"] if host == "*" else [host, f"{host}:{port}"],
                              "routes": http_routes(rules, port, gateway),
                              "include_request_attempt_count": True})
        name = f"{gateway}/0.0.0.0_{port}"
        listeners.append(http_listener(
            name, f"outbound_0.0.0.0_{port}",
            {"name": f"http.{port}", "virtual_hosts": hosts, "validate_clusters": False},
            mesh, ports.get(name, 0)))
    return listeners


def thresholds(policy: Mapping[str, Any]) -> Json:
    """cluster_traffic_policy.go getDefaultCircuitBreakerThresholds (all MaxUint32),
    overridden by applyConnectionPool."""
    pool = policy.get("connectionPool") or {}
    tcp, http = pool.get("tcp") or {}, pool.get("http") or {}
    out: Json = {"max_connections": MAX_UINT32, "max_pending_requests": MAX_UINT32,
                 "max_requests": MAX_UINT32, "max_retries": MAX_UINT32,
                 "track_remaining": True}
    for value, key in ((tcp.get("maxConnections"), "max_connections"),
                       (http.get("http1MaxPendingRequests"), "max_pending_requests"),
                       (http.get("http2MaxRequests"), "max_requests"),
                       (http.get("maxRetries"), "max_retries")):
        if value:
            out[key] = int(value)
    return out


def outlier_detection(policy: Mapping[str, Any]) -> tuple[Json, float] | None:
    """cluster_traffic_policy.go applyOutlierDetection, and the panic threshold it sets."""
    outlier = policy.get("outlierDetection")
    if outlier is None:
        return None
    out: Json = {"enforcing_success_rate": 0}
    if "consecutive5xxErrors" in outlier:
        value = int(outlier["consecutive5xxErrors"])
        out["consecutive_5xx"] = value
        out["enforcing_consecutive_5xx"] = 100 if value > 0 else 0
    if "interval" in outlier:
        out["interval"] = duration(outlier["interval"])
    if "baseEjectionTime" in outlier:
        out["base_ejection_time"] = duration(outlier["baseEjectionTime"])
    if int(outlier.get("maxEjectionPercent", 0)) > 0:
        out["max_ejection_percent"] = int(outlier["maxEjectionPercent"])
    return out, float(outlier.get("minHealthPercent", 0))


def cluster(mesh: Mesh, service: Service, port: int, subset: str,
            endpoints: Endpoints) -> Json:
    name = cluster_name(port, subset, service.host)
    rule = mesh.destination_rules.get(service.host)
    policy = rule.policy if rule else {}
    if service.external:
        addresses = [endpoints[service.host]] if service.host in endpoints else []
    else:
        labels = mesh.subset_labels(service.host, subset) or {}
        addresses = [endpoints[p.name] for p in mesh.pods_for(service, labels)
                     if p.name in endpoints]
    pool_tcp = (policy.get("connectionPool") or {}).get("tcp") or {}
    simple = (policy.get("loadBalancer") or {}).get("simple")
    out: Json = {
        "name": name,
        # cluster_builder.go: stats under "NAME;" (util.DelimitedStatsPrefix), which the
        # bootstrap's cluster_name tag below reads back.
        "alt_stat_name": f"{name};",
        # Istio: EDS for Services, STRICT_DNS for a DNS ServiceEntry (cluster_builder.go);
        # here the endpoints are the local stand-ins, given statically.
        "type": "STRICT_DNS" if service.external else "STATIC",
        "connect_timeout": duration(pool_tcp["connectTimeout"]) if "connectTimeout" in pool_tcp
        else CONNECT_TIMEOUT,
        # cluster_traffic_policy.go defaultLBAlgorithm: LEAST_REQUEST.
        "lb_policy": LB_POLICIES[simple] if simple else default.LOAD_BALANCER,
        "circuit_breakers": {"thresholds": [thresholds(policy)]},
        "load_assignment": {"cluster_name": name, "endpoints": [{"lb_endpoints": [
            {"endpoint": {"address": _address(host, host_port)}}
            for host, host_port in addresses]}]},
    }
    if service.external:
        out["dns_lookup_family"] = "V4_ONLY"
    per_connection = ((policy.get("connectionPool") or {}).get("http") or {}).get(
        "maxRequestsPerConnection")
    if per_connection:
        out["typed_extension_protocol_options"] = {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": TYPE + "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "common_http_protocol_options": {"max_requests_per_connection":
                                                 int(per_connection)},
                "explicit_http_config": {"http_protocol_options": {}}}}
    outlier = outlier_detection(policy)
    if outlier is not None:
        out["outlier_detection"] = outlier[0]
        out["common_lb_config"] = {"healthy_panic_threshold": {"value": outlier[1]}}
    return out


def clusters(mesh: Mesh, endpoints: Endpoints) -> list[Json]:
    """Every visible Service port as outbound|PORT||FQDN, and one cluster per
    DestinationRule subset (pilot/pkg/networking/core/cluster.go buildOutboundClusters)."""
    out = []
    for service in mesh.services:
        if not mesh.visible(service):
            continue
        rule = mesh.destination_rules.get(service.host)
        subsets = [""] + [s.name for s in rule.subsets] if rule else [""]
        for port in service.ports:
            out += [cluster(mesh, service, port.number, subset, endpoints)
                    for subset in subsets]
    out.append({"name": PASSTHROUGH, "type": "ORIGINAL_DST", "lb_policy": "CLUSTER_PROVIDED",
                "connect_timeout": CONNECT_TIMEOUT,
                "circuit_breakers": {"thresholds": [thresholds({})]},
                # No iptables here: the original destination travels in a request header
                # (x-envoy-original-dst-host) instead of the socket.
                "original_dst_lb_config": {"use_http_header": True}})
    out.append({"name": BLACKHOLE, "type": "STATIC", "connect_timeout": CONNECT_TIMEOUT})
    return out


def check_references(mesh: Mesh) -> None:
    known = {s.host for s in mesh.services}
    for routes in mesh.routes:
        for rule in routes.http:
            targets = [d for d, _w in rule.destinations] + ([rule.mirror] if rule.mirror
                                                            else [])
            for destination in targets:
                if destination.host not in known:
                    raise LabError(f"{routes.source.path}: {destination.host} is not a "
                                   "Service or ServiceEntry in the lab's files")


def bootstrap(mesh: Mesh, endpoints: Endpoints, ports: Mapping[str, int] | None = None,
              admin_port: int = 0) -> Json:
    """The whole Envoy configuration; `ports` pins listeners by name (0: the OS picks)."""
    check_references(mesh)
    ports = ports or {}
    client = next((p for p in mesh.pods if p.app == "client"), None)
    node_pod = f"{client.name}.{client.namespace}" if client else "curl.default"
    return {
        # pilot/pkg/model/context.go: sidecar~IP~POD.NAMESPACE~NAMESPACE.svc.cluster.local
        "node": {"id": f"sidecar~127.0.0.1~{node_pod}~default.svc.cluster.local",
                 "cluster": "curl.default"},
        "admin": {"address": _address("127.0.0.1", admin_port)},
        "stats_config": STATS_CONFIG,
        # Histograms reach the admin page at each stats flush (Envoy's default: 5s).
        "stats_flush_interval": "0.2s",
        "static_resources": {
            "listeners": sidecar_listeners(mesh, ports) + gateway_listeners(mesh, ports),
            "clusters": clusters(mesh, endpoints),
        },
    }
