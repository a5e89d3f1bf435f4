"""The per-document facts pages use in expected output: READY columns."""

from __future__ import annotations

from pathlib import Path

from deepdive.facts.document import document_facts
from deepdive.manifests import load_file

POD = """apiVersion: v1
kind: Pod
metadata: {name: shop}
spec:
  initContainers:
    - name: migrate           # runs to completion first: not in READY
      image: busybox:1.37.0
    - name: log-shipper       # a sidecar (restartPolicy Always): counted in READY
      image: busybox:1.37.0
      restartPolicy: Always
      ports: [{name: metrics, containerPort: 9100}]
  containers:
    - name: web
      image: nginx:1.30.5
      ports: [{name: http, containerPort: 80}, {containerPort: 8443}]
"""


def facts_of(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "pod.yaml"
    path.write_text(text, encoding="utf-8")
    return document_facts(load_file(path).documents[0])


def test_ready_counts_app_containers_and_sidecars_not_init_containers(tmp_path: Path) -> None:
    facts = facts_of(tmp_path, POD)
    assert facts.containers == ("log-shipper", "web")
    assert facts.ready() == "2/2"
    assert facts.ready(1) == "1/2"


def test_resources_without_pods_have_no_containers(tmp_path: Path) -> None:
    facts = facts_of(tmp_path, "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n")
    assert facts.containers == ()
