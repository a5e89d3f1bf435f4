"""Reading Try it blocks back from Markdown: every fence of a Try it section is marked, the
directives are read in page order with their source lines, and what cannot be read is
reported with its line."""

from __future__ import annotations

from pathlib import Path

from deepdive.tryit.extract import read_page
from deepdive.tryit.model import Kind

PAGE = """\
# A page

Some text with a fence that is not in a Try it:

```bash
kubectl version
```

## Try it: do a thing

{# tryit: run timeout=60 #}
```bash
kubectl apply -f manifests/x.yaml
kubectl get pods \\
  -o wide
```

The output is similar to this:

{# tryit: output vary=age #}
```text
NAME    READY   STATUS    RESTARTS   AGE
web-0   1/1     Running   0          12s
```

!!! note "Inside an admonition"

    {# tryit: manual opens a browser on the dashboard #}
    ```bash
    istioctl dashboard kiali
    ```

{# tryit: cleanup #}
Clean up with `kubectl delete -f manifests/x.yaml`, or keep it.

## Not a Try it

```text
free text
```
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_blocks_come_back_in_order_with_source_lines(tmp_path: Path) -> None:
    page, problems = read_page(write(tmp_path, PAGE), "page.md")
    assert problems == []
    kinds = [b.kind for b in page.blocks]
    assert kinds == [Kind.RUN, Kind.OUTPUT, Kind.MANUAL, Kind.CLEANUP]
    run, out, manual, cleanup = page.blocks
    assert (run.line, run.directive.timeout, run.section) == (13, 60, "Try it: do a thing")
    assert run.commands == ["kubectl apply -f manifests/x.yaml", "kubectl get pods -o wide"]
    assert out.line_of(1) == 23  # the web-0 line
    assert manual.text == "istioctl dashboard kiali\n"  # indentation removed
    assert manual.directive.reason == "opens a browser on the dashboard"
    assert cleanup.text == "kubectl delete -f manifests/x.yaml\n"
    assert [b.line for b in page.runnable] == [13, 34]  # the paragraph's line


def test_an_unmarked_fence_in_a_try_it_is_reported(tmp_path: Path) -> None:
    text = PAGE.replace("{# tryit: output vary=age #}\n", "")
    _, problems = read_page(write(tmp_path, text), "page.md")
    assert [str(p) for p in problems] == [
        "page.md:20: a ```text fence in 'Try it: do a thing' has no tryit directive"]


def test_a_malformed_directive_is_reported_at_its_line(tmp_path: Path) -> None:
    text = PAGE.replace("output vary=age", "output vary=ages")
    _, problems = read_page(write(tmp_path, text), "page.md")
    assert len(problems) == 1 and problems[0].line == 20
    assert "unknown" in problems[0].message


def test_an_output_that_pins_nothing_is_refused(tmp_path: Path) -> None:
    text = PAGE.replace("{# tryit: output vary=age #}\n```text\nNAME    READY   STATUS    "
                        "RESTARTS   AGE\nweb-0   1/1     Running   0          12s\n```",
                        "{# tryit: output vary=age #}\n```text\n12s\n```")
    _, problems = read_page(write(tmp_path, text), "page.md")
    assert len(problems) == 1 and "accept anything" in problems[0].message


def test_a_directive_without_its_fence_is_reported(tmp_path: Path) -> None:
    text = PAGE.replace("{# tryit: run timeout=60 #}\n```bash", "{# tryit: run timeout=60 #}\n"
                        "Run this:\n\n```bash")
    _, problems = read_page(write(tmp_path, text), "page.md")
    messages = [p.message for p in problems]
    assert "run: no fence follows" in messages
    assert any("has no tryit directive" in m for m in messages)


def test_an_output_before_any_command_is_reported(tmp_path: Path) -> None:
    text = "## Try it: show\n\n{# tryit: output #}\n```text\nhello\n```\n"
    _, problems = read_page(write(tmp_path, text), "page.md")
    assert [p.message for p in problems] == ["output: no run block before it to compare with"]


def test_a_run_directive_on_an_output_fence_is_refused(tmp_path: Path) -> None:
    text = "## Try it: show\n\n{# tryit: run #}\n```text\nhello\n```\n"
    _, problems = read_page(write(tmp_path, text), "page.md")
    assert [p.message for p in problems] == ["run: the fence is ```text, not a shell block"]


def test_macros_may_change_a_block_but_lines_stay_the_page_s(tmp_path: Path) -> None:
    # A renderer that expands one line into three (as a Jinja loop does): the block's lines
    # can no longer be mapped one to one, so mismatches point at the block's first line.
    def render(path: Path, text: str) -> str:
        three = "\n".join(f"web-{n} 1/1 Running 0 1s" for n in range(3))
        return text.replace("web-0   1/1     Running   0          12s", three)
    page, problems = read_page(write(tmp_path, PAGE), "page.md", render)
    assert problems == []
    out = page.blocks[1]
    assert out.text.count("\n") == 4 and out.line_of(3) == out.line == 22


def test_a_directive_the_macros_repeat_is_refused(tmp_path: Path) -> None:
    def render(path: Path, text: str) -> str:
        return text.replace("<!--tryit 0-->", "<!--tryit 0-->\n```bash\necho\n```\n\n"
                            "<!--tryit 0-->")
    _, problems = read_page(write(tmp_path, PAGE), "page.md", render)
    assert any("Jinja loop" in p.message for p in problems)
