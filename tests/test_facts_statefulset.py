"""StatefulSet facts: names, DNS, claims and which pods an update reaches.

Worked cases follow the StatefulSet concept page and the controller: pods are
<set>-<ordinal> from spec.ordinals.start; RollingUpdate replaces pods whose index
is >= partition, highest ordinal first; OnDelete replaces none by itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from deepdive.facts.statefulset import StatefulSetError, statefulset_facts
from deepdive.manifests import load_file

MANIFESTS = Path(__file__).resolve().parent.parent / "manifests"


def statefulset(spec: dict[str, Any], name: str = "web", namespace: str | None = None) -> dict:
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": metadata, "spec": spec}


def test_defaults_one_pod_ordered_rolling_update_everything() -> None:
    facts = statefulset_facts(statefulset({"serviceName": "nginx"}))
    assert facts.replicas == 1
    assert facts.pod_names == ("web-0",)
    assert facts.pod_management_policy == "OrderedReady"
    assert facts.update_strategy == "RollingUpdate"
    assert facts.partition == 0
    assert facts.updated_pods == ("web-0",)
    assert facts.kept_pods == ()


def test_names_dns_and_claims_follow_the_ordinals() -> None:
    facts = statefulset_facts(
        statefulset(
            {
                "serviceName": "nginx",
                "replicas": 3,
                "volumeClaimTemplates": [
                    {
                        "metadata": {"name": "www"},
                        "spec": {"resources": {"requests": {"storage": "1Gi"}}},
                    }
                ],
                "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.29.3"}]}},
            },
            namespace="shop",
        )
    )
    assert facts.pod_names == ("web-0", "web-1", "web-2")
    assert (facts.first_pod, facts.last_pod) == ("web-0", "web-2")
    assert facts.pod_dns_names[1] == "web-1.nginx.shop.svc.cluster.local"
    assert facts.claim_names == ("www-web-0", "www-web-1", "www-web-2")
    assert facts.claim_storage == ("1Gi",)
    assert facts.images == ("nginx:1.29.3",)


def test_start_ordinal_shifts_names_and_partition_counts_from_the_start() -> None:
    facts = statefulset_facts(
        statefulset(
            {
                "replicas": 3,
                "ordinals": {"start": 5},
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}},
            }
        )
    )
    assert facts.pod_names == ("web-5", "web-6", "web-7")
    assert facts.updated_pods == ("web-7", "web-6")
    assert facts.kept_pods == ("web-5",)


@pytest.mark.parametrize(
    ("replicas", "partition", "updated", "kept"),
    [
        (4, 2, ("web-3", "web-2"), ("web-0", "web-1")),
        (4, 0, ("web-3", "web-2", "web-1", "web-0"), ()),
        (4, 4, (), ("web-0", "web-1", "web-2", "web-3")),
        (2, 5, (), ("web-0", "web-1")),  # a partition above replicas updates nothing
    ],
)
def test_partition_splits_updated_from_kept(
    replicas: int, partition: int, updated: tuple[str, ...], kept: tuple[str, ...]
) -> None:
    facts = statefulset_facts(
        statefulset(
            {
                "replicas": replicas,
                "updateStrategy": {"rollingUpdate": {"partition": partition}},
            }
        )
    )
    assert facts.updated_pods == updated
    assert facts.kept_pods == kept
    assert sorted(facts.updated_pods + facts.kept_pods) == sorted(facts.pod_names)


def test_on_delete_updates_no_pod_by_itself() -> None:
    facts = statefulset_facts(statefulset({"replicas": 2, "updateStrategy": {"type": "OnDelete"}}))
    assert facts.updated_pods == ()
    assert facts.kept_pods == ("web-0", "web-1")


@pytest.mark.parametrize(
    "spec",
    [
        {"podManagementPolicy": "Sequential"},
        {"updateStrategy": {"type": "Recreate"}},
        {"updateStrategy": {"type": "OnDelete", "rollingUpdate": {"partition": 1}}},
        {"replicas": -1},
        {"replicas": "3"},
        {"updateStrategy": {"rollingUpdate": {"partition": True}}},
    ],
)
def test_rejects_what_the_api_server_rejects(spec: dict[str, Any]) -> None:
    with pytest.raises(StatefulSetError):
        statefulset_facts(statefulset(spec))


def test_the_partition_example_on_the_site_keeps_its_lower_ordinals() -> None:
    """The page promises: pods below the partition keep the old template."""
    documents = load_file(MANIFESTS / "kubernetes/statefulsets/partition/partition.yaml").documents
    data = next(d.data for d in documents if d.kind == "StatefulSet")
    facts = statefulset_facts(data)
    partition = data["spec"]["updateStrategy"]["rollingUpdate"]["partition"]
    assert 0 < partition < facts.replicas, "the example must show both halves"
    assert facts.kept_pods == facts.pod_names[:partition]
    assert facts.updated_pods[0] == facts.last_pod
