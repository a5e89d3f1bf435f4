"""Run a page's blocks in order in one shell session, compare, and always clean up.

This module owns processes and nothing else. Each block runs as `bash` in a process group
of its own, with stdin closed (a command that waits for a key fails instead of hanging),
stdout and stderr merged as a terminal shows them, and a timeout. As when a reader pastes
the block, every command runs even after one fails; the block's status is that of the
first command that failed (an ERR trap records it), else that of the last one. When the
block ends, anything it left running in its group (`kubectl port-forward &`) is stopped.
Shell variables, exported ones and the working directory carry over from block to block
as in the reader's terminal.

A failed command stops the page: the blocks after it would run on a state the page does
not describe. A mismatch does not. Either way every clean-up block of the page that has
not run yet runs at the end, also on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from deepdive.tryit.compare import Mismatch, compare
from deepdive.tryit.model import Block, Kind, Page, Problem

GRACE = 5.0  # seconds between SIGINT or SIGTERM and SIGKILL
RETRY_PAUSE = 3.0
TAIL = 12  # lines of output a failure report shows

# Saved after each block and sourced before the next: every shell variable bash lets us
# set again, and the working directory. Bash's own variables are left out.
PROLOGUE = """\
__tryit_state={state}
if [ -f "$__tryit_state" ]; then . "$__tryit_state" 2>/dev/null || true; fi
__tryit_save() {{
  local __tryit_name
  {{
    for __tryit_name in $(compgen -v); do
      case "$__tryit_name" in
        BASH*|COMP*|DIRSTACK|EPOCH*|EUID|FUNCNAME|GROUPS|HIST*|HOSTNAME|HOSTTYPE|IFS|\\
        LINENO|MACHTYPE|OLDPWD|OPT*|OSTYPE|PIPESTATUS|PPID|PS[0-9]|PWD|RANDOM|SECONDS|\\
        SHELLOPTS|SHLVL|SRANDOM|UID|_|__tryit*) continue ;;
      esac
      declare -p "$__tryit_name" 2>/dev/null | grep -qv '^declare -[a-zA-Z]*r' \\
        && declare -p "$__tryit_name"
    done
    printf 'cd %q\\n' "$PWD"
  }} > "$__tryit_state.new" 2>/dev/null && mv "$__tryit_state.new" "$__tryit_state"
}}
__tryit_status=0
trap '__tryit_rc=$?; [ "$__tryit_status" != 0 ] || {{
  __tryit_status=$__tryit_rc; printf "%s\\n" "$BASH_COMMAND" > "$__tryit_state.failed"; }}' ERR
