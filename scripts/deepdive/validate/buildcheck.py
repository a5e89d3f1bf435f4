"""The site build's gate: every manifest under manifests/ validates, or the build stops.

Called from the mkdocs-macros module at the start of every build (and every rebuild of
`mkdocs serve`); the Validator and its compiled schemas live for the whole process.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError

from deepdive.validate.engine import Validator
from deepdive.validate.findings import Severity
from deepdive.validate.render import finding_line, summary_line

_validator: Validator | None = None
# The error lines of the latest check (empty when it passed): `mkdocs serve` shows them in
# the browser and the terminal (deepdive.serve_hook).
last_errors: list[str] = []
last_summary: str = ""


def check_manifests(manifests_root: Path) -> None:
    """Raise PluginError (a clean mkdocs error, no traceback) listing every error."""
    global _validator, last_errors, last_summary
    if _validator is None:
        _validator = Validator()
    report = _validator.run([manifests_root])
    errors = [finding_line(f) for f in report.findings if f.severity is Severity.ERROR]
    last_errors, last_summary = errors, summary_line(report)
    if report.errors:
        raise PluginError(
            "deepdive validate: manifests/ has errors; the site is not built\n"
            + "\n".join(errors) + "\n" + summary_line(report)
        )
