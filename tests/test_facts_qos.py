"""QoS classes computed the way Kubernetes computes them.

Cases come from the "Configure Quality of Service for Pods" task page and from
ComputePodQOS (pkg/apis/core/helper/qos/qos.go) plus the API defaulting that
runs before it (pkg/apis/core/v1/defaults.go): only cpu and memory count, a
zero amount counts as unset, a missing request defaults to the limit, init
containers (sidecars too) count like app containers, and pod-level
`spec.resources` naming cpu/memory decide instead of the containers.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepdive.facts.qos import QosClass, compute_qos
from deepdive.quantity import QuantityError

GUARANTEED, BURSTABLE, BEST_EFFORT = QosClass.GUARANTEED, QosClass.BURSTABLE, QosClass.BEST_EFFORT


def container(name: str = "app", requests: dict[str, Any] | None = None,
              limits: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    if requests is not None:
        resources["requests"] = requests
    if limits is not None:
        resources["limits"] = limits
    spec = {"name": name, "image": "nginx:1.29.3", **extra}
    if resources:
        spec["resources"] = resources
    return spec


def pod(*containers: dict[str, Any], init: list[dict[str, Any]] | None = None,
        resources: dict[str, Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": list(containers)}
    if init is not None:
        spec["initContainers"] = init
    if resources is not None:
        spec["resources"] = resources
    return spec


FULL = {"cpu": "700m", "memory": "200Mi"}


# --- the task page's examples ---------------------------------------------------------------

def test_docs_guaranteed_requests_equal_limits() -> None:
    report = compute_qos(pod(container("qos-demo-ctr", requests=FULL, limits=FULL)))
    assert report.qos_class is GUARANTEED
    assert report.reasons == ()


def test_docs_burstable_memory_request_below_limit() -> None:
    spec = pod(container("qos-demo-2-ctr", requests={"memory": "100Mi"},
                         limits={"memory": "200Mi"}))
    report = compute_qos(spec)
    assert report.qos_class is BURSTABLE
    assert report.reasons  # the page says why it is not Guaranteed


def test_docs_best_effort_no_resources() -> None:
    assert compute_qos(pod(container("qos-demo-3-ctr"))).qos_class is BEST_EFFORT


def test_docs_two_containers_one_with_a_request_is_burstable() -> None:
    spec = pod(container("qos-demo-4-ctr-1", requests={"memory": "200Mi"}),
               container("qos-demo-4-ctr-2"))
    assert compute_qos(spec).qos_class is BURSTABLE


# --- defaulting -----------------------------------------------------------------------------

def test_limits_only_default_the_requests_and_give_guaranteed() -> None:
    """The page's note: a limit without a request becomes the request."""
    report = compute_qos(pod(container(limits=FULL)))
    assert report.qos_class is GUARANTEED
    [entry] = report.resources
    assert entry.requests == {"cpu": Fraction(7, 10), "memory": 200 * 2**20}
    assert entry.defaulted == ("cpu", "memory")


def test_limit_defaults_only_the_missing_request() -> None:
    report = compute_qos(pod(container(requests={"cpu": "100m"}, limits=FULL)))
    assert report.qos_class is BURSTABLE
    assert report.resources[0].defaulted == ("memory",)


def test_explicit_zero_request_is_not_replaced_by_the_limit() -> None:
    """Defaulting fills only absent requests; a "0" request then counts as unset."""
    spec = pod(container(requests={"cpu": "0", "memory": "200Mi"}, limits=FULL))
    assert compute_qos(spec).qos_class is BURSTABLE


# --- what counts ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "resources",
    [
        {"requests": {"ephemeral-storage": "1Gi"}, "limits": {"ephemeral-storage": "2Gi"}},
        {"requests": {"hugepages-2Mi": "100Mi"}, "limits": {"hugepages-2Mi": "100Mi"}},
        {"limits": {"nvidia.com/gpu": 1}},
    ],
)
def test_only_cpu_and_memory_count(resources: dict[str, Any]) -> None:
    spec = pod({"name": "app", "image": "nginx:1.29.3", "resources": resources})
    assert compute_qos(spec).qos_class is BEST_EFFORT


def test_other_resources_do_not_spoil_guaranteed() -> None:
    spec = pod(container(requests={**FULL, "ephemeral-storage": "1Gi"},
                         limits={**FULL, "ephemeral-storage": "2Gi"}))
    assert compute_qos(spec).qos_class is GUARANTEED


def test_zero_quantities_are_ignored() -> None:
    spec = pod(container(requests={"cpu": "0", "memory": "0Mi"}, limits={"cpu": 0}))
    assert compute_qos(spec).qos_class is BEST_EFFORT