trap '__tryit_rc=$?; [ "$__tryit_status" != 0 ] || __tryit_status=$__tryit_rc
__tryit_save; exit "$__tryit_status"' EXIT
"""


@dataclass(frozen=True)
class Outcome:
    status: int
    output: str
    seconds: float
    timed_out: bool = False
    stopped: bool = False  # interrupted on purpose after stop-after
    failed_command: str = ""  # the first command that failed, as bash saw it

    def tail(self) -> str:
        lines = self.output.rstrip().splitlines()[-TAIL:]
        return "\n".join("    " + line for line in lines) or "    (no output)"


class Shell:
    """One reader's terminal: blocks run one after another with shared variables."""

    def __init__(self, workdir: Path, env: dict[str, str], state_dir: Path,
                 rewrites: tuple[tuple[str, str], ...] = ()) -> None:
        self.workdir = workdir
        self.env = env
        self.state = state_dir / "shell-state"
        self.failed = state_dir / "shell-state.failed"
        self.script = state_dir / "block.sh"
        # Text replaced in every block before it runs: the published manifest URLs become
        # the checkout's files, so a pull request runs with its own manifests.
        self.rewrites = rewrites
        self._count = 0

    def command_text(self, text: str) -> str:
        for published, local in self.rewrites:
            text = text.replace(published, local)
        return text

    def run(self, text: str, timeout: float, stop_after: float | None = None) -> Outcome:
        return self.finish(self.start(text), timeout, stop_after)

    def start(self, text: str) -> Running:
        """Start a block and return at once; `finish` waits for it (or stops it)."""
        text = self.command_text(text)
        quoted = "'" + str(self.state).replace("'", "'\\''") + "'"
        script = self.script.with_name(f"block-{self._count}.sh")
        self._count += 1
        script.write_text(PROLOGUE.format(state=quoted) + text, encoding="utf-8")
        self.failed.unlink(missing_ok=True)
        process = subprocess.Popen(
            ["bash", str(script)], cwd=self.workdir, env=self.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        chunks: list[bytes] = []
        assert process.stdout is not None
        stdout = process.stdout
        reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: stdout.read(4096),
                                                                    b"")), daemon=True)
        reader.start()
        return Running(process, chunks, reader, time.monotonic())

    def finish(self, running: Running, timeout: float,
               stop_after: float | None = None) -> Outcome:
        """Wait for a started block: stop it after stop_after (as Ctrl-C), kill it after the
        timeout, and stop whatever it left running."""
        process, started = running.process, running.started
        timed_out = stopped = False
        signalled_at: float | None = None
        while process.poll() is None:
            now = time.monotonic() - started
            if stop_after is not None and not stopped and now >= stop_after:
                _signal_group(process.pid, signal.SIGINT)  # as Ctrl-C in a terminal
                stopped, signalled_at = True, now
            elif now >= timeout and not timed_out:
                _signal_group(process.pid, signal.SIGTERM)
                timed_out, signalled_at = True, now
            elif signalled_at is not None and now - signalled_at >= GRACE:
                _signal_group(process.pid, signal.SIGKILL)
            time.sleep(0.1)
        # Whatever the block left running in its group ends with it.
        _signal_group(process.pid, signal.SIGTERM)
        running.reader.join(timeout=GRACE)
        if running.reader.is_alive():
            _signal_group(process.pid, signal.SIGKILL)
            running.reader.join(timeout=GRACE)
        assert process.stdout is not None
        process.stdout.close()
        output = b"".join(running.chunks).decode("utf-8", errors="replace")
        failed = self.failed.read_text(encoding="utf-8").strip() if self.failed.is_file() else ""
        return Outcome(process.returncode, output, time.monotonic() - started, timed_out,
                       stopped and not timed_out, failed)

    def stop(self, running: Running) -> Outcome:
        """Stop a block started in the background, as Ctrl-C would."""
        elapsed = time.monotonic() - running.started
        return self.finish(running, elapsed + 3 * GRACE, stop_after=elapsed)


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    chunks: list[bytes]
    reader: threading.Thread
    started: float


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


@dataclass
class PageResult:
    page: Page
    problems: list[Problem] = field(default_factory=list)
    ran: int = 0
    skipped: list[Block] = field(default_factory=list)
    aborted_at: Block | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


