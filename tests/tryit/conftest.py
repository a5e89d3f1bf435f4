"""A fake kubectl on PATH: it answers `config current-context` with $FAKE_CONTEXT, prints a
kubeconfig for `config view`, and logs every call to $FAKE_KUBECTL_LOG."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FAKE_KUBECTL = """\
#!/bin/sh
echo "$*" >> "$FAKE_KUBECTL_LOG"
case "$*" in
  "config current-context") echo "$FAKE_CONTEXT" ;;
  "config view"*) printf 'apiVersion: v1\\nkind: Config\\ncurrent-context: %s\\n' "$FAKE_CONTEXT" ;;
  "get pods"*) printf 'NAME    READY   STATUS    RESTARTS   AGE\\n'
               printf 'web-0   1/1     Running   0          %ss\\n' "$$" ;;
  *) echo "kubectl $*" ;;
esac
"""


@pytest.fixture
def fake_kubectl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The log file of the fake kubectl, which is first on PATH."""
    folder = tmp_path / "bin"
    folder.mkdir()
    kubectl = folder / "kubectl"
    kubectl.write_text(FAKE_KUBECTL, encoding="utf-8")
    kubectl.chmod(0o755)
    log = tmp_path / "kubectl.log"
    log.touch()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_KUBECTL_LOG", str(log))
    monkeypatch.setenv("FAKE_CONTEXT", "kind-deepdive")
    return log
