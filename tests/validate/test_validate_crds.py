"""CRD schemas: the strict conversion, and where the files come from (never the internet)."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from deepdive.validate.compiled import SchemaCompiler
from deepdive.validate.crds import (
    CrdSchemas,
    CrdSource,
    SchemaSourceError,
    SourceLocator,
    fetch_url,
    portable_pattern,
    strict,
    top_level,
)
from deepdive.validate.engine import Validator
from deepdive.validate.kube import KubeSchemas

CRD = b"""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
"""


def source_for(payload: bytes, url: str) -> CrdSource:
    return CrdSource(name="Widgets 1.0", relative="widgets/crd.yaml", url=url,
                     sha256=(hashlib.sha256(payload).hexdigest(),), groups=("example.com",))


def test_objects_reject_unknown_fields_unless_preserved() -> None:
    schema = strict({
        "type": "object",
        "properties": {
            "closed": {"type": "object", "properties": {"a": {"type": "string"}}},
            "open": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            "port": {"x-kubernetes-int-or-string": True,
                     "anyOf": [{"type": "integer"}, {"type": "string"}]},
            "maybe": {"type": "string", "nullable": True},
        },
    })
    assert schema["additionalProperties"] is False
    assert schema["properties"]["closed"]["additionalProperties"] is False
    assert "additionalProperties" not in schema["properties"]["open"]
    assert schema["properties"]["port"] == {"type": ["integer", "string"]}
    assert schema["properties"]["maybe"]["type"] == ["string", "null"]


def test_top_level_allows_only_the_five_fields() -> None:
    schema = top_level(strict({"type": "object", "properties": {
        "spec": {"type": "object"}, "status": {"type": "object"}, "extra": {"type": "string"},
    }}), "example.com/v1", "Widget")
    assert list(schema["properties"]) == ["apiVersion", "kind", "metadata", "spec", "status"]
    assert schema["additionalProperties"] is False


def test_go_patterns_with_a_dollar_in_a_class_survive() -> None:
    assert portable_pattern(r"^[a-z$]+$") == r"^[a-z\$]+$"
    assert portable_pattern("(unclosed") is None


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """A loopback HTTP server for one folder; yields its base URL."""
    (tmp_path / "served").mkdir()
    (tmp_path / "served" / "crd.yaml").write_bytes(CRD)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(tmp_path / "served"), **kwargs)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_download_verifies_and_caches(served: str, tmp_path: Path) -> None:
    source = source_for(CRD, f"{served}/crd.yaml")
    fetched: list[str] = []
    locator = SourceLocator(cache_dir=tmp_path / "cache",
                            fetch=lambda url: fetched.append(url) or fetch_url(url))
    path = locator.locate(source)
    assert path.read_bytes() == CRD and fetched == [source.url]
    assert locator.locate(source) == path and len(fetched) == 1  # cached: no second fetch


def test_download_with_a_wrong_checksum_is_refused(served: str, tmp_path: Path) -> None:
    source = source_for(b"something else", f"{served}/crd.yaml")
    locator = SourceLocator(cache_dir=tmp_path / "cache")
    with pytest.raises(SchemaSourceError, match="sha256"):
        locator.locate(source)
    assert not (tmp_path / "cache" / source.relative).exists()


def test_file_url_works_and_offline_forbids_downloading(tmp_path: Path) -> None:
    (tmp_path / "crd.yaml").write_bytes(CRD)
    source = source_for(CRD, (tmp_path / "crd.yaml").as_uri())
    with pytest.raises(SchemaSourceError, match="DEEPDIVE_OFFLINE"):
        SourceLocator(cache_dir=tmp_path / "c1", offline=True).locate(source)
    assert SourceLocator(cache_dir=tmp_path / "c2").locate(source).read_bytes() == CRD


def test_downloaded_crd_validates_its_kind(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DEEPDIVE_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "crd.yaml").write_bytes(CRD)
    source = source_for(CRD, (tmp_path / "crd.yaml").as_uri())
    compiler = SchemaCompiler(tmp_path / "cache")
    kube = KubeSchemas(compiler)
    crds = CrdSchemas(compiler, kube, "1.37", SourceLocator(cache_dir=tmp_path / "crds"),
                      sources=(source,))
    check = crds.validator("example.com/v1", "Widget")
    assert check is not None
    good = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
            "spec": {"size": 3}}
    assert check.errors(good) == []
    bad = {**good, "spec": {"sise": 3}, "extra": 1}
    assert sorted(e.validator for e in check.errors(bad)) == ["additionalProperties"] * 2


def test_missing_crd_file_is_a_finding(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DEEPDIVE_SCHEMA_DIR", str(tmp_path / "empty"))
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "vs.yaml").write_text(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: v\n"
        "spec:\n  hosts: [a]\n")
    report = Validator().run([tmp_path / "m"])
    [finding] = [f for f in report.findings if f.rule == "schema-unavailable"]
    assert finding.line == 1 and "DEEPDIVE_SCHEMA_DIR" in finding.message
