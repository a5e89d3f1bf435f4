"""The API server's pod-spec and Service validation (rules/apiserver_pods.py,
rules/apiserver_services.py): accepted and rejected manifests per rule, shaped like the
cases of the Go tests they port. A rejected case marks the line the finding must point
at with `# <`; each is checked for its rule id, that line and the API server's kind of
error."""

from __future__ import annotations

from pathlib import Path

import pytest
from apiserver_cases import PAUSE, api_findings, rejects

from deepdive.validate.engine import Validator
from deepdive.validate.rules.apiserver_pods import (
    RELAXED_ENV_NAMES_BY_DEFAULT,
    env_name_errors,
    is_env_var_name,
)


def pod(spec: str, container: str = "", init: str = "") -> str:
    """A Pod with one container `c` (extra container fields indented by 6) and `spec`
    fields (indented by 2)."""
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n{spec}{init}"
            f"  containers:\n    - name: c\n      image: {PAUSE}\n{container}")


def service(spec: str, name: str = "web") -> str:
    return f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n{spec}"


# --- api-volume (ValidateVolumes, validateVolumeSource) --------------------------------------
def test_volume_accepts(validator: Validator, tmp_path: Path) -> None:
    text = pod("  volumes:\n    - name: data\n      emptyDir: {}\n"
               "    - name: config-1\n      configMap:\n        name: c\n",
               "      volumeMounts:\n        - name: data\n          mountPath: /data\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("volumes", "kind"), [
    ("    - name: data\n      emptyDir: {}\n    - name: data # <\n      emptyDir: {}\n",
     "Duplicate value"),
    ("    - name: Data_1 # <\n      emptyDir: {}\n", "Invalid value"),
    ("    - name: data # <\n", "Required value: must specify a volume type"),
    ("    - name: data\n      emptyDir: {}\n      configMap: # <\n        name: c\n",
     "Forbidden: may not specify more than 1 volume type"),
])
def test_volume_rejects(validator: Validator, tmp_path: Path, volumes: str, kind: str) -> None:
    rejects(validator, tmp_path, pod(f"  volumes:\n{volumes}"), "api-volume", kind)


def test_volume_items_accept(validator: Validator, tmp_path: Path) -> None:
    text = pod("  volumes:\n    - name: config\n      configMap:\n        name: c\n"
               "        defaultMode: 0644\n        items:\n          - key: app.yaml\n"
               "            path: conf/app.yaml\n            mode: 0400\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("source", "kind"), [
    ("      configMap:\n        name: c\n        defaultMode: 01777 # <\n", "Invalid value"),
    ("      secret:\n        secretName: s\n        items:\n          - key: k\n"
     "            path: /etc/k # <\n", "Invalid value"),
    ("      secret:\n        secretName: s\n        items:\n          - key: k\n"
     "            path: ..data/k # <\n", "Invalid value"),
    ("      projected:\n        sources:\n          - configMap:\n              name: c\n"
     "              items:\n                - key: k\n"
     "                  path: a/../../k # <\n", "Invalid value"),
])
def test_volume_items_reject(validator: Validator, tmp_path: Path, source: str,
                             kind: str) -> None:
    rejects(validator, tmp_path, pod(f"  volumes:\n    - name: v\n{source}"), "api-volume", kind)


# --- api-volume-mount (ValidateVolumeMounts, validateLocalDescendingPath) ---------------------
def test_volume_mount_accepts(validator: Validator, tmp_path: Path) -> None:
    text = pod("  volumes:\n    - name: data\n      emptyDir: {}\n",
               "      volumeMounts:\n        - name: data\n          mountPath: /data\n"
               "          subPath: app/conf\n"
               "        - name: data\n          mountPath: /logs\n"
               "          subPathExpr: $(POD_NAME)\n"
               "        - name: data\n          mountPath: /ro\n          readOnly: true\n"
               "          recursiveReadOnly: IfPossible\n")
    assert api_findings(validator, tmp_path, text) == []


