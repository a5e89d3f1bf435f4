"""The manifest fields the lab translator reads. Any other field is an error, never ignored.

A spec is ANY (a value taken as a whole), a dict (the allowed keys), a one-item list (each
item), or MapOf (a mapping with free keys). Fields marked NO_EFFECT are accepted on purpose:
they do not change routing on a single local Envoy (container resources, images' commands).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepdive.manifests import Document, FieldPath


class Any_:
    """A value read whole (or deliberately without effect)."""


ANY = Any_()
NO_EFFECT = ANY


@dataclass(frozen=True)
class MapOf:
    value: Spec


Spec = Any_ | dict[str, "Spec"] | list["Spec"] | MapOf


class LabError(Exception):
    """One line for the reader: what is wrong and, when known, where."""


class UnsupportedField(LabError):
    def __init__(self, path: Path, line: int, column: int, field: str, what: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {field} {what}")
        self.field = field


def field_text(path: FieldPath) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def unsupported(document: Document, path: FieldPath, what: str) -> UnsupportedField:
    position = document.locate_key(path)
    return UnsupportedField(document.path, position.line, position.column, field_text(path), what)


METADATA: Spec = {"name": ANY, "namespace": ANY, "labels": ANY, "annotations": ANY}
PORT_SELECTOR: Spec = {"number": ANY}
DESTINATION: Spec = {"host": ANY, "subset": ANY, "port": PORT_SELECTOR}
PERCENT: Spec = {"value": ANY}
STRING_MATCH: Spec = {"exact": ANY, "prefix": ANY, "regex": ANY}

HTTP_ROUTE_RULE: Spec = {
    "name": ANY,
    "match": [{"headers": MapOf(STRING_MATCH), "uri": STRING_MATCH, "port": ANY,
               "gateways": ANY}],
    "route": [{"destination": DESTINATION, "weight": ANY}],
    "timeout": ANY,
    "retries": {"attempts": ANY, "perTryTimeout": ANY, "retryOn": ANY},
    "fault": {"delay": {"percentage": PERCENT, "fixedDelay": ANY},
              "abort": {"percentage": PERCENT, "httpStatus": ANY}},
    "mirror": DESTINATION,
    "mirrorPercentage": PERCENT,
}

TRAFFIC_POLICY: Spec = {
    "connectionPool": {
        "tcp": {"maxConnections": ANY, "connectTimeout": ANY},
        "http": {"http1MaxPendingRequests": ANY, "http2MaxRequests": ANY,
                 "maxRequestsPerConnection": ANY, "maxRetries": ANY},
    },
    "outlierDetection": {"consecutive5xxErrors": ANY, "interval": ANY,
                         "baseEjectionTime": ANY, "maxEjectionPercent": ANY,
                         "minHealthPercent": ANY},
    "loadBalancer": {"simple": ANY},
}

CONTAINER: Spec = {
    "name": ANY, "image": ANY, "args": ANY, "command": NO_EFFECT,
    "ports": [{"name": ANY, "containerPort": ANY, "protocol": ANY}],
    "resources": NO_EFFECT,
}


def _object(spec: Spec) -> Spec:
    return {"apiVersion": ANY, "kind": ANY, "metadata": METADATA, "spec": spec}


SPECS: dict[str, Spec] = {
    "Service": _object({
        "selector": ANY, "type": ANY,
        "ports": [{"name": ANY, "port": ANY, "targetPort": ANY, "protocol": ANY,
                   "appProtocol": ANY}],
    }),
    "Deployment": _object({
        "replicas": ANY, "selector": ANY,
        "template": {"metadata": {"labels": ANY, "annotations": ANY},
                     "spec": {"containers": [CONTAINER],
                              "terminationGracePeriodSeconds": NO_EFFECT}},
    }),
    "VirtualService": _object({
        "hosts": ANY, "gateways": ANY, "http": [HTTP_ROUTE_RULE],
        "tcp": [{"match": [{"port": ANY}], "route": [{"destination": DESTINATION,
                                                      "weight": ANY}]}],
    }),
    "DestinationRule": _object({
        "host": ANY, "trafficPolicy": TRAFFIC_POLICY,
        "subsets": [{"name": ANY, "labels": ANY}],
    }),
    "Gateway/networking.istio.io": _object({
        "selector": ANY,
        "servers": [{"port": {"number": ANY, "name": ANY, "protocol": ANY}, "hosts": ANY}],
    }),
    "Gateway/gateway.networking.k8s.io": _object({
        "gatewayClassName": ANY,
        "listeners": [{"name": ANY, "port": ANY, "protocol": ANY, "hostname": ANY,
                       "allowedRoutes": NO_EFFECT}],
    }),
    "HTTPRoute": _object({
        "parentRefs": [{"group": ANY, "kind": ANY, "name": ANY, "namespace": ANY,
                        "port": ANY}],
        "hostnames": ANY,
        "rules": [{
            "matches": [{"path": {"type": ANY, "value": ANY},
                         "headers": [{"name": ANY, "value": ANY, "type": ANY}]}],
            "backendRefs": [{"group": ANY, "kind": ANY, "name": ANY, "port": ANY,
                             "weight": ANY}],
        }],
    }),
    "ServiceEntry": _object({
        "hosts": ANY, "location": ANY, "resolution": ANY,
        "ports": [{"number": ANY, "name": ANY, "protocol": ANY}],
    }),
    "Sidecar": _object({"outboundTrafficPolicy": {"mode": ANY}, "egress": [{"hosts": ANY}]}),
    "Telemetry": _object({"accessLogging": [{"providers": [{"name": ANY}]}]}),
}


def spec_key(document: Document) -> str:
    if document.kind == "Gateway":
        return f"Gateway/{document.api_version.split('/')[0]}"
    return document.kind


def check_fields(document: Document) -> None:
    """Raise UnsupportedField for the first field the translator does not read."""
    key = spec_key(document)
    spec = SPECS.get(key)
    if spec is None:
        raise unsupported(document, ("kind",), f"{document.kind!r} is not supported by the "
                                               "lab translator")
    _check(document, document.data, spec, ())


def _check(document: Document, value: Any, spec: Spec, path: FieldPath) -> None:
    if isinstance(spec, Any_):
        return
    if isinstance(spec, MapOf):
        if isinstance(value, dict):
            for key, item in value.items():
                _check(document, item, spec.value, (*path, str(key)))
        return
    if isinstance(spec, list):
        if isinstance(value, list):
            for index, item in enumerate(value):
                _check(document, item, spec[0], (*path, index))
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in spec:
                raise unsupported(document, (*path, str(key)),
                                  "is not supported by the lab translator")
            _check(document, item, spec[key], (*path, str(key)))
