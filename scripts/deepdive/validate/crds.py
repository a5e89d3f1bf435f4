"""Istio and Gateway API resources against their CRDs' own schemas, made strict.

Where the CRD files come from, in order:
1. `DEEPDIVE_SCHEMA_DIR`, a folder that already holds them (offline, air-gapped, CI);
2. the cache (`<cache>/crds/`), filled by an earlier download;
3. a download from the pinned release URL, accepted only if its sha256 matches.
Set `DEEPDIVE_OFFLINE=1` to forbid step 3.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from deepdive.validate.compiled import (
    TRANSFORM_VERSION,
    CompiledSchema,
    SchemaCompiler,
    cache_root,
    write_atomically,
)
from deepdive.validate.kube import BASE64_PATTERN, KubeSchemas

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
TOP_LEVEL = ("apiVersion", "kind", "metadata", "spec", "status")
_DROP = {"description", "format", "default", "example", "externalDocs", "nullable", "title"}


@dataclass(frozen=True)
class CrdSource:
    name: str
    relative: str  # where the file sits under DEEPDIVE_SCHEMA_DIR (and the cache)
    url: str
    # Every digest accepted for the file: what the URL serves, and any other copy of the
    # same release that people hold (DEEPDIVE_SCHEMA_DIR may point at either).
    sha256: tuple[str, ...]
    groups: tuple[str, ...]

    def trusts(self, digest: str) -> bool:
        return digest in self.sha256

    @property
    def expected(self) -> str:
        return " or ".join(self.sha256)


SOURCES: tuple[CrdSource, ...] = (
    CrdSource(
        name="Istio 1.30.3",
        relative="istio-1.30.3/crd-all.gen.yaml",
        url="https://raw.githubusercontent.com/istio/istio/1.30.3/manifests/charts/base/files/crd-all.gen.yaml",
        sha256=("dcb43ff6b9af2f629b80b6a82597f5a91db259c757e66cc5353ac007da28351a",),
        groups=("networking.istio.io", "security.istio.io", "telemetry.istio.io",
                "extensions.istio.io"),
    ),
    CrdSource(
        name="Gateway API v1.5.1",
        relative="gateway-api-v1.5.1/experimental-install.yaml",
        url="https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/experimental-install.yaml",
        sha256=(
            # the release asset as GitHub serves it (the same pin public Nix builds use)
            "64ec76609a6ac885e0405dea79ca509c229fa019d342f0857aa8b6bdc8b8ba92",
            # the copy Istio 1.30.3 ships for its own tests (what CI here points at)
            "63d55b6df5d2fc58e80bb2f89bd3ff0fe03b4d8f19da1466c4b10507e9db5227",
        ),
        groups=("gateway.networking.k8s.io", "gateway.networking.x-k8s.io"),
    ),
)


class SchemaSourceError(Exception):
    """A CRD file that cannot be found, downloaded or trusted."""


Fetch = Callable[[str], bytes]


def fetch_url(url: str) -> bytes:
    import urllib.request  # only a download needs it

    with urllib.request.urlopen(url, timeout=60) as response:
        return bytes(response.read())


def sha256_of(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


@dataclass
class SourceLocator:
    """Finds (or downloads and verifies) the CRD file of a source."""

    schema_dir: Path | None = None
    cache_dir: Path = field(default_factory=lambda: cache_root() / "crds")
    offline: bool = False
    fetch: Fetch = fetch_url

    @classmethod
    def from_environment(cls) -> SourceLocator:
        folder = os.environ.get("DEEPDIVE_SCHEMA_DIR")
        return cls(
            schema_dir=Path(folder) if folder else None,
            offline=os.environ.get("DEEPDIVE_OFFLINE", "") not in ("", "0"),
        )

    def locate(self, source: CrdSource) -> Path:
        if self.schema_dir is not None:
            path = self.schema_dir / source.relative
            if not path.is_file():
                raise SchemaSourceError(
                    f"DEEPDIVE_SCHEMA_DIR={self.schema_dir} lacks {source.relative} ({source.name})"
                )
            return path
        path = self.cache_dir / source.relative
        if path.is_file():
            return path
        if self.offline:
            raise SchemaSourceError(
                f"{source.name} CRDs are not cached and DEEPDIVE_OFFLINE forbids downloading; "
                f"set DEEPDIVE_SCHEMA_DIR to a folder holding {source.relative}"
            )
        return self.download(source, path)

    def download(self, source: CrdSource, path: Path) -> Path:
        try:
            payload = self.fetch(source.url)
        except (OSError, ValueError) as error:
            raise SchemaSourceError(
                f"cannot download {source.name} CRDs from {source.url}: {error}; "
                f"set DEEPDIVE_SCHEMA_DIR to a folder holding {source.relative}"
            ) from None
        actual = sha256_of(payload)
        if not source.trusts(actual):
            raise SchemaSourceError(
                f"{source.url} has sha256 {actual}, expected {source.expected}; not using it"
            )
        write_atomically(path, payload)
        if not path.is_file():
            raise SchemaSourceError(f"cannot write the {source.name} CRDs to {path}")
        return path


@dataclass(frozen=True)
class CrdVersion:
    api_version: str
    kind: str
    deprecated: bool
    warning: str
    preferred: str  # the apiVersion to use instead: a GA version, else the storage version


@dataclass
class LoadedSource:
    source: CrdSource
    digest: str
    versions: dict[tuple[str, str], CrdVersion]
    schemas: dict[str, Any]  # "apiVersion|kind" -> strict schema (metadata by $ref)


class CrdSchemas:
    """Strict validators for every served version of every CRD of the pinned sources."""

    def __init__(self, compiler: SchemaCompiler, kube: KubeSchemas, meta_version: str,
                 locator: SourceLocator | None = None,
                 sources: tuple[CrdSource, ...] = SOURCES) -> None:
        self.compiler, self.kube, self.meta_version = compiler, kube, meta_version
        self.locator = locator or SourceLocator.from_environment()
        self.sources = sources
        self._loaded: dict[str, LoadedSource | SchemaSourceError] = {}

    def source_for(self, group: str) -> CrdSource | None:
        return next((source for source in self.sources if group in source.groups), None)

    def load(self, source: CrdSource) -> LoadedSource:
        """The converted schemas of one source; raises SchemaSourceError."""
        if source.name not in self._loaded:
            try:
                self._loaded[source.name] = self._load(source)
            except SchemaSourceError as error:
                self._loaded[source.name] = error
        loaded = self._loaded[source.name]
        if isinstance(loaded, SchemaSourceError):
            raise loaded
        return loaded

    def _load(self, source: CrdSource) -> LoadedSource:
        path = self.locator.locate(source)
        try:
            payload = path.read_bytes()
        except OSError as error:
            raise SchemaSourceError(f"cannot read {path}: {error.strerror}") from None
        digest = sha256_of(payload)
        if not source.trusts(digest):
            raise SchemaSourceError(
                f"{path} has sha256 {digest}, expected {source.expected} ({source.name})"
            )
        cached = cache_root() / "crd-schemas" / f"{digest}-t{TRANSFORM_VERSION}.json"
        try:
            converted = json.loads(cached.read_text())
        except (OSError, ValueError):
            converted = convert_crds(payload)
            write_atomically(cached, json.dumps(converted).encode())
        versions = {
            (entry["api_version"], entry["kind"]): CrdVersion(**entry)
            for entry in converted["versions"]
        }
        return LoadedSource(source, digest, versions, converted["schemas"])

    def version(self, api_version: str, kind: str) -> CrdVersion | None:
        group = api_version.rpartition("/")[0]
        source = self.source_for(group)
        return self.load(source).versions.get((api_version, kind)) if source else None

    def kinds_in_group(self, group: str) -> list[CrdVersion]:
        source = self.source_for(group)
        if source is None:
            return []
        return [v for v in self.load(source).versions.values()
                if v.api_version.rpartition("/")[0] == group]

    def validator(self, api_version: str, kind: str) -> CompiledSchema | None:
        source = self.source_for(api_version.rpartition("/")[0])
        if source is None:
            return None
        loaded = self.load(source)
        schema = loaded.schemas.get(f"{api_version}|{kind}")
        if schema is None:
            return None
        key = f"crd:{loaded.digest}:{self.meta_version}:{api_version}:{kind}"
        return self.compiler.get(key, lambda: self._with_metadata(schema))

    def _with_metadata(self, schema: dict[str, Any]) -> dict[str, Any]:
        meta = self.kube.bundle_definition(self.meta_version, OBJECT_META)
        return {**schema, "definitions": meta["definitions"],
                "$schema": "http://json-schema.org/draft-07/schema#"}


def convert_crds(payload: bytes) -> dict[str, Any]:
    """Every served version of every CRD in a multi-document file -> strict schemas."""
    versions: list[dict[str, Any]] = []
    schemas: dict[str, Any] = {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for document in yaml.load_all(payload, Loader=loader):
        if not isinstance(document, dict) or document.get("kind") != "CustomResourceDefinition":
            continue
        spec = document["spec"]
        group, kind = spec["group"], spec["names"]["kind"]
        served = [v for v in spec.get("versions", []) if v.get("served")]
        if not served:
            continue  # a CRD that serves no version defines no resource to validate
        ga = [v["name"] for v in served if v["name"].startswith("v") and v["name"][1:].isdigit()]
        storage = next((v["name"] for v in served if v.get("storage")), served[0]["name"])
        preferred = f"{group}/{ga[-1] if ga else storage}"
        for version in served:
            api_version = f"{group}/{version['name']}"
            versions.append({
                "api_version": api_version, "kind": kind,
                "deprecated": bool(version.get("deprecated")),
                "warning": str(version.get("deprecationWarning") or ""),
                "preferred": preferred,
            })
            root = (version.get("schema") or {}).get("openAPIV3Schema") or {"type": "object"}
            schemas[f"{api_version}|{kind}"] = top_level(strict(root), api_version, kind)
    return {"versions": versions, "schemas": schemas}


def top_level(schema: dict[str, Any], api_version: str, kind: str) -> dict[str, Any]:
    """Only apiVersion, kind, metadata, spec and status at the top; metadata is ObjectMeta."""
    properties = schema.get("properties", {})
    return {
        "type": "object",
        "properties": {
            "apiVersion": {"enum": [api_version]},
            "kind": {"enum": [kind]},
            "metadata": {"$ref": f"#/definitions/{OBJECT_META}"},
            **{name: properties[name] for name in ("spec", "status") if name in properties},
        },
        "required": [
            "apiVersion", "kind", "metadata",
            *[name for name in schema.get("required", []) if name in ("spec", "status")],
        ],
        "additionalProperties": False,
    }


def portable_pattern(pattern: str) -> str | None:
    """A Go (RE2) pattern as one Python's `re` and fastjsonschema read the same way.

    fastjsonschema turns every unescaped `$` into `\\Z`, which breaks a `$` inside a
    character class, so escape those; a pattern Python cannot compile is dropped (the
    API server still checks it) rather than failing every resource of the kind."""
    out: list[str] = []
    in_class = escaped = False
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class and pattern[index - 1] not in "[^":
            in_class = False
        elif char == "$" and in_class:
            out.append("\\")
        out.append(char)
    fixed = "".join(out)
    try:
        re.compile(re.sub(r"(?<!\\)\$", r"\\Z", fixed))
    except re.error:
        return None
    return fixed


def strict(schema: Any) -> Any:
    """An OpenAPI v3 structural schema as strict JSON schema: objects reject unknown fields
    unless x-kubernetes-preserve-unknown-fields; int-or-string and nullable become types."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "format" and value == "byte" and "pattern" not in schema:
            out["pattern"] = BASE64_PATTERN  # the API server checks this format
            continue
        if key in _DROP or key.startswith("x-kubernetes"):
            continue
        if key == "properties":
            out[key] = {name: strict(item) for name, item in value.items()}
        elif key in ("items", "not", "additionalProperties"):
            out[key] = strict(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [strict(branch) for branch in value]
        elif key == "pattern":
            portable = portable_pattern(str(value))
            if portable is not None:
                out[key] = portable
        else:
            out[key] = value
    if schema.get("x-kubernetes-int-or-string"):
        out["type"] = ["integer", "string"]
        for combinator in ("anyOf", "oneOf"):
            branches = out.get(combinator)
            if isinstance(branches, list) and all(set(b) <= {"type"} for b in branches):
                del out[combinator]
    elif schema.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    preserve = schema.get("x-kubernetes-preserve-unknown-fields") is True
    if out.get("type") == "object" and not preserve and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out