def test_zero_limit_is_no_limit() -> None:
    spec = pod(container(requests=FULL, limits={"cpu": "0", "memory": "200Mi"}))
    assert compute_qos(spec).qos_class is BURSTABLE


def test_cpu_only_is_burstable_even_when_equal() -> None:
    """Guaranteed needs both a cpu and a memory limit on every container."""
    spec = pod(container(requests={"cpu": "1"}, limits={"cpu": "1"}))
    assert compute_qos(spec).qos_class is BURSTABLE


def test_equal_amounts_in_different_units_are_equal() -> None:
    spec = pod(container(requests={"cpu": "0.5", "memory": "1Gi"},
                         limits={"cpu": "500m", "memory": "1024Mi"}))
    assert compute_qos(spec).qos_class is GUARANTEED


def test_a_yaml_number_is_a_quantity() -> None:
    spec = pod(container(requests={"cpu": 0.5, "memory": "1Gi"},
                         limits={"cpu": "500m", "memory": "1Gi"}))
    assert compute_qos(spec).qos_class is GUARANTEED


def test_unparsable_quantity_raises() -> None:
    with pytest.raises(QuantityError):
        compute_qos(pod(container(limits={"cpu": "1 core", "memory": "1Gi"})))


# --- several containers ---------------------------------------------------------------------

def test_every_container_must_be_guaranteed() -> None:
    spec = pod(container("a", limits=FULL), container("b", requests={"cpu": "1"}))
    assert compute_qos(spec).qos_class is BURSTABLE


def test_requests_are_summed_over_containers() -> None:
    spec = pod(container("a", limits=FULL), container("b", limits={"cpu": "1", "memory": "1Gi"}))
    report = compute_qos(spec)
    assert report.qos_class is GUARANTEED
    assert [entry.name for entry in report.resources] == ["a", "b"]


def test_init_containers_count() -> None:
    """An init container without limits makes an otherwise Guaranteed pod Burstable."""
    guaranteed_app = container("app", limits=FULL)
    assert compute_qos(pod(guaranteed_app, init=[container("setup")])).qos_class is BURSTABLE
    assert compute_qos(
        pod(guaranteed_app, init=[container("setup", limits=FULL)])
    ).qos_class is GUARANTEED


def test_init_container_alone_makes_burstable() -> None:
    spec = pod(container("app"), init=[container("setup", requests={"memory": "64Mi"})])
    assert compute_qos(spec).qos_class is BURSTABLE


def test_sidecars_count() -> None:
    app = container("app", limits=FULL)
    sidecar = container("proxy", restartPolicy="Always")
    assert compute_qos(pod(app, init=[sidecar])).qos_class is BURSTABLE
    sidecar_with_limits = container("proxy", limits=FULL, restartPolicy="Always")
    report = compute_qos(pod(app, init=[sidecar_with_limits]))
    assert report.qos_class is GUARANTEED
    assert [entry.field for entry in report.resources] == ["initContainers", "containers"]


def test_ephemeral_containers_do_not_count() -> None:
    spec = pod(container("app", limits=FULL))
    spec["ephemeralContainers"] = [{"name": "debug", "image": "busybox:1.37"}]
    assert compute_qos(spec).qos_class is GUARANTEED


# --- pod-level resources (PodLevelResources, on by default since 1.34) ------------------------

def test_pod_level_limits_decide_and_default_the_requests() -> None:
    """No container requests anything: pod requests default to the pod limits."""
    report = compute_qos(pod(container("a"), container("b"), resources={"limits": FULL}))
    assert report.qos_class is GUARANTEED
    assert report.pod_level
    assert [entry.field for entry in report.resources] == ["pod"]


def test_pod_level_resources_override_container_resources() -> None:
    spec = pod(container("a", requests={"cpu": "100m"}),
               resources={"requests": FULL, "limits": FULL})
    assert compute_qos(spec).qos_class is GUARANTEED


def test_pod_level_request_defaults_from_container_requests() -> None:
    """A missing pod request becomes the containers' total request, not the pod limit."""
    spec = pod(container("a", requests={"cpu": "100m"}), container("b", requests={"cpu": "200m"}),
               resources={"limits": {"cpu": "1", "memory": "1Gi"}})
    report = compute_qos(spec)
    assert report.qos_class is BURSTABLE
    assert report.resources[0].requests == {"cpu": Fraction(3, 10), "memory": 2**30}


def test_pod_level_requests_without_limits_are_burstable() -> None:
    spec = pod(container("a"), resources={"requests": FULL})
    assert compute_qos(spec).qos_class is BURSTABLE


