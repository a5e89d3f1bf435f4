"""The runner end to end on pages that need no cluster: commands are echo, printf, sleep and
a fake kubectl. Blocks run in order in one shell session, mismatches are reported as
page:line: expected ... got ..., a failed command stops the page, the clean-up always runs,
and nothing is left running."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from deepdive.cli import main
from deepdive.tryit.extract import read_page
from deepdive.tryit.run import PageResult, Transcript, run_page, session


def run_text(tmp_path: Path, text: str) -> tuple[PageResult, str]:
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    page, problems = read_page(path, "page.md")
    assert problems == []
    log = tmp_path / "transcript.txt"
    with log.open("w", encoding="utf-8") as stream:
        state = tmp_path / "state"
        state.mkdir(exist_ok=True)
        result = run_page(page, session(tmp_path, None, state), Transcript(stream))
    return result, log.read_text(encoding="utf-8")


def messages(result: PageResult) -> list[str]:
    return [str(p).split("; output ends")[0] for p in result.problems]


GOOD = """\
## Try it: variables and output

{# tryit: run #}
```bash
NAME=web
export GREETING=hello
printf '%s-7d9c8b6f5-x2kqp   1/1   Running   0   %ss\\n' "$NAME" "$RANDOM"
```

{# tryit: output vary=name,age #}
```text
web-5c4f9d7b8-2kqwx   1/1   Running   0   12s
```

{# tryit: run #}
```bash
cd manifests
echo "$GREETING from $NAME in $(basename "$PWD")"
```

{# tryit: output #}
```text
hello from web in manifests
```
"""


def test_blocks_share_variables_and_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "manifests").mkdir()
    result, transcript = run_text(tmp_path, GOOD)
    assert result.problems == [] and result.ran == 2
    assert "hello from web in manifests" in transcript


def test_a_wrong_output_is_reported_at_its_page_line(tmp_path: Path) -> None:
    (tmp_path / "manifests").mkdir()
    result, _ = run_text(tmp_path, GOOD.replace("hello from web", "hello from nginx"))
    assert messages(result) == [
        "page.md:23: expected 'hello from nginx in manifests' got 'hello from web in manifests'"]


def test_a_wrong_restart_count_is_reported(tmp_path: Path) -> None:
    text = GOOD.replace("Running   0   %ss", "Running   2   %ss")
    (tmp_path / "manifests").mkdir()
    result, _ = run_text(tmp_path, text)
    [problem] = messages(result)
    assert problem.startswith("page.md:12: expected 'web-5c4f9d7b8-2kqwx 1/1 Running 0 12s' "
                              "got 'web-7d9c8b6f5-x2kqp 1/1 Running 2 ")


FAILING = """\
## Try it: fail half-way

{# tryit: run #}
```bash
echo created > {marker}
```

{# tryit: run #}
```bash
false
echo never printed
```

{# tryit: run #}
```bash
echo never run
```

{# tryit: cleanup #}
```bash
rm {marker}
echo cleaned
```
"""


def test_a_failed_command_stops_the_page_and_the_clean_up_still_runs(tmp_path: Path) -> None:
    marker = tmp_path / "created"
    result, transcript = run_text(tmp_path, FAILING.replace("{marker}", str(marker)))
    # As in a terminal, the rest of the block still runs; the block fails with `false`.
    assert messages(result) == ["page.md:10: exit status 1 from `false`, expected 0"]
    assert "\nnever printed\n" in transcript
    assert "$ echo never run" not in transcript
    assert "cleaned" in transcript and not marker.exists()


def test_an_expected_exit_status_is_not_a_failure(tmp_path: Path) -> None:
    text = "## Try it: refuse\n\n{# tryit: run exit=7 #}\n```bash\necho refused; exit 7\n```\n\n" \
           "{# tryit: output #}\n```text\nrefused\n```\n"
    result, _ = run_text(tmp_path, text)
    assert result.problems == []


def test_a_block_that_overruns_its_timeout_is_stopped(tmp_path: Path) -> None:
    text = "## Try it: hang\n\n{# tryit: run timeout=1 #}\n```bash\necho started\nsleep 60\n```\n"
    started = time.monotonic()
    result, _ = run_text(tmp_path, text)
    assert time.monotonic() - started < 15
    assert messages(result) == ["page.md:5: did not finish within 1s"]
    assert "started" in str(result.problems[0])


def test_stop_after_interrupts_a_watch_and_keeps_its_output(tmp_path: Path) -> None:
    text = ("## Try it: watch\n\n{# tryit: run stop-after=2 timeout=30 #}\n```bash\n"
            "echo 'web-0 Pending'; sleep 0.5; echo 'web-0 Running'; sleep 600\n```\n\n"
            "{# tryit: output compare=contains #}\n```text\nweb-0 Running\n```\n")
    started = time.monotonic()
    result, _ = run_text(tmp_path, text)
    assert result.problems == [] and time.monotonic() - started < 15


def test_nothing_the_block_started_is_left_running(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    text = ("## Try it: background\n\n{# tryit: run #}\n```bash\n"
            f"sleep 300 &\necho $! > {pid_file}\necho started\n```\n")
    result, _ = run_text(tmp_path, text)
    assert result.problems == []
    pid = int(pid_file.read_text())
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    pytest.fail("the background sleep outlived its block")


def test_a_command_waiting_for_input_does_not_hang(tmp_path: Path) -> None:
    text = "## Try it: read\n\n{# tryit: run timeout=20 #}\n```bash\nread -r answer\n```\n"
    result, _ = run_text(tmp_path, text)
    assert messages(result) == ["page.md:5: exit status 1 from `read -r answer`, expected 0"]


def test_the_cli_runs_a_page_with_a_fake_kubectl(tmp_path: Path, fake_kubectl: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "## Try it: pods\n\n{# tryit: run #}\n```bash\nkubectl get pods\n```\n\n"
        "{# tryit: output vary=age #}\n```text\nNAME    READY   STATUS    RESTARTS   AGE\n"
        "web-0   1/1     Running   0          12s\n```\n\n"
        "{# tryit: cleanup #}\nClean up with `kubectl delete pod web-0`.\n", encoding="utf-8")
    transcript = tmp_path / "transcript.txt"
    assert main(["tryit", str(page), "--transcript", str(transcript)]) == 0
    calls = fake_kubectl.read_text().splitlines()
    assert calls[0] == "config current-context"  # the guard asked first
    assert calls[-2:] == ["get pods", "delete pod web-0"]
    out = capsys.readouterr().out
    assert "page.md: 2 blocks run: ok" in out
    assert "$ kubectl delete pod web-0" in transcript.read_text()


def test_a_command_that_fails_until_ready_is_retried_by_its_output_block(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    text = ("## Try it: wait for metrics\n\n{# tryit: run #}\n```bash\n"
            f"echo x >> {counter}\n"
            f"if [ $(wc -l < {counter}) -lt 3 ]; then echo 'error: metrics not available yet'; "
            "exit 1; fi\necho 'web 1m 3Mi'\n```\n\n"
            "{# tryit: output vary=usage retry=30 #}\n```text\nweb 2m 5Mi\n```\n")
    result, transcript = run_text(tmp_path, text)
    assert result.problems == []
    assert transcript.splitlines().count("error: metrics not available yet") == 2


def test_a_command_that_never_succeeds_is_reported_after_its_retries(tmp_path: Path) -> None:
    text = ("## Try it: never\n\n{# tryit: run #}\n```bash\necho nope; exit 3\n```\n\n"
            "{# tryit: output retry=4 #}\n```text\nyes\n```\n\n"
            "{# tryit: run #}\n```bash\necho after\n```\n")
    result, transcript = run_text(tmp_path, text)
    assert messages(result) == ["page.md:5: exit status 3, expected 0"]  # `exit` is no failure
    assert "$ echo after" not in transcript


def test_a_block_fails_with_its_first_failing_command(tmp_path: Path) -> None:
    text = ("## Try it: time out, then look\n\n{# tryit: run exit=1 #}\n```bash\n"
            "echo 'error: timed out waiting for the condition'; (exit 1)\necho table\n```\n\n"
            "{# tryit: output #}\n```text\nerror: timed out waiting for the condition\n"
            "table\n```\n")
    result, _ = run_text(tmp_path, text)
    assert result.problems == []


def test_published_manifest_urls_run_against_the_checkout(tmp_path: Path) -> None:
    from deepdive.tryit.command import published_manifests

    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "x.yaml").write_text("kind: X\n")
    [(published, local)] = published_manifests()
    assert published.startswith("https://") and local == "manifests/"
    path = tmp_path / "page.md"
    path.write_text(f"## Try it: apply\n\n{{# tryit: run #}}\n```bash\ncat {published}x.yaml\n```"
                    "\n\n{# tryit: output #}\n```text\nkind: X\n```\n", encoding="utf-8")
    page, _ = read_page(path, "page.md")
    state = tmp_path / "state"
    state.mkdir()
    shell = session(tmp_path, None, state, published_manifests())
    result = run_page(page, shell, Transcript(None))
    assert result.problems == []


def test_a_background_block_runs_beside_the_next_ones_and_stops_with_the_page(
        tmp_path: Path) -> None:
    served = tmp_path / "served"
    text = ("## Try it: two terminals\n\n{# tryit: run background=1 #}\n```bash\n"
            f"echo forwarding; while true; do echo up > {served}; sleep 0.2; done\n```\n\n"
            "{# tryit: run #}\n```bash\n"
            f"cat {served}\n```\n\n{{# tryit: output #}}\n```text\nup\n```\n")
    result, transcript = run_text(tmp_path, text)
    assert result.problems == [] and result.ran == 2
    assert "[stopped: the page ended]" in transcript and "forwarding" in transcript
    served.unlink()
    time.sleep(0.6)
    assert not served.exists(), "the background loop outlived its page"
