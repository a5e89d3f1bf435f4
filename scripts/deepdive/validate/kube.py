"""Kubernetes built-in kinds against the strict schemas shipped by kubernetes-validate.

kubernetes-validate keeps, per Kubernetes minor version, one JSON schema per kind whose
`$ref`s point into a shared `_definitions.json`. For each (version, apiVersion, kind) we
bundle the kind's schema with just the definitions it reaches into one self-contained,
strict draft-07 schema and hand it to the SchemaCompiler (compiled once, cached on disk).
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

from deepdive.validate.compiled import CompiledSchema, SchemaCompiler

DEFAULT_VERSIONS: tuple[str, ...] = ("1.35", "1.36", "1.37")
# Found without importing the package (whose import pulls in jsonschema: 30 ms).
_SPEC = importlib.util.find_spec("kubernetes_validate")
SCHEMA_ROOT = Path(next(iter(_SPEC.submodule_search_locations or [])) if _SPEC else ".") / (
    "kubernetes-json-schema"
)
_DEFS = "$defs/"
# Keys that document or annotate a schema but never constrain a value.
_DROP = {"description", "format", "$schema", "$id", "readOnly"}
# `format: byte` ([]byte in Go: Secret data, ConfigMap binaryData, caBundle) does constrain:
# the API server decodes it with Go's base64.StdEncoding, which wants standard padded
# base64 and skips line breaks. The format becomes this pattern.
_B64 = r"[A-Za-z0-9+/][\r\n]*"
BASE64_PATTERN = (rf"^[\r\n]*(?:(?:{_B64}){{4}})*"
                  rf"(?:(?:{_B64}){{2}}=[\r\n]*=|(?:{_B64}){{3}}=)?[\r\n]*$")


class UnsupportedVersion(ValueError):
    """A --kube-version for which kubernetes-validate ships no strict schemas."""


def available_versions() -> list[str]:
    found = {
        match[1]
        for entry in SCHEMA_ROOT.iterdir()
        if (match := re.fullmatch(r"v(\d+\.\d+)\.0-local-strict", entry.name))
    }
    return sorted(found, key=lambda version: tuple(int(part) for part in version.split(".")))


def check_versions(versions: list[str]) -> tuple[str, ...]:
    known = available_versions()
    cleaned = tuple(dict.fromkeys(version.removeprefix("v") for version in versions))
    for version in cleaned:
        if version not in known:
            raise UnsupportedVersion(
                f"Kubernetes {version} has no strict schemas here; choose from {', '.join(known)}"
            )
    return cleaned


def schema_file_name(api_version: str, kind: str) -> str:
    """kubernetes-validate's naming: apps/v1 Deployment -> deployment-apps-v1.json."""
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return f"{kind.lower()}-{group_version}.json"


