"""The Kubernetes half as a reader meets it: named Try it sections, a way onwards from every
page, and expected outputs that agree with the manifests and the tools that print them.

The computed facts are tested on their own; these tests guard the hand-written samples,
which is where a fact-check of the pages found its errors (issue 9): log lines a manifest's
script cannot print, a `--sort-by` table out of order, a port-forward transcript in the wrong
order, restart times that forget the grace period a shell as PID 1 makes the kubelet wait.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from test_site import MANIFESTS, Element, parse_html, rendered_embeds

K8S_PAGES = ["index", "components", "pods", "deployments", "rollout-strategies", "probes",
             "statefulsets", "services", "extras"]
CLOCK = re.compile(r"(\d\d):(\d\d):(\d\d)")


def html_file(built_site: Path, name: str) -> Path:
    folder = built_site / "kubernetes"
    return (folder if name == "index" else folder / name) / "index.html"


def page(built_site: Path, name: str) -> Element:
    return parse_html(html_file(built_site, name).read_text(encoding="utf-8"))


@dataclass
class Block:
    language: str  # "bash" for commands, "text" for output
    text: str


def code_blocks(root: Element) -> list[Block]:
    """The page's code blocks in order (manifests excluded), with their language."""
    blocks = []
    for div in root.find_all("div"):
        classes = div.classes
        if "highlight" not in classes or any(
                span.text.startswith("manifests/") for span in div.find_all("span", "filename")):
            continue
        language = next((c.removeprefix("language-") for c in classes
                         if c.startswith("language-")), "")
        code = div.find_all("code")
        if code and language in {"bash", "text"}:
            blocks.append(Block(language, code[0].text))
    return blocks


def seconds(clock: str) -> int:
    match = CLOCK.search(clock)
    assert match, clock
    hours, minutes, secs = (int(g) for g in match.groups())
    return hours * 3600 + minutes * 60 + secs


# --- Try it headings and the way onwards ------------------------------------------------

@pytest.mark.parametrize("name", K8S_PAGES)
def test_every_try_it_heading_says_what_it_tries(built_site: Path, name: str) -> None:
    headings = [h for h in page(built_site, name).iter() if h.tag in {"h2", "h3", "h4"}]
    tries = [h for h in headings if h.text.replace("¶", "").strip().startswith("Try it")]
    if name != "index":
        assert tries, f"kubernetes/{name} has no Try it"
    for heading in tries:
        title = heading.text.replace("¶", "").strip()
        assert re.fullmatch(r"Try it: \S.{8,}", title), f"kubernetes/{name}: heading {title!r}"
        assert heading.attrs.get("id", "").startswith("try-it-"), title
    titles = [h.text.replace("¶", "").strip() for h in tries]
    assert len(titles) == len(set(titles)), f"kubernetes/{name}: repeated Try it titles"


@pytest.mark.parametrize("name", K8S_PAGES)
def test_every_page_ends_with_what_to_read_next(built_site: Path, name: str) -> None:
    root = page(built_site, name)
    h2 = [h for h in root.iter() if h.tag == "h2"]
    assert h2 and h2[-1].attrs.get("id") == "what-to-read-next", f"kubernetes/{name}"
    links = [a.attrs.get("href", "") for a in h2[-1].next_siblings() for a in a.iter()
             if a.tag == "a"]
    assert any(h.startswith("https://kubernetes.io/docs/") for h in links), links
    assert any(not h.startswith(("http", "#")) for h in links), f"no next page: {links}"


def test_nav_labels_match_page_titles(built_site: Path) -> None:
    config = yaml.safe_load(re.sub(r"!!python/\S+", "", (MANIFESTS.parent / "mkdocs.yml")
                                   .read_text(encoding="utf-8")))
    kubernetes = next(item["Kubernetes"] for item in config["nav"]
                      if isinstance(item, dict) and "Kubernetes" in item)
    for entry in kubernetes:
        if not isinstance(entry, dict):
            continue
        (label, path), = entry.items()
        name = Path(path).stem
        h1 = next(h for h in page(built_site, name).iter() if h.tag == "h1")
        assert h1.text.replace("¶", "").strip() == label, path


def test_every_kubernetes_manifest_is_shown_on_a_kubernetes_page(built_site: Path) -> None:
    shown = {e.relative for name in K8S_PAGES for e in rendered_embeds(html_file(built_site, name))}
    files = {p.relative_to(MANIFESTS).as_posix()
             for p in (MANIFESTS / "kubernetes").rglob("*.yaml")}
    assert files <= shown, sorted(files - shown)