def test_pod_level_limits_default_from_containers_that_all_set_one() -> None:
    """1.36+: with only pod requests, a limit every container sets gives the pod limit."""
    spec = pod(container("a", limits={"cpu": "500m", "memory": "100Mi"}),
               container("b", limits={"cpu": "200m", "memory": "100Mi"}),
               resources={"requests": {"cpu": "700m", "memory": "200Mi"}})
    report = compute_qos(spec)
    assert report.qos_class is GUARANTEED
    assert report.resources[0].limits == {"cpu": Fraction(7, 10), "memory": 200 * 2**20}


def test_pod_level_missing_memory_limit_is_burstable() -> None:
    spec = pod(container("a"), resources={"requests": {"cpu": "1"}, "limits": {"cpu": "1"}})
    assert compute_qos(spec).qos_class is BURSTABLE


@pytest.mark.parametrize("resources", [{}, {"requests": {}, "limits": {}}])
def test_empty_pod_level_resources_leave_containers_in_charge(resources: dict[str, Any]) -> None:
    report = compute_qos(pod(container("a", limits=FULL), resources=resources))
    assert report.qos_class is GUARANTEED
    assert not report.pod_level


def test_sidecar_total_counts_for_pod_level_default() -> None:
    """Containers' total request: app containers plus sidecars, or an init step if larger."""
    spec = pod(
        container("app", requests={"cpu": "200m"}),
        init=[
            container("big-init", requests={"cpu": "900m"}),
            container("proxy", requests={"cpu": "100m"}, restartPolicy="Always"),
        ],
        resources={"limits": {"cpu": "1", "memory": "1Gi"}},
    )
    # The ordinary init container runs alone (900m) before the sidecar starts;
    # afterwards app + sidecar need 300m; the pod needs the larger, 900m.
    assert compute_qos(spec).resources[0].requests["cpu"] == Fraction(9, 10)



@pytest.mark.parametrize(("sidecar_first", "expected"), [(True, GUARANTEED), (False, BURSTABLE)])
def test_an_init_container_after_a_sidecar_runs_beside_it(sidecar_first: bool,
                                                           expected: QosClass) -> None:
    """Pod limits 1 CPU / 1Gi and no pod requests: the requests default to what the containers
    need at their peak. An init container that starts after a sidecar runs beside it
    (750m + 250m = the limits: Guaranteed); one that starts before it runs alone (750m,
    below the limits: Burstable)."""
    proxy = container("proxy", requests={"cpu": "250m", "memory": "256Mi"},
                      restartPolicy="Always")
    migrate = container("migrate", requests={"cpu": "750m", "memory": "768Mi"})
    init = [proxy, migrate] if sidecar_first else [migrate, proxy]
    spec = pod(container("app", requests={"cpu": "250m", "memory": "256Mi"}), init=init,
               resources={"limits": {"cpu": "1", "memory": "1Gi"}})
    report = compute_qos(spec)
    peak_cpu = Fraction(1) if sidecar_first else Fraction(3, 4)
    assert report.resources[0].requests == {"cpu": peak_cpu, "memory": peak_cpu * 2**30}
    assert report.qos_class is expected


def test_sidecars_started_after_an_init_container_do_not_run_beside_it() -> None:
    """Two sidecars, an init container between them: only the first runs beside it."""
    spec = pod(
        container("app", requests={"cpu": "100m"}),
        init=[
            container("first", requests={"cpu": "200m"}, restartPolicy="Always"),
            container("setup", requests={"cpu": "500m"}),
            container("second", requests={"cpu": "300m"}, restartPolicy="Always"),
        ],
        resources={"limits": {"cpu": "2", "memory": "1Gi"}},
    )
    # setup runs with first (700m); later app + first + second run together (600m).
    assert compute_qos(spec).resources[0].requests["cpu"] == Fraction(7, 10)

# --- properties -----------------------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=4000)


@given(st.lists(st.tuples(amounts, amounts, amounts, amounts), min_size=1, max_size=4))
def test_class_matches_the_definition(values: list[tuple[int, int, int, int]]) -> None:
    """Any containers with request <= limit: the class follows the three definitions."""
    specs = []
    for index, (cpu_req, cpu_extra, mem_req, mem_extra) in enumerate(values):
        requests = {"cpu": f"{cpu_req}m", "memory": f"{mem_req}Mi"}
        limits = {"cpu": f"{cpu_req + cpu_extra}m", "memory": f"{mem_req + mem_extra}Mi"}
        specs.append(container(f"c{index}", requests=requests, limits=limits))
    anything = any(v > 0 for row in values for v in (row[0] + row[1], row[2] + row[3]))
    guaranteed = all(
        cpu_req > 0 and mem_req > 0 and cpu_extra == 0 and mem_extra == 0
        for cpu_req, cpu_extra, mem_req, mem_extra in values
    )
    expected = GUARANTEED if guaranteed else BURSTABLE if anything else BEST_EFFORT
    assert compute_qos(pod(*specs)).qos_class is expected
