"""The tolerant comparison: each tolerance accepts what varies between runs and still
rejects a wrong value. The outputs are shaped as kubectl and the pages print them."""

from __future__ import annotations

import pytest

from deepdive.tryit.compare import VARY_CLASSES, compare, normalize, pinned_problem
from deepdive.tryit.model import Directive, DirectiveError, Kind, parse_directive


def output(options: str = "") -> Directive:
    return parse_directive(f"output {options}", VARY_CLASSES)


def messages(directive: Directive, expected: str, actual: str) -> list[str]:
    return [m.message() for m in compare(directive, expected, actual)]


PODS_EXPECTED = """\
NAME                   READY   STATUS    RESTARTS   AGE
web-7d9c8b6f5-2kqwx    1/1     Running   0          12s
web-7d9c8b6f5-c4wzn    1/1     Running   0          12s
"""


def test_pod_suffixes_and_ages_vary_columns_may_widen() -> None:
    actual = ("NAME                    READY   STATUS    RESTARTS   AGE\n"
              "web-85b98978db-b6z2m    1/1     Running   0          2m10s\n"
              "web-85b98978db-qj8hx    1/1     Running   0          2m10s\n")
    assert messages(output("vary=name,age"), PODS_EXPECTED, actual) == []


def test_a_wrong_restart_count_is_a_mismatch() -> None:
    actual = ("NAME                   READY   STATUS    RESTARTS      AGE\n"
              "web-85b98978db-b6z2m   1/1     Running   1 (3s ago)    40s\n"
              "web-85b98978db-qj8hx   1/1     Running   0             40s\n")
    found = messages(output("vary=name,age"), PODS_EXPECTED, actual)
    assert found == ["expected 'web-7d9c8b6f5-2kqwx 1/1 Running 0 12s' "
                     "got 'web-85b98978db-b6z2m 1/1 Running 1 (3s ago) 40s'"]


def test_without_vary_the_suffix_is_compared() -> None:
    actual = PODS_EXPECTED.replace("2kqwx", "b6z2m")
    assert len(compare(output("vary=age"), PODS_EXPECTED, actual)) == 1


def test_restart_ages_inside_parentheses_vary() -> None:
    expected = "memory-oom   0/1     CrashLoopBackOff    1 (1s ago)    12s\n"
    actual = "memory-oom   0/1     CrashLoopBackOff    1 (14s ago)   31s\n"
    assert messages(output("vary=age"), expected, actual) == []
    wrong = "memory-oom   0/1     CrashLoopBackOff    2 (14s ago)   31s\n"
    assert len(compare(output("vary=age"), expected, wrong)) == 1


def test_an_unsorted_list_is_a_mismatch() -> None:
    # kubectl get pods --sort-by=.metadata.creationTimestamp: the order is the claim.
    expected = "NAME\nweb-0\nweb-1\nweb-2\n"
    assert messages(output(), expected, "NAME\nweb-0\nweb-1\nweb-2\n") == []
    found = compare(output(), expected, "NAME\nweb-0\nweb-2\nweb-1\n")
    assert found, "a swapped pair must not match"


def test_order_any_accepts_another_order_but_not_another_set() -> None:
    expected = "✔ Egress gateways installed\n✔ Ingress gateways installed\n"
    swapped = "✔ Ingress gateways installed\n✔ Egress gateways installed\n"
    assert messages(output("order=any"), expected, swapped) == []
    missing = "✔ Ingress gateways installed\n✔ Ingress gateways installed\n"
    assert messages(output("order=any"), expected, missing) == [
        "expected '✔ Egress gateways installed' got '✔ Ingress gateways installed'"]


def test_a_missing_line_is_reported_with_what_came_instead() -> None:
    expected = "Forwarding from 127.0.0.1:8080 -> 80\nHandling connection for 8080\n" \
               "<title>Welcome to nginx!</title>\n"
    actual = "Forwarding from 127.0.0.1:8080 -> 80\n<title>Welcome to nginx!</title>\n"
    assert messages(output(), expected, actual) == [
        "expected 'Handling connection for 8080' got nothing"]