def test_volume_mount_may_name_a_claim_template(validator: Validator, tmp_path: Path) -> None:
    text = ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n"
            "  serviceName: db\n  selector:\n    matchLabels:\n      app: db\n"
            "  template:\n    metadata:\n      labels:\n        app: db\n    spec:\n"
            f"      containers:\n        - name: db\n          image: {PAUSE}\n"
            "          volumeMounts:\n            - name: www\n              mountPath: /www\n"
            "  volumeClaimTemplates:\n    - metadata:\n        name: www\n      spec:\n"
            "        accessModes: [ReadWriteOnce]\n        resources:\n          requests:\n"
            "            storage: 1Gi\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("mounts", "kind"), [
    ("        - name: cache # <\n          mountPath: /cache\n", 'Not found: "cache"'),
    ("        - name: data\n          mountPath: /data\n"
     "        - name: data\n          mountPath: /data # <\n", "Invalid value"),
    ("        - name: data\n          mountPath: /data\n          subPath: /etc # <\n",
     "Invalid value"),
    ("        - name: data\n          mountPath: /data\n          subPath: a/../../b # <\n",
     "Invalid value"),
    ("        - name: data\n          mountPath: /data\n          subPath: a\n"
     "          subPathExpr: b # <\n", "Invalid value"),
    ("        - name: data\n          mountPath: /data\n"
     "          mountPropagation: Shared # <\n", "Unsupported value"),
    ("        - name: data\n          mountPath: /data\n"
     "          recursiveReadOnly: Enabled # <\n", "Forbidden"),
])
def test_volume_mount_rejects(validator: Validator, tmp_path: Path, mounts: str,
                              kind: str) -> None:
    text = pod("  volumes:\n    - name: data\n      emptyDir: {}\n",
               f"      volumeMounts:\n{mounts}")
    rejects(validator, tmp_path, text, "api-volume-mount", kind)


# --- api-probe (validateProbe, validateHandler, validateLivenessProbe, ...) -------------------
def test_probe_accepts(validator: Validator, tmp_path: Path) -> None:
    text = pod("", "      ports:\n        - name: http\n          containerPort: 8080\n"
                   "      livenessProbe:\n        httpGet:\n          path: /healthz\n"
                   "          port: http\n        successThreshold: 1\n"
                   "        terminationGracePeriodSeconds: 5\n"
                   "      readinessProbe:\n        tcpSocket:\n          port: 8080\n"
                   "        successThreshold: 3\n        periodSeconds: 0\n"
                   "      startupProbe:\n        exec:\n          command: [\"true\"]\n"
                   "        failureThreshold: 30\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("probe", "kind"), [
    ("      livenessProbe: # <\n        initialDelaySeconds: 5\n",
     "Required value: must specify a handler type"),
    ("      livenessProbe:\n        exec:\n          command: [\"true\"]\n"
     "        tcpSocket: # <\n          port: 8080\n",
     "Forbidden: may not specify more than 1 handler type"),
    ("      livenessProbe:\n        tcpSocket:\n          port: 8080\n"
     "        successThreshold: 2 # <\n", "Invalid value: 2: must be 1"),
    ("      startupProbe:\n        tcpSocket:\n          port: 8080\n"
     "        successThreshold: 3 # <\n", "Invalid value: 3: must be 1"),
    ("      readinessProbe:\n        tcpSocket:\n          port: 8080\n"
     "        periodSeconds: -1 # <\n", "Invalid value: -1"),
    ("      readinessProbe:\n        tcpSocket:\n          port: 8080\n"
     "        terminationGracePeriodSeconds: 10 # <\n", "Invalid value"),
    ("      readinessProbe:\n        httpGet:\n          port: 70000 # <\n", "Invalid value"),
    ("      readinessProbe:\n        grpc:\n          port: 0 # <\n", "Invalid value"),
    ("      readinessProbe:\n        httpGet:\n          port: 8080\n"
     "          scheme: FTP # <\n", "Unsupported value"),
])
def test_probe_rejects(validator: Validator, tmp_path: Path, probe: str, kind: str) -> None:
    text = pod("", "      ports:\n        - containerPort: 8080\n" + probe)
    rejects(validator, tmp_path, text, "api-probe", kind)


