"""What the validator reports: findings and exceptions are plain data; rendering is elsewhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem, pinned to a file position and, when known, a resource and a field."""

    file: str
    line: int
    column: int
    rule: str
    message: str
    severity: Severity = Severity.ERROR
    resource: str = ""  # "Kind/name"
    field: str = ""  # dotted path, list indexes in brackets: spec.containers[0].image

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.rule, self.message)


@dataclass(frozen=True)
class AllowedException:
    """A `# deepdive:allow <rule> <reason>` declaration in force for one file."""

    file: str
    line: int
    rule: str
    reason: str
    suppressed: int = 0  # how many findings it silenced


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    exceptions: list[AllowedException] = field(default_factory=list)
    files: int = 0
    resources: int = 0
    versions: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for finding in self.findings if finding.severity is Severity.WARNING)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


def field_path(path: tuple[str | int, ...]) -> str:
    """("spec", "containers", 0, "image") -> "spec.containers[0].image"."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else str(step)
    return text
