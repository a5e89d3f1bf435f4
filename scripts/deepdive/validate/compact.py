"""What the cross-reference rules keep of a resource once its own checks are done.

A parsed document with its node tree costs about 15 KB; a set of 100,000 resources would
not fit in memory. The engine checks each resource on its own (schema, `api-*` rules) while
its file is read, then keeps only this compact form for the rules that look across a set:
the fields they read, and the lines the document spans, so that a finding can still name
its line and column (the document is parsed again, alone, when a finding needs it).
"""

from __future__ import annotations

import os
import re
import sys
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepdive.manifests import Document, FieldPath, Position, position_of
from deepdive.validate.goyaml import first_document
from deepdive.validate.rules.context import ISTIO_GROUPS
from deepdive.validate.yamlcheck import Resource, decode
from deepdive.workloads import find_template, get_path

# The fields the cross-reference rules (rules/kubernetes.py, rules/istio.py) read. A rule
# that reads another must keep it here: test_validate_scale.py compares the rules' findings
# on full and on compact resources.
PORT_FIELDS = ("name", "protocol", "containerPort")
SERVICE_FIELDS = ("type", "clusterIP")
SERVICE_PORT_FIELDS = ("name", "port", "targetPort", "protocol", "appProtocol")


@dataclass(slots=True)
class LinesDocument:
    """A document known by the lines it spans; positions come from parsing those lines
    again, alone, when a finding asks (rarely, and never for a clean set)."""

    path: Path
    first_line: int  # 0-based, as marks count
    last_line: int  # inclusive

    def locate_key(self, path: FieldPath) -> Position:
        node = _Lines.node(self.path, self.first_line, self.last_line)
        if node is None:  # the file changed or vanished since it was read: its first line
            return Position(self.first_line + 1, 1)
        found = position_of(node, path, at_key=True)
        return Position(found.line + self.first_line, found.column)


def forget_texts() -> None:
    """Let go of the file read last (a run's end; files may change before the next run)."""
    _Lines.forget()


def document_lines(document: Document) -> tuple[int, int]:
    """(first, last) 0-based lines of a document's root node."""
    node = document.node
    if node is None:
        return 0, 0
    end = node.end_mark
    last = end.line if end.column > 0 else max(end.line - 1, node.start_mark.line)
    return node.start_mark.line, last


# Where libyaml starts a new line (its marks count these breaks), in UTF-8.
_BREAK = re.compile(rb"\r\n|[\r\n]|\xc2\x85|\xe2\x80[\xa8\xa9]")
_STEP = 256  # lines between two remembered line starts
_BLOCK = 1 << 20


def line_index(path: Path) -> array[int]:
    """The byte offset of line 0, _STEP, 2 * _STEP, ... of a file, read a block at a time:
    a file of 100,000 resources (30 MB) is never in memory whole."""
    starts = array("q", [0])
    number = offset = 0
    pending = b""
    with path.open("rb") as file:
        while True:
            block = file.read(_BLOCK)
            data, final = pending + block, not block
            limit = len(data) if final else max(len(data) - 2, 0)
            resume = limit
            for match in _BREAK.finditer(data):
                if match.end() > limit:  # perhaps cut by the block's end: again, with more
                    resume = match.start()
                    break
                number += 1
                if number % _STEP == 0:
                    starts.append(offset + match.end())
            if final:
                return starts
            offset, pending = offset + resume, data[resume:]


class _Lines:
    """The line index of the file read last, and the document parsed last (findings come
    file by file, and often several for one resource)."""

    key: tuple[Path, float] | None = None
    starts = array("q")
    parsed: tuple[Path, int, int, Any] | None = None

    @classmethod
    def forget(cls) -> None:
        cls.key, cls.starts, cls.parsed = None, array("q"), None

    @classmethod
    def node(cls, path: Path, first: int, last: int) -> Any:
        if cls.parsed is None or cls.parsed[:3] != (path, first, last):
            cls.parsed = (path, first, last, _reparse(path, first, last))
        return cls.parsed[3]

    @classmethod
    def slice(cls, path: Path, first: int, last: int) -> str | None:
        """Lines first..last (0-based) of a file: the blocks of _STEP lines around them are
        read, and split where libyaml splits lines."""
        try:
            key = (path, os.stat(path).st_mtime)
            if key != cls.key:
                cls.key, cls.starts, cls.parsed = key, line_index(path), None
            low, high = first // _STEP, (last + 1) // _STEP + 1
            if low >= len(cls.starts):
                return None
            with path.open("rb") as file:
                file.seek(cls.starts[low])
                size = cls.starts[high] - cls.starts[low] if high < len(cls.starts) else -1
                region = file.read(size)
        except OSError:
            return None
        offsets = [0, *(match.end() for match in _BREAK.finditer(region))]
        skip, count = first - low * _STEP, last + 1 - first
        if skip >= len(offsets):
            return None
        end = offsets[skip + count] if skip + count < len(offsets) else len(region)
        return decode(region[offsets[skip]:end])


