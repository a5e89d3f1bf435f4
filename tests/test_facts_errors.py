"""What a page author reads when a manifest's facts cannot be computed: each error names the
field, the value and what is allowed, word for word. (The validator rejects most of these
manifests first; the facts code must still say why, as `deepdive facts` does.) Written to
kill the mutants `make mutation` found surviving in the facts modules' error paths."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from deepdive.facts.canary import CanaryError, traffic_share
from deepdive.facts.probes import ProbeError, container_timelines
from deepdive.facts.rollout import RolloutError, rollout_bounds, scaled_value
from deepdive.facts.statefulset import StatefulSetError, statefulset_facts


def rolling(**update: Any) -> dict[str, Any]:
    return {"replicas": 3, "strategy": {"rollingUpdate": update}}


def probe(**fields: Any) -> dict[str, Any]:
    return {"name": "c", "livenessProbe": fields}


def sts(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "s"}, "spec": spec}


CASES: list[tuple[type[Exception], Callable[[], object], str]] = [
    (RolloutError, lambda: rollout_bounds({"replicas": 3, "strategy": 5}),
     "strategy 5 is not a mapping"),
    (RolloutError, lambda: rollout_bounds({"replicas": 3, "strategy": {"type": "BlueGreen"}}),
     "strategy.type 'BlueGreen' is neither RollingUpdate nor Recreate"),
    (RolloutError, lambda: rollout_bounds(
        {"replicas": 3, "strategy": {"type": "Recreate", "rollingUpdate": {}}}),
     "strategy.rollingUpdate may not be set when the type is Recreate"),
    (RolloutError, lambda: rollout_bounds({"replicas": 3, "strategy": {"rollingUpdate": 7}}),
     "strategy.rollingUpdate 7 is not a mapping"),
    (RolloutError, lambda: rollout_bounds(rolling(maxSurge="x")),
     "maxSurge: 'x' is neither a number nor a percentage like '25%'"),
    (RolloutError, lambda: rollout_bounds(rolling(maxSurge="-5%")),
     "maxSurge: '-5%' is neither a number nor a percentage like '25%'"),
    (RolloutError, lambda: rollout_bounds(rolling(maxSurge=1.5)),
     "maxSurge: 1.5 is neither a number nor a percentage like '25%'"),
    (RolloutError, lambda: rollout_bounds(rolling(maxUnavailable=-1)),
     "maxUnavailable: -1 must not be negative"),
    (RolloutError, lambda: rollout_bounds(rolling(maxSurge=0, maxUnavailable="0%")),
     "maxUnavailable may not be 0 when maxSurge is 0"),
    (RolloutError, lambda: rollout_bounds(rolling(maxUnavailable="101%")),
     "maxUnavailable '101%' must not be more than 100%"),
    (RolloutError, lambda: scaled_value(True, 10, round_up=True),
     "True is neither a number nor a percentage"),  # YAML's `yes` is no count
    (RolloutError, lambda: scaled_value(None, 10, round_up=True),
     "None is neither a number nor a percentage like '25%'"),
    (ProbeError, lambda: container_timelines(probe(periodSeconds="5", httpGet={"port": 80})),
     "livenessProbe.periodSeconds must be a whole number, not '5'"),
    (ProbeError, lambda: container_timelines(probe(periodSeconds=-5, httpGet={"port": 80})),
     "livenessProbe.periodSeconds must not be negative, not -5"),
    (ProbeError, lambda: container_timelines(probe(successThreshold=2, httpGet={"port": 80})),
     "livenessProbe.successThreshold must be 1"),
    (ProbeError, lambda: container_timelines(probe()),
     "livenessProbe needs exactly one of exec, httpGet, tcpSocket, grpc, not 0"),
    (ProbeError, lambda: container_timelines(probe(httpGet={"port": 80}, tcpSocket={"port": 80})),
     "livenessProbe needs exactly one of exec, httpGet, tcpSocket, grpc, not 2"),
    (StatefulSetError, lambda: statefulset_facts(sts(replicas=-1)),
     "replicas must be a whole number >= 0, not -1"),
    (StatefulSetError, lambda: statefulset_facts(sts(ordinals={"start": "5"})),
     "ordinals.start must be a whole number >= 0, not '5'"),
    (StatefulSetError, lambda: statefulset_facts(
        sts(updateStrategy={"rollingUpdate": {"partition": True}})),
     "rollingUpdate.partition must be a whole number >= 0, not True"),
    (StatefulSetError, lambda: statefulset_facts(sts(podManagementPolicy="Random")),
     "podManagementPolicy must be one of ('OrderedReady', 'Parallel'), not 'Random'"),
    (StatefulSetError, lambda: statefulset_facts(sts(updateStrategy={"type": "Manual"})),
     "updateStrategy.type must be one of ('RollingUpdate', 'OnDelete'), not 'Manual'"),
    (StatefulSetError, lambda: statefulset_facts(
        sts(updateStrategy={"type": "OnDelete", "rollingUpdate": {"partition": 1}})),
     "updateStrategy.rollingUpdate is only allowed with RollingUpdate"),
    (CanaryError, lambda: traffic_share(0, 0),
     "stable and canary both have 0 replicas: no pod receives traffic"),
    (CanaryError, lambda: traffic_share(2, "x"),
     "canary replicas 'x' is not a whole number of pods"),
    (CanaryError, lambda: traffic_share(-1, 1), "stable replicas -1 is not a whole number of pods"),
]


@pytest.mark.parametrize(("error", "call", "message"), CASES,
                         ids=[f"{i}-{case[0].__name__}" for i, case in enumerate(CASES)])
def test_the_error_says_what_is_wrong(error: type[Exception], call: Callable[[], object],
                                      message: str) -> None:
    with pytest.raises(error) as raised:
        call()
    assert str(raised.value) == message


def test_the_largest_allowed_values_are_accepted() -> None:
    full = rollout_bounds(rolling(maxUnavailable="100%"))
    assert (full.max_unavailable, full.max_unavailable_spec) == (3, "100%")
    recreate = rollout_bounds({"replicas": 4, "strategy": {"type": "Recreate"}})
    assert (recreate.strategy, recreate.max_surge, recreate.max_unavailable,
            recreate.max_surge_spec, recreate.max_unavailable_spec, recreate.fencepost) == (
        "Recreate", 0, 4, "-", "-", False)


def test_statefulset_facts_read_every_field() -> None:
    facts = statefulset_facts({
        "metadata": {"name": "db", "namespace": "data"},
        "spec": {"serviceName": "db-hl", "replicas": 2, "ordinals": {"start": 3},
                 "podManagementPolicy": "Parallel",
                 "updateStrategy": {"rollingUpdate": {"partition": 1}},
                 "volumeClaimTemplates": [
                     {"metadata": {"name": "data"},
                      "spec": {"resources": {"requests": {"storage": "1Gi"}}}},
                     {"metadata": {}, "spec": {}}],
                 "template": {"spec": {"containers": [{"name": "db", "image": "pg:17"},
                                                      {"name": "x"}]}}},
    })
    assert (facts.name, facts.namespace, facts.service_name, facts.replicas,
            facts.start_ordinal, facts.pod_management_policy, facts.update_strategy,
            facts.partition, facts.claim_templates, facts.claim_storage, facts.images) == (
        "db", "data", "db-hl", 2, 3, "Parallel", "RollingUpdate", 1, ("data", ""),
        ("1Gi", ""), ("pg:17", ""))
    assert facts.pod_names == ("db-3", "db-4")
    assert facts.pod_dns_names == ("db-3.db-hl.data.svc.cluster.local",
                                   "db-4.db-hl.data.svc.cluster.local")
    bare = statefulset_facts({"spec": {}})
    assert (bare.name, bare.service_name, bare.replicas, bare.start_ordinal) == ("", "", 1, 0)