def test_probe_port_must_be_a_port_name(validator: Validator, tmp_path: Path) -> None:
    """A name that is no IANA service name (probe-port also says no container declares it)."""
    text = pod("", "      readinessProbe:\n        httpGet:\n          port: Web_Port # <\n")
    rejects(validator, tmp_path, text, "api-probe", "Invalid value")


def test_probe_on_a_plain_init_container_is_forbidden(validator: Validator,
                                                      tmp_path: Path) -> None:
    sidecar = (f"  initContainers:\n    - name: proxy\n      image: {PAUSE}\n"
               "      restartPolicy: Always\n      readinessProbe:\n        tcpSocket:\n"
               "          port: 15021\n")
    assert api_findings(validator, tmp_path, pod("", init=sidecar)) == []
    plain = (f"  initContainers:\n    - name: setup\n      image: {PAUSE}\n"
             "      readinessProbe: # <\n        tcpSocket:\n          port: 8080\n")
    rejects(validator, tmp_path, pod("", init=plain), "api-probe", "Forbidden")


# --- api-env (ValidateEnv, validateEnvVarValueFrom, ValidateEnvFrom) --------------------------
def test_env_accepts(validator: Validator, tmp_path: Path) -> None:
    """Names are relaxed (RelaxedEnvironmentVariableValidation, GA in 1.34): a leading digit
    or a space is fine in 1.35-1.37."""
    text = pod("", "      env:\n        - name: MY_VAR\n          value: x\n"
                   "        - name: 1st var.name\n          value: z\n"
                   "        - name: POD\n          valueFrom:\n            fieldRef:\n"
                   "              fieldPath: metadata.name\n"
                   "        - name: APP\n          valueFrom:\n            fieldRef:\n"
                   "              fieldPath: metadata.labels['app']\n"
                   "        - name: TOKEN\n          valueFrom:\n            secretKeyRef:\n"
                   "              name: creds\n              key: token.txt\n"
                   "      envFrom:\n        - prefix: APP_\n          configMapRef:\n"
                   "            name: settings\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("env", "kind"), [
    ("      env:\n        - name: A=B # <\n          value: x\n", "Invalid value"),
    ("      env:\n        - name: café # <\n          value: x\n", "Invalid value"),
    ("      env:\n        - name: A\n          valueFrom: {} # <\n",
     'Invalid value: "": must specify one of'),
    ("      env:\n        - name: A\n          value: x\n          valueFrom: # <\n"
     "            fieldRef:\n              fieldPath: metadata.name\n",
     'Invalid value: "": may not be specified when `value` is not empty'),
    ("      env:\n        - name: A\n          valueFrom: # <\n            fieldRef:\n"
     "              fieldPath: metadata.name\n            secretKeyRef:\n"
     "              name: s\n              key: k\n",
     'Invalid value: "": may not have more than one field specified at a time'),
    ("      env:\n        - name: A\n          valueFrom:\n            fieldRef:\n"
     "              fieldPath: status.phase # <\n", "Unsupported value"),
    ("      env:\n        - name: A\n          valueFrom:\n            fieldRef:\n"
     "              fieldPath: spec.hostname # <\n", "Invalid value"),
    ("      env:\n        - name: A\n          valueFrom:\n            configMapKeyRef:\n"
     "              name: c\n              key: a/b # <\n", "Invalid value"),
    ("      envFrom:\n        - prefix: A= # <\n          secretRef:\n            name: s\n",
     "Invalid value"),
    ("      envFrom:\n        - configMapRef: # <\n            name: c\n"
     "          secretRef:\n            name: s\n", "Invalid value"),
])
def test_env_rejects(validator: Validator, tmp_path: Path, env: str, kind: str) -> None:
    rejects(validator, tmp_path, pod("", env), "api-env", kind)


def test_env_names_are_relaxed_in_every_release_validated() -> None:
    assert all(RELAXED_ENV_NAMES_BY_DEFAULT.values())
    assert env_name_errors("1st") == [] and is_env_var_name("1st") != []


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