class KubeSchemas:
    """Strict validators for built-in kinds, one per (version, apiVersion, kind)."""

    def __init__(self, compiler: SchemaCompiler) -> None:
        self.compiler = compiler
        self._definitions: dict[str, dict[str, Any]] = {}
        self._kind_schemas: dict[tuple[str, str, str], dict[str, Any] | None] = {}

    @cached_property
    def package_version(self) -> str:
        return metadata.version("kubernetes-validate")

    def directory(self, version: str) -> Path:
        return SCHEMA_ROOT / f"v{version}.0-local-strict"

    def kind_schema(self, version: str, api_version: str, kind: str) -> dict[str, Any] | None:
        """The raw schema of a top-level kind, or None when this version does not serve it."""
        key = (version, api_version, kind)
        if key not in self._kind_schemas:
            self._kind_schemas[key] = self._read_kind(version, api_version, kind)
        return self._kind_schemas[key]

    def _read_kind(self, version: str, api_version: str, kind: str) -> dict[str, Any] | None:
        path = self.directory(version) / schema_file_name(api_version, kind)
        if "/" in kind or not path.is_file():
            return None
        schema = json.loads(path.read_text())
        group, _, short = api_version.rpartition("/")
        served = schema.get("x-kubernetes-group-version-kind") or []
        # The file name drops the group's domain; insist on the exact group, version, kind.
        if not any(
            entry.get("group", "") == group and entry.get("version") == short
            and entry.get("kind") == kind
            for entry in served
        ):
            return None
        return schema

    def serves(self, version: str, api_version: str, kind: str) -> bool:
        return self.kind_schema(version, api_version, kind) is not None

    def validator(self, version: str, api_version: str, kind: str) -> CompiledSchema | None:
        if not self.serves(version, api_version, kind):
            return None
        key = f"k8s:{self.package_version}:{version}:{api_version}:{kind}"
        return self.compiler.get(key, lambda: self.bundle(version, api_version, kind))

    def definitions(self, version: str) -> dict[str, Any]:
        if version not in self._definitions:
            path = self.directory(version) / "_definitions.json"
            self._definitions[version] = json.loads(path.read_text())["$defs"]
        return self._definitions[version]

    def bundle(self, version: str, api_version: str, kind: str) -> dict[str, Any]:
        schema = self.kind_schema(version, api_version, kind)
        assert schema is not None
        return bundle_schema(schema, self.definitions(version))

    def bundle_definition(self, version: str, name: str) -> dict[str, Any]:
        """One definition (e.g. ObjectMeta) as a self-contained schema, for CRDs to embed."""
        return bundle_schema({"$ref": f"/api/_definitions.json#/$defs/{name}"},
                             self.definitions(version))


def bundle_schema(root: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """A self-contained draft-07 schema: `root` plus every definition it reaches."""
    wanted: set[str] = set()
    bundled = simplify(root, wanted)
    collected: dict[str, Any] = {}
    while pending := sorted(wanted - collected.keys()):
        for name in pending:
            collected[name] = simplify(definitions[name], wanted)
    bundled["definitions"] = collected
    bundled["$schema"] = "http://json-schema.org/draft-07/schema#"
    return bundled


def simplify(schema: Any, refs: set[str]) -> Any:
    """Drop documentation, point $refs at local definitions, and turn a oneOf of plain types
    (IntOrString, Quantity) into one type list, which reads better in errors."""
    if isinstance(schema, list):
        return [simplify(item, refs) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "format" and value == "byte" and "pattern" not in schema:
            out["pattern"] = BASE64_PATTERN
            continue
        if key in _DROP or key.startswith("x-kubernetes"):
            continue
        if key == "$ref":
            name = value.split(_DEFS, 1)[1]
            refs.add(name)
            out[key] = f"#/definitions/{name}"
        elif key in ("properties", "patternProperties", "definitions"):
            out[key] = {name: simplify(item, refs) for name, item in value.items()}
        else:
            out[key] = simplify(value, refs)
    branches = out.get("oneOf")
    if isinstance(branches, list) and branches and all(
        isinstance(branch, dict) and set(branch) == {"type"} for branch in branches
    ):
        types: list[str] = []
        for branch in branches:
            for name in branch["type"] if isinstance(branch["type"], list) else [branch["type"]]:
                if name not in types:
                    types.append(name)
        del out["oneOf"]
        out["type"] = types
    return out


@cache
def api_versions_of(schemas: KubeSchemas, version: str, kind: str) -> list[str]:
    """Every apiVersion under which a Kubernetes version serves a kind, GA first."""
    found: list[str] = []
    prefix = f"{kind.lower()}-"
    for path in sorted(schemas.directory(version).glob(f"{prefix}*.json")):
        try:
            served = json.loads(path.read_text()).get("x-kubernetes-group-version-kind") or []
        except (OSError, ValueError):
            continue
        for entry in served:
            if entry.get("kind") == kind:
                group = entry.get("group", "")
                found.append(f"{group}/{entry['version']}" if group else entry["version"])
    return sorted(set(found), key=lambda api: (not is_ga(api), api))


def is_ga(api_version: str) -> bool:
    """v1, v2 (not v1beta1, v2alpha1)."""
    return bool(re.fullmatch(r"v\d+", api_version.rpartition("/")[2]))