class Transcript:
    """Everything a run did, for people: each block, its output, each finding."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream

    def write(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text if text.endswith("\n") else text + "\n")
            self.stream.flush()

    def block(self, block: Block, label: str, text: str | None = None) -> None:
        self.write(f"\n## {block.page}:{block.line} [{label}] {block.section}")
        for line in (block.text if text is None else text).rstrip().splitlines():
            self.write(f"$ {line}")

    def outcome(self, outcome: Outcome) -> None:
        if outcome.output:
            self.write(outcome.output)
        how = " (timed out)" if outcome.timed_out else " (stopped)" if outcome.stopped else ""
        self.write(f"# exit {outcome.status}{how} after {outcome.seconds:.1f}s")


Report = Callable[[Problem], None]


def run_page(page: Page, shell: Shell, transcript: Transcript,
             report: Report | None = None) -> PageResult:
    """Run every block of a page in order; clean-up blocks always run."""
    result = PageResult(page)

    def problem(block: Block, index: int | None, message: str) -> None:
        found = Problem(page.name, block.line_of(index) if index is not None else block.line,
                        message)
        result.problems.append(found)
        transcript.write(f"# MISMATCH {found}")
        if report:
            report(found)

    last_run: Block | None = None
    last_outcome: Outcome | None = None
    cleaned: set[int] = set()
    background: list[tuple[Block, Running]] = []
    try:
        for number, block in enumerate(page.blocks):
            if block.kind is Kind.MANUAL or (block.kind is Kind.OUTPUT and last_run is None):
                result.skipped.append(block)
                why = block.directive.reason or "the output of a manual block"
                transcript.block(block, f"not run: {why}")
                last_run = None if block.kind is Kind.MANUAL else last_run
                continue
            if block.kind is Kind.OUTPUT:
                assert last_run is not None and last_outcome is not None
                transcript.write(f"# compare with {block.page}:{block.line} "
                                 f"({block.directive.describe()})")
                mismatches, failure = _compare_with_retry(block, last_run, last_outcome, shell,
                                                          transcript)
                if failure:  # the command never succeeded, not even on a retry
                    problem(last_run, None, failure)
                    result.aborted_at = last_run
                    transcript.write("# the page stops here; its clean-up runs")
                    break
                for mismatch in mismatches:
                    problem(block, mismatch.index, mismatch.message())
                continue
            if block.directive.background is not None:
                transcript.block(block, "run in the background", shell.command_text(block.text))
                running = shell.start(block.text)
                background.append((block, running))
                time.sleep(block.directive.background)
                result.ran += 1
                if running.process.poll() not in {None, 0}:  # it failed before settling
                    outcome = shell.finish(running, GRACE)
                    transcript.outcome(outcome)
                    background.pop()
                    problem(block, None, f"exit status {outcome.status} in the background; "
                                         f"output ends:\n{outcome.tail()}")
                    result.aborted_at = block
                    break
                continue
            transcript.block(block, block.kind.value, shell.command_text(block.text))
            outcome = shell.run(block.text, block.directive.timeout, block.directive.stop_after)
            transcript.outcome(outcome)
            result.ran += 1
            if block.kind is Kind.CLEANUP:
                cleaned.add(number)
            last_run, last_outcome = block, outcome
            failure = _failure(block, outcome)
            following = page.blocks[number + 1] if number + 1 < len(page.blocks) else None
            if failure and block.kind is Kind.RUN and following is not None and \
                    following.kind is Kind.OUTPUT and following.directive.retry:
                transcript.write("# failed; the output block after it retries it")
                continue
            if failure:
                problem(block, None, failure)
                if block.kind is Kind.RUN:
                    result.aborted_at = block
                    transcript.write("# the page stops here; its clean-up runs")
                    break
    finally:
        for block, running in background:
            transcript.write(f"\n## {block.page}:{block.line} [stopped: the page ended]")
            transcript.outcome(shell.stop(running))
        for number, block in enumerate(page.blocks):
            if block.kind is Kind.CLEANUP and number not in cleaned:
                transcript.block(block, "cleanup (after a failure)",
                                 shell.command_text(block.text))
                outcome = shell.run(block.text, block.directive.timeout)
                transcript.outcome(outcome)
    return result


def _failure(block: Block, outcome: Outcome) -> str | None:
    if outcome.timed_out:
        return (f"did not finish within {block.directive.timeout}s; output ends:\n"
                f"{outcome.tail()}")
    if outcome.stopped or outcome.status == block.directive.exit:
        return None
    command = f" from `{outcome.failed_command}`" if outcome.failed_command else ""
    return (f"exit status {outcome.status}{command}, expected {block.directive.exit}; "
            f"output ends:\n{outcome.tail()}")


def _compare_with_retry(block: Block, command: Block, outcome: Outcome, shell: Shell,
                        transcript: Transcript) -> tuple[list[Mismatch], str | None]:
    """The mismatches, and the command's failure if it never succeeded. With retry=S the
    command runs again every few seconds until it succeeds and matches, for S seconds."""
    failure = _failure(command, outcome)
    mismatches = [] if failure else compare(block.directive, block.text, outcome.output)
    deadline = time.monotonic() + block.directive.retry
    while (failure or mismatches) and block.directive.retry and time.monotonic() < deadline:
        time.sleep(RETRY_PAUSE)
        transcript.write("# not yet; again" + (f" ({len(mismatches)} differences)"
                                               if mismatches else ""))
        again = shell.run(command.text, command.directive.timeout, command.directive.stop_after)
        transcript.outcome(again)
        failure = _failure(command, again)
        mismatches = [] if failure else compare(block.directive, block.text, again.output)
    return mismatches, failure


def session(workdir: Path, kubeconfig: Path | None, state_dir: Path | None = None,
            rewrites: tuple[tuple[str, str], ...] = ()) -> Shell:
    """A shell for one page: the project root as working directory, one kubeconfig."""
    env = dict(os.environ)
    if kubeconfig is not None:
        env["KUBECONFIG"] = str(kubeconfig)
    folder = state_dir or Path(tempfile.mkdtemp(prefix="deepdive-tryit-"))
    return Shell(workdir, env, folder, rewrites)
