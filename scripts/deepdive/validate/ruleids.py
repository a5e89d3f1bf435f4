"""Every rule id the validator can report, what it means, and whether a file may allow it.

Ids are stable: they appear in exceptions (`# deepdive:allow <id> <reason>`), in the
bad-manifest corpus and in CI logs. Problems that make a manifest unusable (bad YAML, a
schema violation, a removed API) cannot be allowed; teaching examples may break the
cross-reference rules on purpose.
"""

from __future__ import annotations

# id -> (allowable, description)
RULES: dict[str, tuple[bool, str]] = {
    "path-not-found": (False, "a path given on the command line does not exist"),
    "file-unreadable": (False, "the file cannot be read"),
    "file-too-large": (False, "the file is over the size limit for a manifest"),
    "file-binary": (False, "the file holds binary data"),
    "file-not-utf8": (False, "the file is not UTF-8 text"),
    "yaml-syntax": (False, "the file is not valid YAML"),
    "yaml-tab": (False, "a tab is used for indentation"),
    "yaml-duplicate-key": (False, "a mapping repeats a key"),
    "yaml-alias-bomb": (False, "aliases expand a document beyond the node limit"),
    "yaml-not-mapping": (False, "a document (or List item) is not a mapping"),
    "yaml-missing-field": (False, "apiVersion, kind or metadata.name is missing"),
    "generate-name": (True, "generateName without a name: `kubectl create` only, never "
                            "`kubectl apply`"),
    "schema-unknown-field": (False, "a field the strict schema does not define"),
    "schema-violation": (False, "a value the schema rejects (type, enum, required, ...)"),
    "schema-missing": (False, "no schema for this apiVersion and kind"),
    "schema-unavailable": (False, "the CRD file holding the schema could not be obtained"),
    "api-removed": (False, "the apiVersion is no longer served; use the replacement"),
    "api-not-yet-served": (False, "the apiVersion is served only by later Kubernetes releases"),
    "api-deprecated": (True, "the apiVersion (or kind) is deprecated; use the replacement"),
    "set-dependency-missing": (False, "example-set.txt names a path that does not exist"),
    "exception-malformed": (False, "a deepdive:allow comment without a known rule or reason"),
    "exception-unused": (True, "a deepdive:allow comment that suppresses nothing"),
    # The API server refuses a workload whose selector misses its own template
    # (pkg/apis/apps/validation ValidateDeploymentSpec and friends): not allowable.
    "selector-mismatch": (False, "a workload selector does not match its pod template labels"),
    "service-selects-nothing": (True, "a Service selector matches no pod template in the set"),
    "service-target-port": (True, "a Service targetPort is not a port of the selected pods"),
    "probe-port": (True, "a probe port is not a port of its container"),
    "statefulset-service": (True, "serviceName is not a headless Service in the set"),
    "image-unpinned": (True, "an image without a pinned tag or digest (or tagged latest)"),
    "resource-quantity": (True, "a resource quantity that does not parse"),
    "resource-request-exceeds-limit": (True, "a request larger than its limit"),
    "istio-host-unresolved": (True, "a VirtualService destination host matches no Service"),
    "istio-subset-missing": (True, "a subset not defined by a DestinationRule for the host"),
    "istio-gateway-missing": (True, "a VirtualService names a Gateway not in the set"),
    "istio-route-weights": (True, "the weights of a multi-destination route add up to 0"),
    "istio-unreachable-route": (True, "a route after a catch-all route can never match"),
    "istio-dr-host-unresolved": (True, "a DestinationRule host matches no Service"),
    "istio-subset-selects-nothing": (True, "a DestinationRule subset selects no pod template"),
    "istio-port-protocol": (True, "a mesh Service port whose protocol Istio cannot read from "
                                  "its appProtocol or name prefix"),
    # The API server's own validation (rules/apiserver.py): it refuses these, so none
    # can be allowed.
    "api-object-name": (False, "metadata.name is not the DNS name its kind requires"),
    "api-label": (False, "a label key or value the API server rejects"),
    "api-annotation-key": (False, "an annotation key that is not a qualified name"),
    "api-container-name": (False, "a container name that is not a DNS-1123 label, or is "
                                  "repeated across containers and init containers"),
    "api-container-image": (False, "a container without an image"),
    "api-container-port": (False, "a container port out of range, or a port name that is "
                                  "not a unique IANA service name"),
    "api-service-port": (False, "a Service port out of range, unnamed among several, or "
                                "with a repeated or invalid name"),
    "api-replicas": (False, "a negative replica count"),
    "api-restart-policy": (False, "a Deployment, ReplicaSet, StatefulSet or DaemonSet pod "
                                  "template whose restartPolicy is not Always"),
    # rules/apiserver_pods.py
    "api-volume": (False, "a pod volume without a valid, unique name or with no volume "
                          "source or more than one"),
    "api-volume-mount": (False, "a volumeMount naming no volume of the pod, a repeated or "
                                "missing mountPath, a subPath that is absolute or climbs "
                                "with '..'"),
    "api-probe": (False, "a probe with no handler or several, a negative timing, a "
                         "successThreshold other than 1 for liveness or startup, a port out "
                         "of range or not a port name, or a probe on a plain init container"),
    "api-env": (False, "an env name, envFrom prefix or valueFrom the API server rejects "
                       "(valueFrom needs exactly one source)"),
    "api-pod-spec": (False, "a pod spec field the API server rejects: restartPolicy, "
                            "dnsPolicy, activeDeadlineSeconds, hostname, serviceAccountName, "
                            "nodeSelector, tolerations, imagePullPolicy, lifecycle hooks"),
    # rules/apiserver_services.py
    "api-service-type": (False, "a Service field its type forbids or requires (ports, "
                                "externalName, nodePort, clusterIP: None, LoadBalancer-only "
                                "and external-traffic fields)"),
    "api-service-value": (False, "an unsupported Service value: type, protocol, "
                                 "sessionAffinity, traffic policy, clusterIP, targetPort, "
                                 "selector label, or a port repeated for its protocol"),
    # rules/apiserver_workloads.py
    "api-selector": (False, "a label selector the API server rejects, or a Job selector "
                            "without manualSelector"),
    "api-rollout": (False, "rollout parameters the API server rejects (maxSurge and "
                           "maxUnavailable, minReadySeconds, revisionHistoryLimit, "
                           "progressDeadlineSeconds, strategy type)"),
    "api-statefulset": (False, "a StatefulSet serviceName, podManagementPolicy, "
                               "updateStrategy or partition the API server rejects"),
    "api-job": (False, "a Job (or CronJob job template) field the API server rejects, "
                       "restartPolicy other than OnFailure or Never included"),
    "api-cronjob": (False, "a CronJob schedule, timeZone, concurrencyPolicy, limit or name "
                           "the API server rejects"),
    # rules/apiserver_other.py
    "api-config-data": (False, "a ConfigMap or Secret key the API server rejects, a key in "
                               "both data and binaryData, over 1 MiB of data, or a Secret "
                               "without the keys its type requires"),
    "api-pvc": (False, "a PersistentVolumeClaim (or claim template) without access modes or "
                       "a storage request, or with an unsupported mode"),
    "api-ingress": (False, "an Ingress rule, path, pathType or backend the API server rejects"),
    "api-hpa": (False, "HorizontalPodAutoscaler replica bounds, target or metrics the API "
                       "server rejects"),
    "api-pdb": (False, "a PodDisruptionBudget with both minAvailable and maxUnavailable, or "
                       "an invalid value or selector"),
    "api-endpointslice": (False, "an EndpointSlice addressType, address, hostname or port "
                                 "the API server rejects"),
}


def allowable(rule: str) -> bool:
    return RULES.get(rule, (False, ""))[0]
