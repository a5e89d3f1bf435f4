"""The API server's Service validation beyond port names (rules/apiserver_services.py):
api-service-type (what each type requires or forbids) and api-service-value (the values
the fields accept), each finding pinned as `deepdive validate` prints it, on the line
marked `# <`, with the first value refused and the last accepted at each boundary.

Ports pkg/apis/core/validation/validation.go ValidateService, validateServicePort,
validateClientIPAffinityConfig, validateServiceExternalTrafficPolicy,
validateLoadBalancerClassField and portallocator Allocate (the nodePort range)."""

from __future__ import annotations

from pathlib import Path

import pytest
from apiserver_cases import api_findings, printed, rejects

from deepdive.validate.engine import Validator


def service(spec: str, api_version: str = "v1") -> str:
    """A Service `web` with `spec` fields (indented by 2)."""
    return f"apiVersion: {api_version}\nkind: Service\nmetadata:\n  name: web\nspec:\n{spec}"


PORT = "  ports:\n    - port: 80\n"
LOAD_BALANCER_ONLY = "Forbidden: may only be used when `type` is 'LoadBalancer'"
EXTERNAL_NAME_ONLY = "Forbidden: may not be set for ExternalName services"
NODE_PORT_RANGE = ("provided port is not in the valid range. "
                   "The range of valid ports is 30000-32767")
HEALTH_CHECK = ("may only be set when `type` is 'LoadBalancer' and "
                "`externalTrafficPolicy` is 'Local'")
SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
             "characters, '-' or '.', and must start and end with an alphanumeric character "
             "(e.g. 'example.com', regex used for validation is "
             r"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_NAME = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and "
              "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
              "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
LABEL_VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, "
               "'-', '_' or '.', and must start and end with an alphanumeric character "
               "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
               "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
AFFINITY_TIMEOUT = "must be greater than 0 and less than 86400"
CLUSTER_IP = "must be empty, 'None', or a valid IP address"


# --- api-service-type --------------------------------------------------------------------
@pytest.mark.parametrize("spec", [
    PORT,
    "  type: ClusterIP\n" + PORT,
    "  clusterIP: None\n  selector:\n    app: db\n",  # headless: ports optional
    "  type: ClusterIP\n  clusterIP: None\n",
    "  type: ExternalName\n  externalName: db.example.com.\n",  # a trailing dot is allowed
    "  type: ExternalName\n  externalName: db\n  clusterIP: ''\n  clusterIPs: []\n"
    "  ipFamilies: []\n" + PORT,
    # the first and last port of kube-apiserver's default --service-node-port-range
    "  type: NodePort\n  ports:\n    - name: a\n      port: 80\n      nodePort: 30000\n"
    "    - name: b\n      port: 81\n      nodePort: 32767\n",
    "  type: NodePort\n  externalTrafficPolicy: Local\n  ports:\n"
    "    - port: 80\n      nodePort: 30080\n",
    "  type: LoadBalancer\n  loadBalancerSourceRanges: [10.0.0.0/8]\n"
    "  allocateLoadBalancerNodePorts: false\n  loadBalancerClass: example.com/lb\n"
    "  externalTrafficPolicy: Local\n  healthCheckNodePort: 30100\n"
    "  ports:\n    - port: 443\n      nodePort: 30443\n",
    "  externalIPs: [192.0.2.10]\n  externalTrafficPolicy: Cluster\n" + PORT,
    # empty values are not set: nothing to forbid
    "  type: NodePort\n  loadBalancerSourceRanges: []\n" + PORT,
    "  externalTrafficPolicy: ''\n  healthCheckNodePort: 0\n"
    "  ports:\n    - port: 80\n      nodePort: 0\n",
])
def test_service_type_accepts(validator: Validator, tmp_path: Path, spec: str) -> None:
    assert api_findings(validator, tmp_path, service(spec)) == []