def test_contains_finds_lines_in_order_among_others() -> None:
    directive = output("compare=contains vary=age")
    expected = "memory-oom   0/1   OOMKilled          0            6s\n" \
               "memory-oom   0/1   CrashLoopBackOff   1 (1s ago)   12s\n"
    actual = ("NAME         READY   STATUS              RESTARTS     AGE\n"
              "memory-oom   0/1     ContainerCreating   0            1s\n"
              "memory-oom   1/1     Running             0            2s\n"
              "memory-oom   0/1     OOMKilled           0            4s\n"
              "memory-oom   1/1     Running             1 (1s ago)   5s\n"
              "memory-oom   0/1     OOMKilled           1 (3s ago)   7s\n"
              "memory-oom   0/1     CrashLoopBackOff    1 (1s ago)   8s\n")
    assert messages(directive, expected, actual) == []
    # The lines must come in the page's order.
    reversed_order = "\n".join(reversed(expected.splitlines())) + "\n"
    assert len(compare(directive, reversed_order, actual)) == 1
    # A line that never comes is a mismatch, shown with the closest line there was.
    [missing] = messages(directive, "memory-oom 0/1 Error 0 6s\n", actual)
    assert missing.startswith("expected 'memory-oom 0/1 Error 0 6s' got 'memory-oom 0/1 ")


def test_extra_output_is_a_mismatch_in_lines_mode() -> None:
    found = messages(output(), "OOMKilled 137\n", "OOMKilled 137\nsomething else\n")
    assert found == ["expected nothing more got 'something else'"]


def test_times_and_dates_vary() -> None:
    expected = ("  MemoryPressure   False   Fri, 27 Nov 2026 09:12:44 +0000   "
                "Fri, 27 Nov 2026 08:40:10 +0000   KubeletHasSufficientMemory   "
                "kubelet has sufficient memory available\n")
    actual = expected.replace("Fri, 27 Nov 2026 09:12:44", "Sat, 5 Dec 2026 23:01:02")
    assert messages(output("vary=time"), expected, actual) == []
    wrong = actual.replace("False", "True")
    assert len(compare(output("vary=time"), expected, wrong)) == 1


def test_ips_vary_but_not_the_node_name() -> None:
    expected = ("NAME   READY   STATUS    RESTARTS   AGE   IP           NODE\n"
                "web    1/1     Running   0          12s   10.244.0.5   deepdive-control-plane\n")
    actual = expected.replace("10.244.0.5", "10.244.0.17").replace("12s", "3s")
    assert messages(output("vary=age,ip"), expected, actual) == []
    other_node = actual.replace("deepdive-control-plane", "kind-control-plane")
    assert len(compare(output("vary=age,ip"), expected, other_node)) == 1


def test_a_count_within_its_range() -> None:
    directive = output("range=312:1..1000000 range=309:1..1000000")
    expected = "nr_periods 312\nnr_throttled 309\n"
    assert messages(directive, expected, "nr_periods 87\nnr_throttled 85\n") == []
    found = messages(directive, expected, "nr_periods 87\nnr_throttled 0\n")
    assert found == ["expected 'nr_throttled 309' got 'nr_throttled 0'"]


def test_usage_varies_for_kubectl_top() -> None:
    expected = "NAME   CPU(cores)   MEMORY(bytes)\nweb    1m           3Mi\n"
    actual = "NAME   CPU(cores)   MEMORY(bytes)\nweb    0m           12Mi\n"
    assert messages(output("vary=usage"), expected, actual) == []


def test_name_suffixes_leave_words_alone() -> None:
    line = "helloworld-v1-5c4f9d7b8-7kq2x   istio-init,istio-proxy   kube-root-ca.crt   web-0"
    assert normalize(line, ("name",)) == (
        "helloworld-v1-<hash>-<id> istio-init,istio-proxy kube-root-ca.crt web-0")


@pytest.mark.parametrize(("options", "text", "why"), [
    ("vary=age", "12s\n", "every word"),
    ("vary=ip", "10.244.0.5\n10.244.0.6\n", "every word"),
    ("range=5:0..10", "5\n", "every word"),
    ("", "\n\n", "empty"),
    ("range=7:0..10", "count 5\n", "does not show"),
])
def test_a_comparison_that_pins_nothing_is_refused(options: str, text: str, why: str) -> None:
    problem = pinned_problem(output(options), text)
    assert problem is not None and why in problem


def test_a_comparison_that_pins_a_word_is_accepted() -> None:
    assert pinned_problem(output("vary=ip"), "10.244.0.5 web\n") is None


@pytest.mark.parametrize(("body", "why"), [
    ("outptu", "unknown directive"),
    ("output vary=everything", "unknown everything"),
    ("output compare=fuzzy", "lines or contains"),
    ("output range=5:6..10", "outside"),
    ("output range=5", "EXPECTED:LOW..HIGH"),
    ("run timeout=0", "seconds"),
    ("run timeout=60 stop-after=90", "shorter"),
    ("run exit=300", "exit status"),
    ("run background=5 exit=1", "background= is for a run block alone"),
    ("run vary=age", "not an option"),
    ("manual", "reason"),
    ("output only=1-2", "goes with compare=contains"),
    ("output compare=contains only=2-x", "line numbers"),
    ("output vary=age same=name", "same= names classes"),
])
def test_a_malformed_directive_says_what_is_wrong(body: str, why: str) -> None:
    with pytest.raises(DirectiveError, match=why):
        parse_directive(body, VARY_CLASSES)