@pytest.mark.parametrize(("spec", "kind"), [
    ("  type: ClusterIP # <\n", "Required value"),
    ("  type: NodePort\n  clusterIP: None # <\n  ports:\n    - port: 80\n",
     "Invalid value: \"None\": may not be set to 'None' for NodePort services"),
    ("  type: ExternalName # <\n", "Required value"),
    ("  type: ExternalName\n  externalName: db_primary # <\n", "Invalid value"),
    ("  type: ExternalName\n  externalName: db.example.com\n  clusterIP: 10.0.0.1 # <\n",
     "Forbidden"),
    ("  ports:\n    - port: 80\n      nodePort: 30080 # <\n",
     "Forbidden: may not be used when `type` is 'ClusterIP'"),
    ("  type: NodePort\n  ports:\n    - port: 80\n      nodePort: 8080 # <\n", "Invalid value"),
    ("  externalTrafficPolicy: Local # <\n  ports:\n    - port: 80\n", "Invalid value"),
    ("  type: NodePort\n  loadBalancerClass: example.com/lb # <\n  ports:\n    - port: 80\n",
     "Forbidden"),
])
def test_service_type_rejects(validator: Validator, tmp_path: Path, spec: str,
                              kind: str) -> None:
    rejects(validator, tmp_path, service(spec), "api-service-type", kind)


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


@pytest.mark.parametrize(("spec", "kind"), [
    ("  type: Internal # <\n  ports:\n    - port: 80\n", "Unsupported value"),
    ("  ports:\n    - port: 80\n      protocol: HTTP # <\n", "Unsupported value"),
    ("  sessionAffinity: Sticky # <\n  ports:\n    - port: 80\n", "Unsupported value"),
    ("  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n"
     "      timeoutSeconds: 0 # <\n  ports:\n    - port: 80\n", "Invalid value"),
    ("  sessionAffinityConfig: # <\n    clientIP:\n      timeoutSeconds: 60\n"
     "  ports:\n    - port: 80\n", "Forbidden"),
    ("  ports:\n    - name: a\n      port: 80\n    - name: b # <\n      port: 80\n",
     'Duplicate value: "80/TCP"'),
    ("  ports:\n    - port: 80\n      targetPort: 70000 # <\n", "Invalid value"),
    ("  ports:\n    - port: 80\n      targetPort: '8080' # <\n", "Invalid value"),
    ("  clusterIP: 10.0.0.300 # <\n  ports:\n    - port: 80\n", "Invalid value"),
    ("  selector:\n    app: has spaces # <\n  ports:\n    - port: 80\n", "Invalid value"),
    ("  ipFamilyPolicy: DualStack # <\n  ports:\n    - port: 80\n", "Unsupported value"),
    ("  ipFamilies:\n    - IPv5 # <\n  ports:\n    - port: 80\n", "Unsupported value"),
    ("  ports:\n    - port: 80\n      appProtocol: kubernetes.io/h2c/tls # <\n",
     "Invalid value"),
])
def test_service_value_rejects(validator: Validator, tmp_path: Path, spec: str,
                               kind: str) -> None:
    rejects(validator, tmp_path, service(spec), "api-service-value", kind)


