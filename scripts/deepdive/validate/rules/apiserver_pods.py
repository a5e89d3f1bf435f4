"""The API server's validation of a pod spec beyond containers and ports (issue 12): volumes
and volume mounts, probes, environment variables and the pod's own fields (restartPolicy,
dnsPolicy, tolerations...), in Pods and every pod template.

Ported from pkg/apis/core/validation/validation.go (each check cites its function). A
pod template is validated like a Pod's spec, after the API server's defaulting: an unset
or zero field that the API server defaults (a probe's successThreshold, periodSeconds...)
is never reported. A StatefulSet's template is checked too, with a volume for each of its
volumeClaimTemplates (the controller adds them to every Pod). Releases whose
apps/validation ValidatePodTemplateSpecForStatefulSet leaves the pod spec out accept such a
StatefulSet and refuse its Pods instead: the manifest is broken either way.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from deepdive.validate.findings import Finding
from deepdive.validate.rules.apiserver import (
    Path,
    duplicate,
    forbidden,
    integer,
    invalid,
    is_config_map_key,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_key,
    is_label_value,
    is_valid_port_num,
    letterless,
    negative_fields,
    not_found,
    port_num_or_name,
    required,
    unsupported,
)
from deepdive.validate.rules.context import SetContext, Template
from deepdive.validate.yamlcheck import Resource
from deepdive.workloads import TEMPLATE_PATHS, get_path

Containers = list[tuple[Path, dict[str, Any], bool]]


def _containers(template: Template) -> Containers:
    """(path, container, is a plain init container) for init and app containers: a list
    built once per template, which every rule below walks."""
    found = []
    spec = template.spec
    for field_name in ("initContainers", "containers"):
        items = spec.get(field_name)
        if not isinstance(items, list):
            continue
        init = field_name == "initContainers"
        for index, container in enumerate(items):
            if isinstance(container, dict):
                found.append(((*template.path, "spec", field_name, index), container,
                              init and container.get("restartPolicy") != "Always"))
    return found


# --- volumes -----------------------------------------------------------------------------
def check_volumes(resource: Resource, template: Template,
                  _list: Containers) -> Iterator[Finding]:
    """api-volume. validation.go ValidateVolumes: a volume's name is required, a DNS-1123
    label and unique in the pod; validateVolumeSource: exactly one volume source (none is
    "must specify a volume type", a second one "may not specify more than 1 volume type")."""
    volumes = template.spec.get("volumes")
    if isinstance(volumes, list):
        base: Path = (*template.path, "spec", "volumes")
        names: set[str] = set()
        for index, volume in enumerate(volumes):
            if not isinstance(volume, dict):
                continue
            path: Path = (*base, index)
            name_path: Path = (*path, "name")
            name = volume.get("name")
            if name == "":
                yield resource.finding(name_path, "api-volume", required())
            elif isinstance(name, str):
                for detail in is_dns1123_label(name):
                    yield resource.finding(name_path, "api-volume",
                                           invalid(name, detail))
                if name in names:
                    yield resource.finding(name_path, "api-volume", duplicate(name))
                names.add(name)
            # The strict schema admits only volume sources beside the name.
            sources = [key for key, value in volume.items() if key != "name" and value is not None]
            if not sources:
                yield resource.finding(path, "api-volume",
                                       required("must specify a volume type"))
            elif len(sources) > 1:
                source_path: Path = (*path, sources[1])
                yield resource.finding(source_path, "api-volume", forbidden(
                    "may not specify more than 1 volume type"))
            for source in sources:
                if source in FILE_SOURCES and isinstance(volume[source], dict):
                    yield from _file_source_findings(resource, (*path, source), volume[source])


FILE_SOURCES = ("configMap", "secret", "downwardAPI", "projected")
FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive"


def _file_source_findings(resource: Resource, path: Path,
                          source: dict[str, Any]) -> Iterator[Finding]:
    """validation.go validateConfigMapVolumeSource, validateSecretVolumeSource,
    validateDownwardAPIVolumeSource and validateProjectedVolumeSource: defaultMode and each
    item's mode within 0-0777; validateKeyToPath: an item's key and path, the path relative,
    without '..' (validateLocalNonReservedPath)."""
    mode = integer(source.get("defaultMode"))
    if mode is not None and not 0 <= mode <= 0o777:
        mode_path: Path = (*path, "defaultMode")
        yield resource.finding(mode_path, "api-volume", invalid(mode, FILE_MODE))
    groups: list[tuple[Path, Any]] = [(path, source.get("items"))]
    projections = source.get("sources")
    for index, projection in enumerate(projections if isinstance(projections, list) else []):
        for kind in ("configMap", "secret", "downwardAPI"):
            inner = projection.get(kind) if isinstance(projection, dict) else None
            if isinstance(inner, dict):
                groups.append(((*path, "sources", index, kind), inner.get("items")))
    for base, items in groups:
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                yield from _item_findings(resource, (*base, "items", index), item)


def _item_findings(resource: Resource, path: Path, item: dict[str, Any]) -> Iterator[Finding]:
    target = item.get("path")
    target_path: Path = (*path, "path")
    if target == "":
        yield resource.finding(target_path, "api-volume", required())
    elif isinstance(target, str):
        errors = _descending_path_errors(target)
        if target.startswith("..") and not target.startswith("../"):  # as the Go code does
            errors.append("must not start with '..'")
        for detail in errors:
            yield resource.finding(target_path, "api-volume", invalid(target, detail))
    if item.get("key") == "":
        key_path: Path = (*path, "key")
        yield resource.finding(key_path, "api-volume", required())
    mode = integer(item.get("mode"))
    if mode is not None and not 0 <= mode <= 0o777:
        mode_path: Path = (*path, "mode")
        yield resource.finding(mode_path, "api-volume", invalid(mode, FILE_MODE))


def _descending_path_errors(value: str) -> list[str]:
    """validation.go validateLocalDescendingPath (with validatePathNoBacksteps)."""
    errors = ["must be a relative path"] if posixpath.isabs(value) else []
    if ".." in value.replace("\\", "/").split("/"):
        errors.append("must not contain '..'")
    return errors


MOUNT_PROPAGATION = ["Bidirectional", "HostToContainer", "None"]
RECURSIVE_READ_ONLY = ["Disabled", "Enabled", "IfPossible"]


def check_volume_mounts(resource: Resource, template: Template,
                        containers: Containers) -> Iterator[Finding]:
    """api-volume-mount. validation.go ValidateVolumeMounts: a mount names a volume of the
    pod (Not found otherwise), has a mountPath unique in the container, and a subPath or
    subPathExpr that is relative without '..' (not both); validateMountPropagation and
    validateMountRecursiveReadOnly: their supported values, recursiveReadOnly only on a
    readOnly mount."""
    if any(isinstance(c.get("volumeMounts"), list) for _, c, _ in containers):
        volumes = template.spec.get("volumes")
        names = {v.get("name") for v in volumes if isinstance(v, dict)} \
            if isinstance(volumes, list) else set()
        if resource.kind == "StatefulSet":  # the controller adds a volume per claim template
            claims = resource.data.get("spec", {}).get("volumeClaimTemplates")
            names |= {get_path(c, ("metadata", "name")) for c in claims
                      if isinstance(c, dict)} if isinstance(claims, list) else set()
        for container_path, container, _plain_init in containers:
            mounts = container.get("volumeMounts")
            if not isinstance(mounts, list):
                continue
            mount_paths: set[str] = set()
            for index, mount in enumerate(mounts):
                if not isinstance(mount, dict):
                    continue
                yield from _mount_findings(resource, (*container_path, "volumeMounts", index),
                                           mount, names, mount_paths)


def _mount_findings(resource: Resource, path: Path, mount: dict[str, Any], names: set[Any],
                    mount_paths: set[str]) -> Iterator[Finding]:
    rule = "api-volume-mount"
    name_path: Path = (*path, "name")
    name = mount.get("name")
    if name == "":
        yield resource.finding(name_path, rule, required())
    elif name not in names:
        yield resource.finding(name_path, rule, not_found(name))
    mount_path_path: Path = (*path, "mountPath")
    mount_path = mount.get("mountPath")
    if mount_path == "":
        yield resource.finding(mount_path_path, rule, required())
    elif isinstance(mount_path, str):
        if mount_path in mount_paths:
            yield resource.finding(mount_path_path, rule,
                                   invalid(mount_path, "must be unique"))
        mount_paths.add(mount_path)
    sub_path, expression = mount.get("subPath"), mount.get("subPathExpr")
    for field_name, value in (("subPath", sub_path), ("subPathExpr", expression)):
        if isinstance(value, str) and value:
            field_path: Path = (*path, field_name)
            for detail in _descending_path_errors(value):
                yield resource.finding(field_path, rule, invalid(value, detail))
    if sub_path and expression:
        expression_path: Path = (*path, "subPathExpr")
        yield resource.finding(expression_path, rule, invalid(
            expression, "subPathExpr and subPath are mutually exclusive"))
    propagation = mount.get("mountPropagation")
    if isinstance(propagation, str) and propagation not in MOUNT_PROPAGATION:
        propagation_path: Path = (*path, "mountPropagation")
        yield resource.finding(propagation_path, rule,
                               unsupported(propagation, MOUNT_PROPAGATION))
    recursive = mount.get("recursiveReadOnly")
    if isinstance(recursive, str):
        recursive_path: Path = (*path, "recursiveReadOnly")
        if recursive not in RECURSIVE_READ_ONLY:
            yield resource.finding(recursive_path, rule,
                                   unsupported(recursive, RECURSIVE_READ_ONLY))
        elif recursive != "Disabled" and mount.get("readOnly") is not True:
            yield resource.finding(recursive_path, rule, forbidden(
                "may only be specified when readOnly is true"))


# --- probes ------------------------------------------------------------------------------
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
PROBE_COUNTS = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                "failureThreshold")
HTTP_SCHEMES = ["HTTP", "HTTPS"]


def check_probes(resource: Resource, _template: Template,
                 containers: Containers) -> Iterator[Finding]:
    """api-probe. validation.go validateProbe: exactly one handler (validateHandler),
    non-negative delays, periods and thresholds, a positive terminationGracePeriodSeconds;
    validateLivenessProbe and validateStartupProbe: successThreshold must be 1;
    validateReadinessProbe: no terminationGracePeriodSeconds; validateInitContainers: no
    probes on an init container that is not a sidecar (restartPolicy: Always)."""
    for container_path, container, plain_init in containers:
        for probe_name in PROBES:
            probe = container.get(probe_name)
            if not isinstance(probe, dict):
                continue
            path: Path = (*container_path, probe_name)
            if plain_init:
                yield resource.finding(path, "api-probe", forbidden(
                    "may not be set for init containers without restartPolicy=Always"))
                continue
            yield from _probe_findings(resource, path, probe_name, probe)


def _plain(probe: dict[str, Any], probe_name: str) -> bool:
    """A probe that cannot fail any check below: one handler with a numeric or lettered
    port, no negative count, a successThreshold of 1 where it must be, no grace period.
    (Most probes are; the full walk then runs only for the rest.)"""
    handler = None
    for name in HANDLERS:
        if probe.get(name) is not None:
            if handler is not None:
                return False
            handler = name
    if handler is None or "terminationGracePeriodSeconds" in probe:
        return False
    for name in PROBE_COUNTS:
        value = probe.get(name)
        if value is not None and (not isinstance(value, int) or value < 0):
            return False
    if probe_name != "readinessProbe" and probe.get("successThreshold") not in (None, 0, 1):
        return False
    action = probe[handler]
    if handler == "exec" or not isinstance(action, dict):
        return True
    if action.get("scheme") not in (None, *HTTP_SCHEMES):
        return False
    port = action.get("port")
    if isinstance(port, str):
        return not port_num_or_name(port) or letterless(port)
    return isinstance(port, int) and 0 < port < 65536


def _probe_findings(resource: Resource, path: Path, probe_name: str,
                    probe: dict[str, Any]) -> Iterator[Finding]:
    rule = "api-probe"
    if _plain(probe, probe_name):
        return
    handlers = [h for h in HANDLERS if probe.get(h) is not None]
    if not handlers:
        yield resource.finding(path, rule, required("must specify a handler type"))
    elif len(handlers) > 1:
        extra: Path = (*path, handlers[1])
        yield resource.finding(extra, rule,
                               forbidden("may not specify more than 1 handler type"))
    for handler in handlers:
        yield from _handler_findings(resource, (*path, handler), handler, probe[handler])
    yield from negative_fields(resource, probe, path, PROBE_COUNTS, rule)
    success = integer(probe.get("successThreshold"))
    if probe_name != "readinessProbe" and success not in (None, 0, 1):  # 0 defaults to 1
        success_path: Path = (*path, "successThreshold")
        yield resource.finding(success_path, rule, invalid(success, "must be 1"))
    grace = integer(probe.get("terminationGracePeriodSeconds"))
    if grace is not None:
        grace_path: Path = (*path, "terminationGracePeriodSeconds")
        if probe_name == "readinessProbe":
            yield resource.finding(grace_path, rule, invalid(
                grace, "must not be set for readinessProbes"))
        elif grace <= 0:
            yield resource.finding(grace_path, rule,
                                   invalid(grace, "must be greater than 0"))


def _handler_findings(resource: Resource, path: Path, handler: str,
                      action: Any) -> Iterator[Finding]:
    """validateHTTPGetAction, validateTCPSocketAction (ValidatePortNumOrName),
    validateGRPCAction (IsValidPortNum) and the HTTP scheme."""
    if not isinstance(action, dict) or handler == "exec":
        return
    port_path: Path = (*path, "port")
    port = action.get("port")
    # A name without a letter is left to probe-port, which says why it is no number.
    if handler != "grpc" and not letterless(port):
        for detail in port_num_or_name(port):
            yield resource.finding(port_path, "api-probe", invalid(port, detail))
    elif handler == "grpc" and (number := integer(port)) is not None:
        for detail in is_valid_port_num(number):
            yield resource.finding(port_path, "api-probe", invalid(number, detail))
    scheme = action.get("scheme")
    if handler == "httpGet" and isinstance(scheme, str) and scheme not in HTTP_SCHEMES:
        scheme_path: Path = (*path, "scheme")
        yield resource.finding(scheme_path, "api-probe",
                               unsupported(scheme, HTTP_SCHEMES))


# --- environment variables -----------------------------------------------------------------
# RelaxedEnvironmentVariableValidation (pkg/features/kube_features.go): alpha in 1.30, beta
# and on by default in 1.32, GA and locked on in 1.34. Every release validated here accepts
# any printable ASCII name without '=' (IsRelaxedEnvVarName); were one of them still strict,
# names would be checked with IsEnvVarName, as apiserver.py does for Service names.
RELAXED_ENV_NAMES_BY_DEFAULT = {"1.35": True, "1.36": True, "1.37": True}
_ENV_NAME_CHARS = frozenset("-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def is_env_var_name(value: str) -> list[str]:
    """validation.go IsEnvVarName (the strict rule, before the relaxed one was GA)."""
    errors = []
    if not value or value[0].isdigit() or not set(value) <= _ENV_NAME_CHARS:
        errors.append("a valid environment variable name must consist of alphabetic "
                      "characters, digits, '_', '-', or '.', and must not start with a digit "
                      "(e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used "
                      "for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')")
    return errors


def is_relaxed_env_var_name(value: str) -> list[str]:
    """validation.go IsRelaxedEnvVarName: printable ASCII other than '='."""
    if not value:
        return ["environment variable name must be non-empty"]
    if any(not " " <= character <= "~" or character == "=" for character in value):
        return ["a valid environment variable name must consist only of printable ASCII "
                "characters other than '='"]
    return []


env_name_errors = (is_relaxed_env_var_name if all(RELAXED_ENV_NAMES_BY_DEFAULT.values())
                   else is_env_var_name)

VALUE_SOURCES = ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef")
# validation.go validEnvDownwardAPIFieldPathExpressions
ENV_FIELD_PATHS = ["metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                   "spec.serviceAccountName", "status.hostIP", "status.hostIPs",
                   "status.podIP", "status.podIPs"]
# pkg/apis/core/pods/helpers.go ConvertDownwardAPIFieldLabel: the labels it knows at all
KNOWN_FIELD_PATHS = {*ENV_FIELD_PATHS, "metadata.annotations", "metadata.labels", "spec.host",
                     "spec.restartPolicy", "spec.schedulerName", "status.phase"}


def _field_ref_findings(resource: Resource, path: Path,
                        field_ref: dict[str, Any]) -> Iterator[Finding]:
    """validation.go validateObjectFieldSelector, after ConvertDownwardAPIFieldLabel: only
    labels and annotations take a subscript; env takes the paths above."""
    field_path, version = field_ref.get("fieldPath"), field_ref.get("apiVersion") or "v1"
    if not isinstance(field_path, str):
        return
    fp_path: Path = (*path, "fieldPath")
    if not field_path:
        yield resource.finding(fp_path, "api-env", required())
        return
    head, _, _ = field_path.partition("['")
    subscripted = field_path.endswith("']") and "['" in field_path and head
    problem = ""
    if version != "v1":
        problem = f"unsupported pod version: {version}"
    elif subscripted and head not in ("metadata.labels", "metadata.annotations"):
        problem = f"field label does not support subscript: {field_path}"
    elif not subscripted and field_path not in KNOWN_FIELD_PATHS:
        problem = f"field label not supported: {field_path}"
    if problem:
        yield resource.finding(fp_path, "api-env", invalid(
            field_path, f"error converting fieldPath: {problem}"))
    elif not subscripted and field_path not in (*ENV_FIELD_PATHS, "spec.host"):
        yield resource.finding(fp_path, "api-env",
                               unsupported(field_path, ENV_FIELD_PATHS))


def check_env(resource: Resource, _template: Template,
              containers: Containers) -> Iterator[Finding]:
    """api-env. validation.go ValidateEnv (a name is required and, with the relaxed rule
    on, printable ASCII without '='), validateEnvVarValueFrom (exactly one source, and none
    beside a non-empty value; validateObjectFieldSelector's supported fieldPaths;
    validateConfigMapKeySelector and validateSecretKeySelector: a DNS-1123 subdomain name
    and a config map key) and ValidateEnvFrom (a valid prefix, exactly one of configMapRef
    and secretRef)."""
    for container_path, container, _plain_init in containers:
        env = container.get("env")
        for index, variable in enumerate(env if isinstance(env, list) else []):
            if isinstance(variable, dict):
                yield from _env_findings(resource, (*container_path, "env", index), variable)
        env_from = container.get("envFrom")
        for index, source in enumerate(env_from if isinstance(env_from, list) else []):
            if isinstance(source, dict):
                yield from _env_from_findings(resource, (*container_path, "envFrom", index),
                                              source)


def _env_findings(resource: Resource, path: Path, variable: dict[str, Any]) -> Iterator[Finding]:
    rule = "api-env"
    name_path: Path = (*path, "name")
    name = variable.get("name")
    if isinstance(name, str):
        if not name:
            yield resource.finding(name_path, rule, required())
        for detail in env_name_errors(name) if name else []:
            yield resource.finding(name_path, rule, invalid(name, detail))
    value_from = variable.get("valueFrom")
    if not isinstance(value_from, dict):
        return
    from_path: Path = (*path, "valueFrom")
    sources = [s for s in VALUE_SOURCES if value_from.get(s) is not None]
    if not sources:
        yield resource.finding(from_path, rule, invalid(
            "", "must specify one of: `fieldRef`, `resourceFieldRef`, "
            "`configMapKeyRef` or `secretKeyRef`"))
    elif variable.get("value"):
        yield resource.finding(from_path, rule, invalid(
            "", "may not be specified when `value` is not empty"))
    elif len(sources) > 1:
        yield resource.finding(from_path, rule, invalid(
            "", "may not have more than one field specified at a time"))
    field_ref = value_from.get("fieldRef")
    if isinstance(field_ref, dict):
        yield from _field_ref_findings(resource, (*from_path, "fieldRef"), field_ref)
    for selector_name in ("configMapKeyRef", "secretKeyRef"):
        selector = value_from.get(selector_name)
        if isinstance(selector, dict):
            yield from _key_selector_findings(resource, (*from_path, selector_name), selector)


def _key_selector_findings(resource: Resource, path: Path,
                           selector: dict[str, Any]) -> Iterator[Finding]:
    """validateConfigMapKeySelector / validateSecretKeySelector."""
    name, key = selector.get("name"), selector.get("key")
    name_path: Path = (*path, "name")
    if isinstance(name, str) and name:  # an empty name is not checked here
        for detail in is_dns1123_subdomain(name):
            yield resource.finding(name_path, "api-env", invalid(name, detail))
    key_path: Path = (*path, "key")
    if key == "":
        yield resource.finding(key_path, "api-env", required())
    elif isinstance(key, str):
        for detail in is_config_map_key(key):
            yield resource.finding(key_path, "api-env", invalid(key, detail))


def _env_from_findings(resource: Resource, path: Path,
                       source: dict[str, Any]) -> Iterator[Finding]:
    rule = "api-env"
    prefix = source.get("prefix")
    if isinstance(prefix, str) and prefix:
        prefix_path: Path = (*path, "prefix")
        for detail in env_name_errors(prefix):
            yield resource.finding(prefix_path, rule, invalid(prefix, detail))
    refs = [r for r in ("configMapRef", "secretRef") if source.get(r) is not None]
    if not refs:
        yield resource.finding(path, rule, invalid(
            "", "must specify one of: `configMapRef` or `secretRef`"))
    elif len(refs) > 1:
        yield resource.finding(path, rule, invalid(
            "", "may not have more than one field specified at a time"))
    for ref in refs:
        reference = source[ref]
        name = reference.get("name") if isinstance(reference, dict) else None
        name_path: Path = (*path, ref, "name")
        if name == "" or name is None:
            yield resource.finding(name_path, rule, required())
        elif isinstance(name, str):
            for detail in is_dns1123_subdomain(name):
                yield resource.finding(name_path, rule, invalid(name, detail))


# --- pod and container fields --------------------------------------------------------------
RESTART_POLICIES = ["Always", "OnFailure", "Never"]
DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
PULL_POLICIES = ["Always", "IfNotPresent", "Never"]
MESSAGE_POLICIES = ["File", "FallbackToLogsOnError"]
TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
MAX_INT32 = 2**31 - 1
# apps/validation: a workload's pods must not run out of time
DEADLINE_FORBIDDEN = {"Deployment": "ReplicaSet", "ReplicaSet": "ReplicaSet",
                      "DaemonSet": "DaemonSet", "StatefulSet": "StatefulSet"}


def check_pod_fields(resource: Resource, template: Template,
                     containers: Containers) -> Iterator[Finding]:
    """api-pod-spec. validation.go ValidatePodSpec: a Pod's restartPolicy
    (validateRestartPolicy), dnsPolicy (validateDNSPolicy; None needs dnsConfig),
    activeDeadlineSeconds between 1 and 2147483647, hostname and subdomain DNS-1123 labels,
    serviceAccountName and priorityClassName DNS-1123 subdomains, nodeSelector labels
    (ValidateLabels), tolerations (ValidateTolerations); validateContainerCommon:
    imagePullPolicy (validatePullPolicy), terminationMessagePolicy and lifecycle hooks
    (validateLifecycle: one handler each). apps/validation ValidatePodTemplateSpecForReplicaSet,
    ValidateStatefulSetSpec and ValidateDaemonSetSpec: no activeDeadlineSeconds."""
    rule = "api-pod-spec"
    spec, base = template.spec, (*template.path, "spec")
    policy = spec.get("restartPolicy")
    if resource.kind == "Pod" and isinstance(policy, str) and policy \
            and policy not in RESTART_POLICIES:
        path: Path = (*base, "restartPolicy")
        yield resource.finding(path, rule, unsupported(policy, RESTART_POLICIES))
    dns = spec.get("dnsPolicy")
    if isinstance(dns, str) and dns:
        path = (*base, "dnsPolicy")
        if dns not in DNS_POLICIES:
            yield resource.finding(path, rule, unsupported(dns, DNS_POLICIES))
        elif dns == "None" and spec.get("dnsConfig") is None:
            yield resource.finding((*base, "dnsConfig"), rule, required(
                "must provide `dnsConfig` when `dnsPolicy` is None"))
    deadline = integer(spec.get("activeDeadlineSeconds"))
    if deadline is not None:
        path = (*base, "activeDeadlineSeconds")
        owner = DEADLINE_FORBIDDEN.get(resource.kind) if resource.group == "apps" else None
        if owner:
            yield resource.finding(path, rule, invalid(
                deadline, f"activeDeadlineSeconds in {owner} is not Supported"))
        elif not 1 <= deadline <= MAX_INT32:
            yield resource.finding(path, rule, invalid(
                deadline, f"must be between 1 and {MAX_INT32}, inclusive"))
    for field_name, check in (("hostname", is_dns1123_label), ("subdomain", is_dns1123_label),
                              ("serviceAccountName", is_dns1123_subdomain),
                              ("priorityClassName", is_dns1123_subdomain)):
        value = spec.get(field_name)
        if isinstance(value, str) and value:
            path = (*base, field_name)
            for detail in check(value):
                yield resource.finding(path, rule, invalid(value, detail))
    selector = spec.get("nodeSelector")
    for key, value in selector.items() if isinstance(selector, dict) else []:
        path = (*base, "nodeSelector", key)
        for detail in is_label_key(str(key)):
            yield resource.finding(path, rule, invalid(str(key), detail))
        for detail in is_label_value(str(value)):
            yield resource.finding(path, rule, invalid(str(value), detail))
    tolerations = spec.get("tolerations")
    for index, toleration in enumerate(tolerations if isinstance(tolerations, list) else []):
        if isinstance(toleration, dict):
            yield from _toleration_findings(resource, (*base, "tolerations", index), toleration)
    for path, container, _plain_init in containers:
        for field_name, supported in (("imagePullPolicy", PULL_POLICIES),
                                      ("terminationMessagePolicy", MESSAGE_POLICIES)):
            value = container.get(field_name)
            if isinstance(value, str) and value and value not in supported:
                field_path: Path = (*path, field_name)
                yield resource.finding(field_path, rule,
                                       unsupported(value, supported))
        lifecycle = container.get("lifecycle")
        for hook in ("postStart", "preStop"):
            handler = lifecycle.get(hook) if isinstance(lifecycle, dict) else None
            if isinstance(handler, dict):
                yield from _hook_findings(resource, (*path, "lifecycle", hook), handler)


def _toleration_findings(resource: Resource, path: Path,
                         toleration: dict[str, Any]) -> Iterator[Finding]:
    """validation.go ValidateTolerations."""
    rule = "api-pod-spec"
    key, operator = toleration.get("key") or "", toleration.get("operator") or "Equal"
    value, effect = toleration.get("value") or "", toleration.get("effect") or ""
    operator_path: Path = (*path, "operator")
    if key:
        for detail in is_label_key(str(key)):
            key_path: Path = (*path, "key")
            yield resource.finding(key_path, rule, invalid(key, detail))
    elif operator != "Exists":
        yield resource.finding(operator_path, rule, invalid(  # the operator as written
            toleration.get("operator") or "",
            "operator must be Exists when `key` is empty, which "
            'means "match all values and all keys"'))
    if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
        effect_path: Path = (*path, "effect")
        yield resource.finding(effect_path, rule, invalid(
            effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
    if operator == "Equal":
        errors = is_label_value(str(value))
        if errors:
            yield resource.finding(operator_path, rule,
                                   invalid(value, ";".join(errors)))
    elif operator == "Exists":
        if value:
            yield resource.finding(operator_path, rule, invalid(
                toleration, "value must be empty when `operator` is 'Exists'"))
    elif operator not in ("Lt", "Gt"):  # comparison operators: a feature gate, left alone
        yield resource.finding(operator_path, rule,
                               unsupported(operator, ["Equal", "Exists"]))
    if effect and effect not in TAINT_EFFECTS:
        effect_path = (*path, "effect")
        yield resource.finding(effect_path, rule, unsupported(effect, TAINT_EFFECTS))


HOOK_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")


def _hook_findings(resource: Resource, path: Path,
                   handler: dict[str, Any]) -> Iterator[Finding]:
    """validation.go validateLifecycle / validateHandler: exactly one handler."""
    present = [h for h in HOOK_HANDLERS if handler.get(h) is not None]
    if not present:
        yield resource.finding(path, "api-pod-spec",
                               required("must specify a handler type"))
    elif len(present) > 1:
        extra: Path = (*path, present[1])
        yield resource.finding(extra, "api-pod-spec",
                               forbidden("may not specify more than 1 handler type"))
    for name in ("httpGet", "tcpSocket"):
        action = handler.get(name)
        port = action.get("port") if isinstance(action, dict) else None
        if port is not None:  # no cross-reference rule reads a hook's port
            port_path: Path = (*path, name, "port")
            for detail in port_num_or_name(port):
                yield resource.finding(port_path, "api-pod-spec",
                                       invalid(port, detail))


POD_RULES = (check_volumes, check_volume_mounts, check_probes, check_env, check_pod_fields)
POD_KINDS = frozenset(("Pod", *TEMPLATE_PATHS))


def check_pod_specs(context: SetContext) -> Iterator[Finding]:
    """Every rule above, over each member's pod spec in one pass: one resource at a time."""
    for resource in context.members:
        if resource.kind not in POD_KINDS:
            continue
        template = context.template(resource)
        if template is None:
            continue
        containers = _containers(template)
        for rule in POD_RULES:
            yield from rule(resource, template, containers)


APISERVER_POD_CHECKS = (check_pod_specs,)