def test_directives_read_their_options() -> None:
    run = parse_directive("run timeout=300 stop-after=40", VARY_CLASSES)
    assert (run.kind, run.timeout, run.stop_after) == (Kind.RUN, 300, 40)
    manual = parse_directive("manual opens a browser (istioctl dashboard kiali)", VARY_CLASSES)
    assert manual.reason == "opens a browser (istioctl dashboard kiali)"


def test_an_ellipsis_stands_for_any_number_of_lines() -> None:
    directive = output("vary=time")
    expected = "Found 2 pods, using pod/chatter\n10:01:51 audit: user=demo action=read\n...\n"
    actual = "Found 2 pods, using pod/chatter\n" + "10:01:52 audit: user=demo action=read\n" * 6
    assert messages(directive, expected, actual) == []
    assert messages(directive, expected, "Found 3 pods, using pod/chatter\n") == [
        "expected 'Found 2 pods, using pod/chatter' got 'Found 3 pods, using pod/chatter'",
        "expected '<time> audit: user=demo action=read' got nothing".replace(
            "<time>", "10:01:51")]
    middle = output()
    assert messages(middle, "start\n...\nend\n", "start\na\nb\nend\n") == []
    assert messages(middle, "start\n...\nend\n", "start\na\nb\n") == [
        "expected 'end' got 'b'"]


def test_only_compares_the_chosen_lines_and_contains_may_ignore_order() -> None:
    directive = output("compare=contains order=any only=1,3")
    expected = "b line\nvaries\na line\n"
    assert messages(directive, expected, "a line\nsomething\nb line\n") == []
    [missing] = messages(directive, expected, "a line\nsomething\n")
    assert missing.startswith("expected 'b line' got")


def test_an_ellipsis_before_the_last_lines_anchors_them_at_the_end() -> None:
    expected = "...\npod/web-2 condition met\nserved by web-2\n"
    actual = ('pod "web-2" deleted from default namespace\npod/web-2 condition met\n'
              "pod/web-2 condition met\nserved by web-2\n")
    assert messages(output(), expected, actual) == []


def test_a_phase_varies_but_not_the_pods_or_their_readiness() -> None:
    expected = "burst-0   0/1   ContainerCreating   0   2s\nburst-1   0/1   Pending   0   2s\n"
    actual = "burst-0   0/1   Pending   0   0s\nburst-1   0/1   ContainerCreating   0   0s\n"
    assert messages(output("vary=phase,age"), expected, actual) == []
    assert len(compare(output("vary=phase,age"), expected, "burst-0 0/1 Pending 0 0s\n")) == 1


def test_same_requires_one_pod_where_the_page_shows_one() -> None:
    sticky = output("vary=name same=name")
    expected = "hostnames-7c9d8b6f4-2xkqp\n" * 3
    assert messages(sticky, expected, "hostnames-5f6d8c9b7-h8zvn\n" * 3) == []
    found = messages(sticky, expected, "hostnames-5f6d8c9b7-h8zvn\nhostnames-5f6d8c9b7-q7m4c\n"
                                       "hostnames-5f6d8c9b7-h8zvn\n")
    assert found == ["expected 'hostnames-7c9d8b6f4-2xkqp' got 'hostnames-5f6d8c9b7-q7m4c' "
                     "(not the same name as '-5f6d8c9b7-h8zvn')"]
    # Without same=, any Pod may answer each request.
    assert messages(output("vary=name"), expected, "hostnames-5f6d8c9b7-h8zvn\n"
                    "hostnames-5f6d8c9b7-q7m4c\nhostnames-5f6d8c9b7-h8zvn\n") == []


def test_comma_lists_in_any_order_and_documentation_addresses_pinned() -> None:
    directive = output("vary=ip,sets")
    expected = "multi-port IPv4 8080,9090 10.244.0.21,10.244.0.22\nAddress: 192.0.2.21\n"
    actual = "multi-port IPv4 9090,8080 10.244.0.7,10.244.0.5\nAddress: 192.0.2.21\n"
    assert messages(directive, expected, actual) == []
    wrong = actual.replace("192.0.2.21", "192.0.2.22")
    assert messages(directive, expected, wrong) == [
        "expected 'Address: 192.0.2.21' got 'Address: 192.0.2.22'"]