# --- api-pod-spec (ValidatePodSpec, ValidateTolerations, validateContainerCommon, ...) ------
def test_pod_spec_accepts(validator: Validator, tmp_path: Path) -> None:
    text = pod("  restartPolicy: OnFailure\n  dnsPolicy: None\n  dnsConfig:\n"
               "    nameservers: [1.1.1.1]\n  activeDeadlineSeconds: 600\n"
               "  hostname: web-0\n  subdomain: web\n  serviceAccountName: build.bot\n"
               "  nodeSelector:\n    kubernetes.io/os: linux\n  tolerations:\n"
               "    - key: dedicated\n      operator: Equal\n      value: gpu\n"
               "      effect: NoSchedule\n    - operator: Exists\n"
               "    - key: node.kubernetes.io/unreachable\n      operator: Exists\n"
               "      effect: NoExecute\n      tolerationSeconds: 30\n",
               "      imagePullPolicy: IfNotPresent\n"
               "      terminationMessagePolicy: FallbackToLogsOnError\n"
               "      lifecycle:\n        preStop:\n          sleep:\n            seconds: 5\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("spec", "container", "kind"), [
    ("  restartPolicy: Sometimes # <\n", "", "Unsupported value"),
    ("  dnsPolicy: ClusterLast # <\n", "", "Unsupported value"),
    ("  activeDeadlineSeconds: 0 # <\n", "", "Invalid value"),
    ("  hostname: web.0 # <\n", "", "Invalid value"),
    ("  serviceAccountName: Build_Bot # <\n", "", "Invalid value"),
    ("  nodeSelector:\n    disk: fast ssd # <\n", "", "Invalid value"),
    ("  tolerations:\n    - key: dedicated\n      operator: Exists # <\n      value: gpu\n",
     "", "Invalid value"),
    ("  tolerations:\n    - operator: Equal # <\n      value: gpu\n", "", "Invalid value"),
    ("  tolerations:\n    - key: k\n      operator: Exists\n      effect: NoSchedule # <\n"
     "      tolerationSeconds: 30\n", "", "Invalid value"),
    ("  tolerations:\n    - key: k\n      operator: Exists\n      effect: Evict # <\n",
     "", "Unsupported value"),
    ("", "      imagePullPolicy: Sometimes # <\n", "Unsupported value"),
    ("", "      lifecycle:\n        postStart: # <\n          exec:\n            command: [a]\n"
     "          sleep:\n            seconds: 1\n", "Forbidden"),
])
def test_pod_spec_rejects(validator: Validator, tmp_path: Path, spec: str, container: str,
                          kind: str) -> None:
    text = pod(spec, container)
    if "postStart: # <" in text:  # the Forbidden finding names the second handler
        text = text.replace("postStart: # <", "postStart:").replace(
            "          sleep:\n", "          sleep: # <\n")
    rejects(validator, tmp_path, text, "api-pod-spec", kind)


def test_workload_templates_take_no_active_deadline(validator: Validator,
                                                    tmp_path: Path) -> None:
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n"
            "  selector:\n    matchLabels:\n      app: w\n  template:\n    metadata:\n"
            "      labels:\n        app: w\n    spec:\n"
            "      activeDeadlineSeconds: 60 # <\n"
            f"      containers:\n        - name: c\n          image: {PAUSE}\n")
    found = rejects(validator, tmp_path, text, "api-pod-spec", "Invalid value")
    assert "activeDeadlineSeconds in ReplicaSet is not Supported" in found.message


# --- one finding per mistake: a letterless port name is explained by the cross-reference rules
def test_a_letterless_probe_port_is_reported_once(validator: Validator, tmp_path: Path) -> None:
    """IsValidPortName refuses "8080" (no letter); probe-port already says so, with the fix."""
    text = pod("", "      ports:\n        - containerPort: 8080\n"
                   "      readinessProbe:\n        tcpSocket:\n          port: '8080'\n")
    (tmp_path / "case.yaml").write_text(text, encoding="utf-8")
    assert [f.rule for f in validator.run([tmp_path]).findings] == ["probe-port"]


def test_a_letterless_target_port_is_reported_once(validator: Validator, tmp_path: Path) -> None:
    """service-target-port explains a quoted "8080" of a Service that selects pods; a Service
    without a selector gets api-service-value (test_service_value_rejects)."""
    text = (service("  selector:\n    app: web\n  ports:\n    - port: 80\n"
                    "      targetPort: '8080'\n")
            + "---\n" + pod("", "      ports:\n        - containerPort: 8080\n")
            .replace("  name: p\n", "  name: p\n  labels:\n    app: web\n"))
    (tmp_path / "case.yaml").write_text(text, encoding="utf-8")
    assert [f.rule for f in validator.run([tmp_path]).findings] == ["service-target-port"]
