"""Cross-reference rules: checks that need several resources of one example set."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from deepdive.validate.findings import Finding
from deepdive.validate.rules.apiserver import APISERVER_CHECKS
from deepdive.validate.rules.apiserver_other import APISERVER_OTHER_CHECKS
from deepdive.validate.rules.apiserver_pods import APISERVER_POD_CHECKS
from deepdive.validate.rules.apiserver_services import APISERVER_SERVICE_CHECKS
from deepdive.validate.rules.apiserver_workloads import APISERVER_WORKLOAD_CHECKS
from deepdive.validate.rules.context import SetContext
from deepdive.validate.rules.istio import ISTIO_CHECKS
from deepdive.validate.rules.kubernetes import KUBERNETES_CHECKS

Check = Callable[[SetContext], Iterable[Finding]]
CHECKS: tuple[Check, ...] = (*APISERVER_CHECKS, *APISERVER_POD_CHECKS, *APISERVER_SERVICE_CHECKS,
                             *APISERVER_WORKLOAD_CHECKS, *APISERVER_OTHER_CHECKS,
                             *KUBERNETES_CHECKS, *ISTIO_CHECKS)


def run_rules(context: SetContext) -> list[Finding]:
    return [finding for check in CHECKS for finding in check(context)]


__all__ = ["CHECKS", "SetContext", "run_rules"]