def test_seconds_within_a_range() -> None:
    directive = output("range=2.002106:2..2.5 range=1.012345:1..1.9")
    expected = "200 1.012345\n504 2.002106\n"
    assert messages(directive, expected, "200 1.004711\n504 2.013377\n") == []
    assert messages(directive, expected, "200 1.004711\n504 15.000982\n") == [
        "expected '504 2.002106' got '504 15.000982'"]


def test_a_line_cut_short_matches_the_beginning_of_a_long_line() -> None:
    directive = output("vary=time range=112:1..5000 range=111:1..5000")
    expected = ('[2026-11-27T10:15:02.214Z] "GET /hello HTTP/1.1" 200 - via_upstream 0 60 112 111'
                ' ...\n')
    actual = ('[2026-12-01T08:00:00.001Z] "GET /hello HTTP/1.1" 200 - via_upstream 0 60 104 103 '
              '"-" "curl/8.16.0" "5b0c" "helloworld:5000" "10.244.0.9:5000" inbound|5000||\n')
    assert messages(directive, expected, actual) == []
    assert len(compare(directive, expected, actual.replace(" 200 ", " 503 "))) == 1


def test_numbers_vary_in_a_json_answer_but_not_its_labels() -> None:
    directive = output("vary=number")
    expected = ('{"status":"success","data":{"result":[{"metric":{"destination_version":"v1"},'
                '"value":[1780304400.123,"0.8444444444444444"]}]}}\n')
    actual = expected.replace("1780304400.123", "1790000000.5").replace("0.8444444444444444", "1")
    assert messages(directive, expected, actual) == []
    assert len(compare(directive, expected, actual.replace('"success"', '"error"'))) == 1


# Each class: the page's line, a line from another run that must match, and a line with
# a wrong value beside what varies that must not.
CLASS_CASES = [
    ("name", "pod/web-7d9c8b6f5-x2kqp condition met", "pod/web-5f4b7d9c8-q7m4c condition met",
     "pod/api-5f4b7d9c8-q7m4c condition met"),
    ("age", "web-0   1/1   Running   0   12s", "web-0   1/1   Running   0   3m4s",
     "web-0   0/1   Running   0   3m4s"),
    ("time", "10:02:16 INFO request 32 served", "23:59:01 INFO request 32 served",
     "23:59:01 WARN request 32 served"),
    ("ip", "Address: 10.244.0.7", "Address: 10.244.1.23", "Address: 10.244.1.23 (stale)"),
    ("usage", "web   1m   3Mi", "web   12m   30Mi", "api   12m   30Mi"),
    ("port", "web NodePort 80:31547/TCP", "web NodePort 80:30212/TCP",
     "web NodePort 81:30212/TCP"),
    ("version", "v1.37.0 containerd://2.1.4", "v1.36.4 containerd://2.2.0",
     "v1.36.4 cri-o://1.33.0"),
    ("id", "default Cert Chain ACTIVE true 4c7e0b1f9a2d83e65b0c1d2e3f4a5b6c",
     "default Cert Chain ACTIVE true 0a1b2c3d4e5f60718293a4b5c6d7e8f9",
     "default Cert Chain ACTIVE false 0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
    ("phase", "burst-0 0/1 ContainerCreating 0", "burst-0 0/1 Pending 0",
     "burst-0 0/1 CrashLoopBackOff 0"),
    ("pull", "web-6f5d4c8b7c-pz7lm 0/1 ImagePullBackOff 0",
     "web-6f5d4c8b7c-pz7lm 0/1 ErrImagePull 0", "web-6f5d4c8b7c-pz7lm 0/1 CrashLoopBackOff 0"),
    ("http", '"GET /get HTTP/2" 200', '"GET /get HTTP/1.1" 200', '"GET /get HTTP/1.1" 503'),
    ("number", '{"value":[1780304400.123,"0.84"]}', '{"value":[1790000000.5,"1"]}',
     '{"values":[1790000000.5,"1"]}'),
    ("sets", "multi-port IPv4 8080,9090", "multi-port IPv4 9090,8080",
     "multi-port IPv4 9090,8081"),
]


@pytest.mark.parametrize(("name", "page", "other_run", "wrong"), CLASS_CASES,
                         ids=[case[0] for case in CLASS_CASES])
def test_each_class_accepts_what_varies_and_rejects_a_wrong_value(
        name: str, page: str, other_run: str, wrong: str) -> None:
    directive = output(f"vary={name}")
    assert messages(directive, page + "\n", other_run + "\n") == []
    assert len(compare(directive, page + "\n", wrong + "\n")) == 1
    # Without the class, the run's own value is a mismatch.
    assert len(compare(output(), page + "\n", other_run + "\n")) == 1


def test_every_class_has_a_case() -> None:
    assert {case[0] for case in CLASS_CASES} == VARY_CLASSES
