"""Which kube context `deepdive tryit` may touch: the kind cluster of the set-up page.

The runner never uses the reader's current context blindly. It reads the cluster name from
the `kind create cluster --name NAME` line of docs/kubernetes/index.md, expects kind's
context name for it (`kind-NAME`), and refuses any other context unless one is named
with --context. Every command then runs with a kubeconfig of that one context only, so a
`kubectl config use-context` elsewhere cannot redirect a run half-way.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

SETUP_PAGE = Path("docs/kubernetes/index.md")
CREATE = re.compile(r"^\s*kind create cluster --name (?P<name>[a-z0-9][a-z0-9.-]*)(?=\s|$)", re.M)


class GuardError(RuntimeError):
    """The runner must not start: the message says why."""


def kind_cluster_name(root: Path) -> str:
    """The cluster the set-up page creates."""
    page = root / SETUP_PAGE
    match = CREATE.search(page.read_text(encoding="utf-8")) if page.is_file() else None
    if not match:
        raise GuardError(f"{SETUP_PAGE}: no `kind create cluster --name NAME` line")
    return match.group("name")


def expected_context(root: Path) -> str:
    return f"kind-{kind_cluster_name(root)}"  # kind names its context kind-<cluster>


def current_context(kubectl: str = "kubectl") -> str:
    try:
        result = subprocess.run([kubectl, "config", "current-context"], capture_output=True,
                                text=True, timeout=20, check=False)
    except FileNotFoundError:
        raise GuardError(f"{kubectl} is not on PATH") from None
    except subprocess.TimeoutExpired:
        raise GuardError("kubectl config current-context did not answer in 20 s") from None
    if result.returncode != 0:
        raise GuardError("no current kube context: " + result.stderr.strip())
    return result.stdout.strip()


@dataclass(frozen=True)
class Target:
    context: str
    explicit: bool  # named with --context rather than found as the kind cluster


def choose_context(root: Path, explicit: str | None, kubectl: str = "kubectl") -> Target:
    """The context to run against, or GuardError."""
    if explicit:
        return Target(explicit, True)
    wanted = expected_context(root)
    current = current_context(kubectl)
    if current != wanted:
        raise GuardError(
            f"the current kube context is {current!r}, not {wanted!r}, the kind cluster that "
            f"{SETUP_PAGE} creates: refusing to run Try it blocks there. Switch with "
            f"`kubectl config use-context {wanted}`, or name a context with --context")
    return Target(current, False)


def pinned_kubeconfig(target: Target, path: Path, kubectl: str = "kubectl") -> Path:
    """Write a kubeconfig holding only the target context (credentials inlined) to path."""
    result = subprocess.run(
        [kubectl, "config", "view", "--raw", "--minify", "--flatten", "--context",
         target.context], capture_output=True, text=True, timeout=20, check=False)
    if result.returncode != 0 or not result.stdout.strip():
        raise GuardError(f"cannot read context {target.context!r}: {result.stderr.strip()}")
    path.write_text(result.stdout, encoding="utf-8")
    path.chmod(0o600)
    return path