@pytest.mark.parametrize(("spec", "expected"), [
    # ports are required unless the Service is headless or an ExternalName
    ("  type: ClusterIP # <\n", "spec.ports: Required value"),
    ("  sessionAffinity: None # <\n", "spec.ports: Required value"),
    ("  type: NodePort # <\n  clusterIP: 10.96.0.10\n", "spec.ports: Required value"),
    ("  type: NodePort\n  clusterIP: None # <\n" + PORT,
     "spec.clusterIP: Invalid value: \"None\": may not be set to 'None' for NodePort services"),
    ("  type: LoadBalancer\n  clusterIP: None # <\n" + PORT,
     'spec.clusterIP: Invalid value: "None": '
     "may not be set to 'None' for LoadBalancer services"),
    # ExternalName: externalName is required, a DNS-1123 subdomain (one trailing dot allowed)
    ("  type: ExternalName # <\n", "spec.externalName: Required value"),
    ("  type: ExternalName\n  externalName: '.' # <\n", "spec.externalName: Required value"),
    ("  type: ExternalName\n  externalName: db_primary # <\n",
     f'spec.externalName: Invalid value: "db_primary": {SUBDOMAIN}'),
    ("  type: ExternalName\n  externalName: Db.example.com. # <\n",
     f'spec.externalName: Invalid value: "Db.example.com": {SUBDOMAIN}'),
    ("  type: ExternalName\n  externalName: db.example.com\n  clusterIP: 10.0.0.1 # <\n",
     f"spec.clusterIP: {EXTERNAL_NAME_ONLY}"),
    ("  type: ExternalName\n  externalName: db.example.com\n  clusterIPs: [10.0.0.1] # <\n",
     f"spec.clusterIPs: {EXTERNAL_NAME_ONLY}"),
    ("  type: ExternalName\n  externalName: db.example.com\n  ipFamilies: [IPv4] # <\n",
     f"spec.ipFamilies: {EXTERNAL_NAME_ONLY}"),
    ("  type: ExternalName\n  externalName: db.example.com\n"
     "  ipFamilyPolicy: SingleStack # <\n", f"spec.ipFamilyPolicy: {EXTERNAL_NAME_ONLY}"),
    # nodePort: forbidden for ClusterIP (the default type), else in the node-port range
    ("  ports:\n    - port: 80\n      nodePort: 30080 # <\n",
     "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
    ("  type: ClusterIP\n  ports:\n    - name: a\n      port: 80\n    - name: b\n"
     "      port: 81\n      nodePort: 30081 # <\n",
     "spec.ports[1].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
    ("  type: NodePort\n  ports:\n    - port: 80\n      nodePort: 29999 # <\n",
     f"spec.ports[0].nodePort: Invalid value: 29999: {NODE_PORT_RANGE}"),
    ("  type: LoadBalancer\n  ports:\n    - name: a\n      port: 80\n      nodePort: 30080\n"
     "    - name: b\n      port: 81\n      nodePort: 32768 # <\n",
     f"spec.ports[1].nodePort: Invalid value: 32768: {NODE_PORT_RANGE}"),
    # the LoadBalancer-only fields
    ("  type: NodePort\n  loadBalancerSourceRanges: [10.0.0.0/8] # <\n" + PORT,
     f"spec.loadBalancerSourceRanges: {LOAD_BALANCER_ONLY}"),
    ("  allocateLoadBalancerNodePorts: false # <\n" + PORT,
     f"spec.allocateLoadBalancerNodePorts: {LOAD_BALANCER_ONLY}"),
    ("  type: NodePort\n  loadBalancerClass: example.com/lb # <\n" + PORT,
     f"spec.loadBalancerClass: {LOAD_BALANCER_ONLY}"),
    # externalTrafficPolicy only for NodePort, LoadBalancer, or ClusterIP with externalIPs
    ("  externalTrafficPolicy: Local # <\n" + PORT,
     'spec.externalTrafficPolicy: Invalid value: "Local": '
     "may only be set for externally-accessible services"),
    ("  externalIPs: []\n  externalTrafficPolicy: Cluster # <\n" + PORT,
     'spec.externalTrafficPolicy: Invalid value: "Cluster": '
     "may only be set for externally-accessible services"),
    ("  type: ExternalName\n  externalName: db.example.com\n  externalIPs: [192.0.2.10]\n"
     "  externalTrafficPolicy: Cluster # <\n",
     'spec.externalTrafficPolicy: Invalid value: "Cluster": '
     "may only be set for externally-accessible services"),
    # healthCheckNodePort only for a LoadBalancer with externalTrafficPolicy Local
    ("  type: LoadBalancer\n  externalTrafficPolicy: Cluster\n"
     "  healthCheckNodePort: 30100 # <\n" + PORT,
     f"spec.healthCheckNodePort: Invalid value: 30100: {HEALTH_CHECK}"),
    ("  type: LoadBalancer\n  healthCheckNodePort: 30100 # <\n" + PORT,
     f"spec.healthCheckNodePort: Invalid value: 30100: {HEALTH_CHECK}"),
    ("  type: NodePort\n  externalTrafficPolicy: Local\n  healthCheckNodePort: 30100 # <\n"
     + PORT, f"spec.healthCheckNodePort: Invalid value: 30100: {HEALTH_CHECK}"),
])
def test_service_type_rejects(validator: Validator, tmp_path: Path, spec: str,
                              expected: str) -> None:
    rejects(validator, tmp_path, service(spec), "api-service-type", expected)


def test_service_type_reports_each_mistake(validator: Validator, tmp_path: Path) -> None:
    """Every ExternalName-forbidden field, LoadBalancer-only field and out-of-range nodePort
    is its own finding (listed by line)."""
    text = service("  type: ExternalName\n  externalName: db.example.com\n"
                   "  clusterIP: 10.0.0.1\n  clusterIPs: [10.0.0.1]\n  ipFamilies: [IPv4]\n"
                   "  ipFamilyPolicy: SingleStack\n  loadBalancerClass: example.com/lb\n"
                   "  allocateLoadBalancerNodePorts: true\n"
                   "  loadBalancerSourceRanges: [10.0.0.0/8]\n")
    assert [(f.rule, f.line, printed(f)) for f in api_findings(validator, tmp_path, text)] == [
        ("api-service-type", 8, f"spec.clusterIP: {EXTERNAL_NAME_ONLY}"),
        ("api-service-type", 9, f"spec.clusterIPs: {EXTERNAL_NAME_ONLY}"),
        ("api-service-type", 10, f"spec.ipFamilies: {EXTERNAL_NAME_ONLY}"),
        ("api-service-type", 11, f"spec.ipFamilyPolicy: {EXTERNAL_NAME_ONLY}"),
        ("api-service-type", 12, f"spec.loadBalancerClass: {LOAD_BALANCER_ONLY}"),
        ("api-service-type", 13, f"spec.allocateLoadBalancerNodePorts: {LOAD_BALANCER_ONLY}"),
        ("api-service-type", 14, f"spec.loadBalancerSourceRanges: {LOAD_BALANCER_ONLY}"),
    ]
    text = service("  type: NodePort\n  ports:\n    - name: a\n      port: 80\n"
                   "      nodePort: 80\n    - name: b\n      port: 81\n      nodePort: 40000\n")
    assert [(f.rule, f.line, printed(f)) for f in api_findings(validator, tmp_path, text)] == [
        ("api-service-type", 10, f"spec.ports[0].nodePort: Invalid value: 80: {NODE_PORT_RANGE}"),
        ("api-service-type", 13,
         f"spec.ports[1].nodePort: Invalid value: 40000: {NODE_PORT_RANGE}"),
    ]


def test_only_core_services_are_checked(validator: Validator, tmp_path: Path) -> None:
    """A Service of another API group (here Knative's) is not a Kubernetes Service: no
    ports required, no nodePort range."""
    text = service("  ports:\n    - port: 80\n      nodePort: 1\n", "serving.knative.dev/v1")
    assert [f.rule for f in api_findings(validator, tmp_path, text)] == ["api-removed"]
    text = service("  template:\n    spec:\n      containers: []\n", "serving.knative.dev/v1")
    assert [f.rule for f in api_findings(validator, tmp_path, text)] == ["api-removed"]


# --- api-service-value -------------------------------------------------------------------
@pytest.mark.parametrize("spec", [
    "  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n"
    "      timeoutSeconds: 600\n  internalTrafficPolicy: Local\n"
    "  clusterIP: 10.96.0.20\n  ipFamilyPolicy: SingleStack\n"
    "  ipFamilies: [IPv4]\n  ports:\n"
    "    - name: dns\n      port: 53\n      protocol: UDP\n"
    "    - name: dns-tcp\n      port: 53\n      protocol: TCP\n"
    "      targetPort: dns-tcp\n      appProtocol: kubernetes.io/h2c\n",
    # the affinity timeout's first and last accepted value; a config without clientIP is
    # defaulted by the API server
    "  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n"
    "      timeoutSeconds: 1\n" + PORT,
    "  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n"
    "      timeoutSeconds: 86400\n" + PORT,
    "  sessionAffinity: ClientIP\n  sessionAffinityConfig: {}\n" + PORT,
    "  sessionAffinity: None\n  internalTrafficPolicy: Cluster\n" + PORT,
    "  type: NodePort\n  externalTrafficPolicy: Cluster\n" + PORT,
    "  type: LoadBalancer\n  externalTrafficPolicy: Local\n" + PORT,
    "  ipFamilyPolicy: PreferDualStack\n  ipFamilies: [IPv6, IPv4]\n  clusterIP: fd00::10\n"
    + PORT,
    "  ipFamilyPolicy: RequireDualStack\n  ipFamilies: [IPv4, IPv6]\n  clusterIP: ''\n" + PORT,
    "  selector:\n    app.kubernetes.io/name: web\n    tier: ''\n" + PORT,
    # one port number per protocol; one nodePort per protocol
    "  type: NodePort\n  ports:\n    - name: a\n      port: 53\n      protocol: UDP\n"
    "      nodePort: 30053\n    - name: b\n      port: 53\n      nodePort: 30053\n"
    "    - name: c\n      port: 53\n      protocol: SCTP\n      nodePort: 30053\n",
    # targetPort: the last number accepted; 0 and '' mean "the same as port"
    "  ports:\n    - name: a\n      port: 80\n      targetPort: 65535\n"
    "    - name: b\n      port: 81\n      targetPort: 0\n"
    "    - name: c\n      port: 82\n      targetPort: ''\n"
    "    - name: d\n      port: 83\n      targetPort: 1\n"
    "    - name: e\n      port: 84\n      appProtocol: HTTP\n",
    # a letterless targetPort of a Service that selects pods is service-target-port's
    "  selector:\n    app: web\n  ports:\n    - port: 80\n      targetPort: '8080'\n",
])
def test_service_value_accepts(validator: Validator, tmp_path: Path, spec: str) -> None:
    assert api_findings(validator, tmp_path, service(spec)) == []


@pytest.mark.parametrize(("spec", "expected"), [
    ("  type: Internal # <\n" + PORT,
     'spec.type: Unsupported value: "Internal": supported values: '
     '"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'),
    ("  sessionAffinity: Sticky # <\n" + PORT,
     'spec.sessionAffinity: Unsupported value: "Sticky": supported values: '
     '"ClientIP", "None"'),
    ("  type: NodePort\n  externalTrafficPolicy: Global # <\n" + PORT,
     'spec.externalTrafficPolicy: Unsupported value: "Global": supported values: '
     '"Cluster", "Local"'),
    ("  internalTrafficPolicy: Node # <\n" + PORT,
     'spec.internalTrafficPolicy: Unsupported value: "Node": supported values: '
     '"Cluster", "Local"'),
    ("  ipFamilyPolicy: DualStack # <\n" + PORT,
     'spec.ipFamilyPolicy: Unsupported value: "DualStack": supported values: '
     '"PreferDualStack", "RequireDualStack", "SingleStack"'),
    # sessionAffinityConfig only with ClientIP; its timeout in 1..86400
    ("  sessionAffinityConfig: # <\n    clientIP:\n      timeoutSeconds: 60\n" + PORT,
     "spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None"),
    ("  sessionAffinity: None\n  sessionAffinityConfig: {} # <\n" + PORT,
     "spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None"),
    ("  sessionAffinity: ''\n  sessionAffinityConfig: # <\n    clientIP:\n"
     "      timeoutSeconds: 0\n" + PORT,
     "spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None"),
    ("  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n"
     "      timeoutSeconds: 0 # <\n" + PORT,
     "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: "
     + AFFINITY_TIMEOUT),
    ("  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n"
     "      timeoutSeconds: 86401 # <\n" + PORT,
     "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: "
     + AFFINITY_TIMEOUT),
    ("  ipFamilies:\n    - IPv4\n    - IPv5 # <\n" + PORT,
     'spec.ipFamilies[1]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"'),
    ("  clusterIP: 10.0.0.300 # <\n" + PORT,
     f'spec.clusterIP: Invalid value: "10.0.0.300": {CLUSTER_IP}'),
    ("  clusterIP: none # <\n" + PORT, f'spec.clusterIP: Invalid value: "none": {CLUSTER_IP}'),
    ("  selector:\n    app: has spaces # <\n" + PORT,
     f'spec.selector.app: Invalid value: "has spaces": {LABEL_VALUE}'),
    ("  selector:\n    -app: web # <\n" + PORT,
     f'spec.selector.-app: Invalid value: "-app": name part {LABEL_NAME}'),
    ("  ports:\n    - port: 80\n      protocol: HTTP # <\n",
     'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: '
     '"SCTP", "TCP", "UDP"'),
    ("  ports:\n    - name: a\n      port: 80\n    - name: b\n      port: 81\n"
     "      protocol: tcp # <\n",
     'spec.ports[1].protocol: Unsupported value: "tcp": supported values: '
     '"SCTP", "TCP", "UDP"'),
    ("  ports:\n    - port: 80\n      appProtocol: kubernetes.io/h2c+tls # <\n",
     'spec.ports[0].appProtocol: Invalid value: "kubernetes.io/h2c+tls": name part '
     + LABEL_NAME),
    # IsQualifiedName: the prefix is a DNS-1123 subdomain, so lower case only
    ("  ports:\n    - port: 80\n      appProtocol: Example.com/h2c # <\n",
     'spec.ports[0].appProtocol: Invalid value: "Example.com/h2c": prefix part '
     + SUBDOMAIN),
    ("  ports:\n    - name: a\n      port: 80\n    - name: b\n      port: 81\n"
     "      targetPort: 65536 # <\n",
     "spec.ports[1].targetPort: Invalid value: 65536: must be between 1 and 65535, inclusive"),
    ("  ports:\n    - port: 80\n      targetPort: '8080' # <\n",
     'spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z)'),
    # a selector makes a letterless name service-target-port's, not any other bad name
    ("  selector:\n    app: web\n  ports:\n    - port: 80\n      targetPort: web--api # <\n",
     'spec.ports[0].targetPort: Invalid value: "web--api": '
     "must not contain consecutive hyphens"),
    ("  type: ExternalName\n  externalName: db.example.com\n  selector:\n    app: web\n"
     "  ports:\n    - port: 80\n      targetPort: '8080' # <\n",
     'spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z)'),
    # one port number per protocol (TCP by default)
    ("  ports:\n    - name: a\n      port: 80\n    - name: b # <\n      port: 80\n"
     "      protocol: TCP\n", 'spec.ports[1]: Duplicate value: "80/TCP"'),
    ("  ports:\n    - name: a\n      port: 53\n      protocol: UDP\n    - name: b\n"
     "      port: 54\n      protocol: UDP\n    - name: c # <\n      port: 53\n"
     "      protocol: UDP\n", 'spec.ports[2]: Duplicate value: "53/UDP"'),
    ("  type: NodePort\n  ports:\n    - name: a\n      port: 80\n      nodePort: 30080\n"
     "    - name: b\n      port: 81\n      protocol: TCP\n      nodePort: 30080 # <\n",
     "spec.ports[1].nodePort: Duplicate value: 30080"),
])
def test_service_value_rejects(validator: Validator, tmp_path: Path, spec: str,
                               expected: str) -> None:
    rejects(validator, tmp_path, service(spec), "api-service-value", expected)


def test_service_value_reports_each_mistake(validator: Validator, tmp_path: Path) -> None:
    """A bad label key and a bad value are two findings; a bad port reports each error."""
    text = service("  selector:\n    -app: has spaces\n  ports:\n    - port: 80\n"
                   "      targetPort: -Web\n")
    assert [(f.rule, f.line, printed(f)) for f in api_findings(validator, tmp_path, text)] == [
        ("api-service-value", 7, f'spec.selector.-app: Invalid value: "-app": name part '
         f"{LABEL_NAME}"),
        ("api-service-value", 7, f'spec.selector.-app: Invalid value: "has spaces": '
         f"{LABEL_VALUE}"),
        ("api-service-value", 10, 'spec.ports[0].targetPort: Invalid value: "-Web": must '
         "contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"),
        ("api-service-value", 10, 'spec.ports[0].targetPort: Invalid value: "-Web": must '
         "not begin or end with a hyphen"),
    ]
