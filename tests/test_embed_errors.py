"""What a page author sees when a macro asks a manifest for something it does not hold.

Every manifest here passes validation (the build validates manifests/ before any page is
rendered, so an invalid one would fail first and hide the macro's own error): each error
below comes from the embed or macro code alone, and names the file and what is missing."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from deepdive import macros
from deepdive.embed import EmbedError
from deepdive.validate.engine import Validator
from deepdive.validate.findings import Severity

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: nginx:1.29.3
          ports:
            - {name: http, containerPort: 8080}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - {name: http, port: 80, targetPort: http}
"""
CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
"""
ROUTE = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: web
spec:
  hosts: [web]
  http:
    - route:
        - destination: {host: web}
"""


class FakeEnv:
    def __init__(self, project: Path) -> None:
        self.conf = {"config_file_path": str(project / "mkdocs.yml"),
                     "site_dir": str(project / "site")}
        self.page = SimpleNamespace(url="kubernetes/pods/")
        self.macros: dict[str, Any] = {}
        self.variables: dict[str, Any] = {}

    def macro(self, function: Any, name: str | None = None) -> Any:
        self.macros[name or function.__name__] = function
        return function


@pytest.fixture
def project(tmp_path: Path, crds_available: None) -> Path:
    (tmp_path / "mkdocs.yml").write_text("site_name: test\n", encoding="utf-8")
    folder = tmp_path / "manifests" / "demo"
    folder.mkdir(parents=True)
    (folder / "web.yaml").write_text(WEB, encoding="utf-8")
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (folder / "route.yaml").write_text(ROUTE, encoding="utf-8")
    return tmp_path


@pytest.fixture
def crds_available() -> None:
    """The VirtualService needs the pinned Istio CRDs (tests/validate/conftest.py has the
    same check; CI always has them)."""
    from deepdive.validate.crds import SOURCES, SchemaSourceError

    try:
        for source in SOURCES:
            Validator().crds.load(source)
    except SchemaSourceError as error:
        pytest.fail(f"Istio CRDs unavailable: {error}")


@pytest.fixture
def env(project: Path) -> dict[str, Any]:
    fake = FakeEnv(project)
    macros.define_env(fake)  # validates manifests/ first: these files pass
    return fake.macros


def test_the_manifests_pass_validation(project: Path) -> None:
    report = Validator().run([project / "manifests"])
    assert [f for f in report.findings if f.severity is Severity.ERROR] == []
    assert report.resources == 4


@pytest.mark.parametrize(("call", "message"), [
    (lambda m: m["statefulset"]("demo/web.yaml"), "manifests/demo/web.yaml: no StatefulSet"),
    (lambda m: m["service"]("demo/web.yaml", "api"),
     "manifests/demo/web.yaml: no Service named 'api'"),
    (lambda m: m["service"]("demo/config.yaml"), "manifests/demo/config.yaml: no Service"),
    (lambda m: m["endpointslice"]("demo/web.yaml"), "manifests/demo/web.yaml: no EndpointSlice"),
    (lambda m: m["facts"]("demo/web.yaml", "api"),
     "manifests/demo/web.yaml: no resource named 'api'"),
    (lambda m: m["facts"]("demo/web.yaml", "web", kind="StatefulSet"),
     "manifests/demo/web.yaml: no StatefulSet named 'web'"),
    (lambda m: m["target_port"]("demo/web.yaml", "http", "demo/config.yaml"),
     "manifests/demo/config.yaml: no pod template"),
    (lambda m: m["routes"]("demo/web.yaml"),
     "manifests/demo/web.yaml: no VirtualService, HTTPRoute or DestinationRule"),
    (lambda m: m["routes"]("demo/route.yaml", "other"),
     "manifests/demo/route.yaml: no resource named 'other'"),
    (lambda m: m["traffic_policy"]("demo/route.yaml"),
     "manifests/demo/route.yaml: not a DestinationRule"),
    (lambda m: m["manifest"]("demo/web.yaml", facts="qos,bogus"),
     "facts='qos,bogus': unknown bogus; choose from "),
    (lambda m: m["manifest"]("demo/web.yaml", differs_from="demo/gone.yaml"),
     "manifest('demo/gone.yaml'): manifests/demo/gone.yaml does not exist"),
    (lambda m: m["manifest_path"]("demo/web.yml"),
     "manifest('demo/web.yml'): manifests/demo/web.yml does not exist"),
])
def test_a_macro_asking_for_what_a_valid_manifest_lacks_fails_with_the_file(
    env: dict[str, Any], call: Any, message: str
) -> None:
    with pytest.raises(EmbedError, match="^" + re.escape(message)):
        call(env)


def test_the_same_calls_succeed_where_the_manifest_has_it(env: dict[str, Any]) -> None:
    """The controls of the errors above: the macros answer for what the files do hold."""
    assert env["service"]("demo/web.yaml").port("http").target_port == "http"
    assert env["target_port"]("demo/web.yaml", "http", "demo/web.yaml") == 8080
    assert env["facts"]("demo/web.yaml", "web", kind="Service").kind == "Service"
    assert env["facts"]("demo/web.yaml", "web").kind == "Deployment"
    table = env["routes"]("demo/route.yaml")
    assert (table.kind, table.name, table.hosts, len(table.rules)) == (
        "VirtualService", "web", ("web",), 1)
    assert env["manifest_path"]("demo/web.yaml") == "manifests/demo/web.yaml"
    assert "QoS class" in env["manifest"]("demo/web.yaml", facts="qos")