def _reparse(path: Path, first: int, last: int) -> Any:
    text = _Lines.slice(path, first, last)
    if text is None:
        return None
    try:
        return first_document(path, text)
    except Exception:  # a file edited since it was checked: positions fall back
        return None


def _intern(value: Any) -> Any:
    return sys.intern(value) if isinstance(value, str) and len(value) < 64 else value


def _pairs(value: Any) -> Any:
    return {_intern(k): _intern(v) for k, v in value.items()} if isinstance(value, dict) \
        else value


def _fields(items: Any, names: tuple[str, ...]) -> Any:
    if not isinstance(items, list):
        return items
    return [{k: _intern(item[k]) for k in names if k in item} if isinstance(item, dict)
            else item for item in items]


def _base(resource: Resource) -> dict[str, Any]:
    """apiVersion, kind and the metadata that names the resource."""
    metadata = resource.data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    kept_metadata = {k: _intern(metadata[k]) if k == "namespace" else metadata[k]
                     for k in ("name", "namespace", "generateName") if k in metadata}
    return {"apiVersion": resource.api_version, "kind": resource.kind,
            "metadata": kept_metadata}


def _service(resource: Resource) -> dict[str, Any]:
    """What the rules read of a Service: whom it selects, its ports, type and clusterIP.
    YAML gives every occurrence of `name` or `http` its own string: interned, a large set
    holds each once."""
    kept = _base(resource)
    spec = resource.data.get("spec")
    if isinstance(spec, dict):
        kept["spec"] = {k: _intern(spec[k]) for k in SERVICE_FIELDS if k in spec}
        if "selector" in spec:
            kept["spec"]["selector"] = _pairs(spec["selector"])
        if "ports" in spec:
            kept["spec"]["ports"] = _fields(spec["ports"], SERVICE_PORT_FIELDS)
    return kept


def _namespace(resource: Resource) -> dict[str, Any]:
    kept = _base(resource)
    labels = get_path(resource.data, ("metadata", "labels"))
    if labels is not None:
        kept["metadata"]["labels"] = _pairs(labels)
    return kept


def _container(container: Any) -> dict[str, Any]:
    """What the rules read of a container: its ports, and restartPolicy (a sidecar)."""
    if not isinstance(container, dict):
        return {}
    kept: dict[str, Any] = {}
    if "ports" in container:
        kept["ports"] = _fields(container["ports"], PORT_FIELDS)
    if "restartPolicy" in container:
        kept["restartPolicy"] = _intern(container["restartPolicy"])
    return kept


_HEADS: dict[tuple[str, str], dict[str, Any]] = {}


def _head(resource: Resource) -> dict[str, Any]:
    """The data of a resource the rules know by its names alone: apiVersion and kind, one
    dict shared by every resource of that kind (rules never change data)."""
    if not resource.name:
        return _base(resource)  # its label shows the generateName
    key = (resource.api_version, resource.kind)
    if key not in _HEADS:
        _HEADS[key] = {"apiVersion": resource.api_version, "kind": resource.kind}
    return _HEADS[key]


def _pod_template(resource: Resource) -> tuple[Any, ...]:
    """(path, labels, spec) of the pod template with only its containers' ports and
    restartPolicy, or () for a resource without one (SetContext.template reads it)."""
    found = find_template(resource.kind, resource.api_version, resource.data)
    if found is None:
        return ()
    path, labels, spec = found
    pod_spec = {name: [_container(c) for c in spec[name]]
                for name in ("initContainers", "containers") if isinstance(spec.get(name), list)}
    return path, _pairs(labels), pod_spec


def compact(resource: Resource) -> Resource:
    """The resource with only what the cross-reference rules read, positions kept."""
    source = resource.document
    if not isinstance(source, Document):
        return resource  # compact already
    if resource.group in ISTIO_GROUPS:
        data = resource.data  # routing configuration, read whole (and few)
    elif resource.kind == "Service" and resource.group == "":
        data = _service(resource)
    elif resource.kind == "Namespace" and resource.group == "":
        data = _namespace(resource)
    elif resource.kind == "StatefulSet":
        data = _base(resource)
        service = get_path(resource.data, ("spec", "serviceName"))
        if service is not None:
            data["spec"] = {"serviceName": service}
    else:
        data = _head(resource)
    first, last = document_lines(source)
    return resource.moved(LinesDocument(path=source.path, first_line=first, last_line=last),
                          data, _pod_template(resource))