# --- sort orders ---------------------------------------------------------------------------

def tables(output: str) -> list[list[str]]:
    """An output block split into tables, each starting at a header line."""
    found: list[list[str]] = []
    for line in output.splitlines():
        if re.match(r"(NAME|NAMESPACE|POD)\s", line):
            found.append([line])
        elif found and line.strip():
            found[-1].append(line)
    return found


def quantity(value: str) -> float:
    units = {"m": 1e-3, "": 1, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    match = re.fullmatch(r"(\d+)(m|Ki|Mi|Gi|)", value)
    assert match, value
    return int(match.group(1)) * units[match.group(2)]


def test_top_samples_are_sorted_as_sort_by_orders_them(built_site: Path) -> None:
    checked = 0
    for name in K8S_PAGES:
        blocks = code_blocks(page(built_site, name))
        for command, output in itertools.pairwise(blocks):
            if command.language != "bash" or output.language != "text":
                continue
            tops = [c for c in command.text.splitlines() if c.startswith("kubectl top")]
            for line, table in zip(tops, tables(output.text), strict=False):
                sort = re.search(r"--sort-by[= ](cpu|memory)", line)
                if not sort:
                    continue
                header = table[0].split()
                column = header.index("MEMORY(bytes)" if sort.group(1) == "memory"
                                      else "CPU(cores)")
                values = [quantity(row.split()[column]) for row in table[1:]]
                # kubectl's PodMetricsSorter puts the largest value first
                assert values == sorted(values, reverse=True), f"{name}: {line}: {values}"
                checked += 1
    assert checked, "no kubectl top --sort-by sample found"


# --- log lines the manifests' scripts print -----------------------------------------------

@dataclass
class Line:
    at: int  # seconds after the container started
    message: str


def run_script(script: str, steps: int = 400) -> list[Line]:
    """What a busybox loop of the manifests prints, with the time of each line.

    Understands the few shell forms the logging examples use: `i=0`, `i=$((i + 1))`,
    `echo "$(date -u +%H:%M:%S) ... $i ..."`, `if [ $((i % K)) -eq 0 ]; then echo ...; fi`,
    `sleep N`, `exit N` and one `while true; do ... done` around them.
    """
    statements: list[str] = []
    for line in (raw.strip() for raw in script.splitlines()):
        if line.startswith(("if ", "while ")):
            statements.append(line)
        else:
            statements.extend(part.strip() for part in line.split(";") if part.strip())
    loop_start = next((i for i, s in enumerate(statements) if s.startswith("while true")), None)
    body = statements if loop_start is None else statements[loop_start + 1:]
    prelude = [] if loop_start is None else statements[:loop_start]
    variables: dict[str, int] = {}
    lines: list[Line] = []
    clock = 0

    def echo(text: str) -> None:
        match = re.fullmatch(r'echo "\$\(date -u \+%H:%M:%S\) (.*)"', text)
        assert match, f"cannot read {text!r}"
        message = re.sub(r"\$(\w+)", lambda m: str(variables[m.group(1)]), match.group(1))
        message = message.replace("$(hostname)", "<hostname>")
        lines.append(Line(clock, message))

    def execute(statement: str) -> bool:
        nonlocal clock
        if statement in {"do", "done"}:
            return True
        if match := re.fullmatch(r"(\w+)=(\d+)", statement):
            variables[match.group(1)] = int(match.group(2))
        elif match := re.fullmatch(r"(\w+)=\$\(\((\w+) \+ (\d+)\)\)", statement):
            variables[match.group(1)] = variables[match.group(2)] + int(match.group(3))
        elif match := re.fullmatch(r"if \[ \$\(\((\w+) % (\d+)\)\) -eq 0 \]; then (.*); fi",
                                   statement):
            if variables[match.group(1)] % int(match.group(2)) == 0:
                echo(match.group(3))
        elif statement.startswith("echo "):
            echo(statement)
        elif match := re.fullmatch(r"sleep (\d+)", statement):
            clock += int(match.group(1))
        elif re.fullmatch(r"exit \d+", statement):
            return False
        else:
            raise AssertionError(f"cannot read {statement!r}")
        return True

    for statement in prelude:
        execute(statement)
    for _ in range(steps if loop_start is not None else 1):
        if not all(execute(s) for s in body):
            break
    return lines


def container_script(path: str, container: str) -> str:
    documents = list(yaml.safe_load_all((MANIFESTS / path).read_text(encoding="utf-8")))
    spec = documents[0]["spec"]
    spec = spec["template"]["spec"] if "template" in spec else spec
    found = next(c for c in spec["containers"] if c["name"] == container)
    return str(found["args"][0])


def test_run_script_reads_the_chatter_loop() -> None:
    lines = run_script(container_script("kubernetes/extras/logs/deployment.yaml", "app"))
    assert [line.message for line in lines[:6]] == [
        "INFO request 1 served", "INFO request 2 served", "INFO request 3 served",
        "INFO request 4 served", "INFO request 5 served", "WARN slow request 5"]
    assert [line.at for line in lines[:7]] == [0, 2, 4, 6, 8, 8, 10]


def extras_samples(built_site: Path) -> list[tuple[str, str]]:
    """Every (container, 'HH:MM:SS message') line of chatter and crasher on the logs page."""
    samples = []
    for block in code_blocks(page(built_site, "extras")):
        if block.language != "text":
            continue
        for line in block.text.splitlines():
            match = re.search(r"(?:/(app|audit)\]| (app|audit) |: )?(\d\d:\d\d:\d\d .*)$", line)
            if not match or not CLOCK.match(match.group(3)):
                continue
            container = match.group(1) or match.group(2) or ""
            samples.append((container, match.group(3)))
    return samples


def test_chatter_sample_lines_are_what_its_script_prints(built_site: Path) -> None:
    scripts = {name: run_script(container_script("kubernetes/extras/logs/deployment.yaml", name))
               for name in ("app", "audit")}
    # one clock per container: some start time must explain every sample line of it
    starts: dict[str, set[int] | None] = {"app": None, "audit": None}
    checked = 0
    for container, sample in extras_samples(built_site):
        message = sample[9:]
        if "crasher" in message or "database" in message:
            continue
        guess = container or ("audit" if message.startswith("audit:") else "app")
        printed = [line for line in scripts[guess] if line.message == message]
        assert printed, f"{guess} never prints {message!r}"
        # a second either way: the loop drifts a little with every `date` it runs
        fits = {seconds(sample) - line.at + slack for line in printed for slack in (-1, 0, 1)}
        known = starts[guess]
        starts[guess] = fits if known is None else known & fits
        assert starts[guess], f"{guess}: {sample!r} does not fit the times of the other lines"
        checked += 1
    assert checked >= 10 and all(starts.values())


def test_tail_sample_is_the_end_of_the_script_output(built_site: Path) -> None:
    """`kubectl logs ... --tail=3` shows three lines the app printed one after the other."""
    blocks = code_blocks(page(built_site, "extras"))
    lines = run_script(container_script("kubernetes/extras/logs/deployment.yaml", "app"))
    messages = [line.message for line in lines]
    for command, output in itertools.pairwise(blocks):
        tail = re.search(r"kubectl logs deployment/\S+ --tail=(\d+)\n", command.text)
        if command.language != "bash" or not tail:
            continue
        count = int(tail.group(1))
        shown = [line[9:] for line in output.text.splitlines() if CLOCK.match(line)][:count]
        assert len(shown) == count
        start = messages.index(shown[0])
        assert messages[start:start + count] == shown, shown
        return
    pytest.fail("no `kubectl logs deployment/... --tail=N` sample found")


def test_crasher_sample_follows_its_script_and_the_back_off(built_site: Path) -> None:
    script = container_script("kubernetes/extras/logs/crasher.yaml", "app")
    run = run_script(script)
    lifetime = run[-1].at - run[0].at
    text = "\n".join(f"{c} {s}" for c, s in extras_samples(built_site))
    previous = re.search(r"(\d\d:\d\d:\d\d) starting on crasher\n.*?(\d\d:\d\d:\d\d) FATAL.*\n"
                         r".*?(\d\d:\d\d:\d\d) starting on crasher", text)
    assert previous, text
    started, crashed, restarted = (seconds(g) for g in previous.groups())
    assert crashed - started == lifetime
    # restartCount 2: the kubelet restarted at once after the first crash and waited its
    # initial back-off of 10 s after the second; the third run starts 10 s (plus a moment)
    # after the second crash
    assert 10 <= restarted - crashed <= 13, restarted - crashed


# --- transcripts in the order the tools print them ---------------------------------------

def test_port_forward_transcripts_are_in_the_order_kubectl_prints(built_site: Path) -> None:
    checked = 0
    for name in K8S_PAGES:
        blocks = code_blocks(page(built_site, name))
        for command, output in itertools.pairwise(blocks):
            if command.language != "bash" or "kubectl port-forward" not in command.text:
                continue
            lines = output.text.splitlines()
            assert any(line.startswith("Handling connection for") for line in lines), lines
            handling = next(i for i, line in enumerate(lines)
                            if line.startswith("Handling connection for"))
            assert handling >= 1
            assert all(line.startswith("Forwarding from") for line in lines[:handling]), lines
            # the answer comes after kubectl accepted the connection
            assert lines[handling + 1:], f"{name}: nothing after {lines[handling]!r}"
            checked += 1
    assert checked >= 2


def probe_settings(path: str) -> tuple[int, int, int, int]:
    pod = yaml.safe_load((MANIFESTS / path).read_text(encoding="utf-8"))
    container = pod["spec"]["containers"][0]
    probe = container["livenessProbe"]
    first_sleep = int(re.search(r"sleep (\d+)", " ".join(container["args"])).group(1))
    grace = int(pod["spec"].get("terminationGracePeriodSeconds", 30))
    period = int(probe.get("periodSeconds", 10))
    return first_sleep, period, int(probe.get("failureThreshold", 3)), grace


def test_liveness_exec_restart_waits_for_the_grace_period(built_site: Path) -> None:
    """busybox sh as PID 1 ignores SIGTERM: the restart comes a whole grace period late."""
    healthy, period, failures, grace = probe_settings("kubernetes/probes/liveness-exec.yaml")
    earliest = healthy + (failures - 1) * period + grace
    latest = healthy + failures * period + 1 + grace + 3  # check timeout, Pod older than container
    blocks = code_blocks(page(built_site, "probes"))
    index = next(i for i, b in enumerate(blocks)
                 if b.language == "bash" and "kubectl get pod liveness-exec --watch" in b.text)
    watch = blocks[index + 1].text
    restart = re.search(r"liveness-exec\s+\S+\s+Running\s+1 \(\d+s ago\)\s+(\d+)s", watch)
    assert restart, watch
    assert earliest <= int(restart.group(1)) <= latest, (restart.group(1), earliest, latest)
    events = next(b.text for b in blocks[index + 2:] if b.language == "text")
    unhealthy = re.search(r"^(\d+)s \(x(\d+) over (\d+)s\)\s+Warning\s+Unhealthy", events, re.M)
    killing = re.search(r"^(\d+)s\s+Normal\s+Killing", events, re.M)
    started = re.search(r"^(\d+)s \(x2 over \d+s\)\s+Normal\s+Started", events, re.M)
    assert unhealthy and killing and started, events
    assert int(unhealthy.group(2)) == failures
    assert int(unhealthy.group(3)) - int(unhealthy.group(1)) == (failures - 1) * period
    assert killing.group(1) == unhealthy.group(1), "Killing comes with the last Unhealthy"
    assert int(killing.group(1)) - int(started.group(1)) >= grace


def test_rollout_upper_bound_mentions_terminating_pods(built_site: Path) -> None:
    text = re.sub(r"\s+", " ", page(built_site, "rollout-strategies").text)
    sentence = text.index("at most replicas + maxSurge Pods")
    assert "terminating" in text[sentence:sentence + 800]
    assert "podReplacementPolicy" in text


@pytest.mark.parametrize(("base", "copy", "changed"), [
    ("blue-green/storefront-blue.yaml", "blue-green/storefront-green.yaml",
     ["name: storefront-green", "image: registry.k8s.io/e2e-test-images/agnhost:2.66.1"]),
    ("canary/checkout-stable.yaml", "canary/checkout-canary.yaml",
     ["name: checkout-canary", "replicas: 1"]),
])
def test_near_copies_sit_in_tabs_with_their_differences_highlighted(
    built_site: Path, base: str, copy: str, changed: list[str]
) -> None:
    """rollout-strategies.md shows the second colour or track as a tab of the first, with the
    lines that differ marked, instead of a second full manifest to compare by eye."""
    folder = MANIFESTS / "kubernetes" / "deployments"
    base_lines = (folder / base).read_text("utf-8").splitlines()
    different = [line for line in (folder / copy).read_text("utf-8").splitlines()
                 if line not in base_lines]
    root = page(built_site, "rollout-strategies")
    title = f"manifests/kubernetes/deployments/{copy}"
    [block] = [b for b in root.find_all("div", "highlight")
               if any(span.text == title for span in b.find_all("span", "filename"))]
    tab_set = block.parent
    while tab_set is not None and "tabbed-set" not in tab_set.classes:
        tab_set = tab_set.parent
    assert tab_set is not None, f"{copy} is not in a tab set"
    marked = [re.sub(r"\s+", " ", span.text).strip() for span in block.find_all("span", "hll")]
    assert len(marked) == len(different) > 0
    for line in changed:
        assert any(line in m for m in marked), (line, marked)
