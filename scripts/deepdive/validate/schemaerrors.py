"""jsonschema errors -> short messages on the field they concern (not the schema's jargon)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from deepdive.manifests import FieldPath
from deepdive.validate.kube import BASE64_PATTERN

if TYPE_CHECKING:
    from jsonschema import ValidationError

UNKNOWN_FIELD = "schema-unknown-field"
VIOLATION = "schema-violation"
_JSON_TYPES = {
    dict: "object", list: "array", str: "string", bool: "boolean", int: "integer",
    float: "number", type(None): "null",
}


@dataclass(frozen=True)
class SchemaProblem:
    path: FieldPath
    rule: str
    message: str


def problems(error: ValidationError) -> Iterator[SchemaProblem]:
    """One error may stand for several problems (each unknown field is its own)."""
    path: FieldPath = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = list(schema.get("properties", {}))
        for name in instance:
            if name not in known:
                yield SchemaProblem((*path, name), UNKNOWN_FIELD, _unknown(name, known))
        return
    required: Any = error.validator_value  # the stubs allow "unset"; "required" sets it
    if error.validator == "required" and isinstance(instance, dict):
        for name in required:
            if name not in instance:
                yield SchemaProblem(path, VIOLATION, f'missing required field "{name}"')
        return
    yield SchemaProblem(path, VIOLATION, describe(error))


def _unknown(name: str, known: list[str]) -> str:
    if not known:
        return f'unknown field "{name}" (this object takes no fields)'
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return f'unknown field "{name}"{hint}'


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_of(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def describe(error: ValidationError) -> str:
    expected: Any = error.validator_value  # set for every keyword that failed
    validator, instance = error.validator, error.instance
    if validator == "type":
        wanted = " or ".join(t for t in (expected if isinstance(expected, list) else [expected])
                             if t != "null")
        return f"expected {wanted}, got {_type_of(instance)} {_short(instance)}"
    if validator == "enum":
        choices = ", ".join(str(choice) for choice in expected if choice is not None)
        return f"{_short(instance)} is not one of: {choices}"
    if validator == "const":
        return f"must be {expected!r}, got {_short(instance)}"
    if validator in ("oneOf", "anyOf"):
        return _alternatives(error)
    if validator == "not":
        return "this combination of fields is not allowed here"
    if validator == "additionalProperties":
        return "unknown fields"
    if error.validator == "fast":
        return error.message
    bounds = {
        "minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
        "exclusiveMaximum": "less than", "minLength": "at least {} characters long:",
        "maxLength": "at most {} characters long:", "minItems": "at least {} items:",
        "maxItems": "at most {} items:", "minProperties": "at least {} fields:",
        "maxProperties": "at most {} fields:",
    }
    if validator in bounds:
        phrase = bounds[validator]
        if "{}" in phrase:
            return f"must be {phrase.format(expected)} got {_short(instance)}"
        return f"must be {phrase} {expected}, got {_short(instance)}"
    if validator == "pattern" and expected == BASE64_PATTERN:
        return (f"{_short(instance)} is not base64 (format byte: the API server decodes it "
                "as standard, padded base64)")
    if validator == "pattern":
        return f"{_short(instance)} does not match the pattern {expected}"
    if validator == "uniqueItems":
        return "items must be unique"
    if validator is False or error.validator == "false":
        return "field not allowed here"
    return f"fails {validator}: {_short(instance)}"


def _alternatives(error: ValidationError) -> str:
    """Mutually exclusive fields (Istio's oneof), or the best message of the branches."""
    branches = error.validator_value if isinstance(error.validator_value, list) else []
    names = [branch["required"][0] for branch in branches
             if isinstance(branch, dict) and list(branch) == ["required"]
             and len(branch["required"]) == 1]
    if names and isinstance(error.instance, dict):
        present = [name for name in names if name in error.instance]
        if len(present) > 1:
            return f"set only one of {', '.join(present)}"
        if error.validator == "anyOf" and not present:
            return f"set one of {', '.join(names)}"
    if error.context:
        from jsonschema.exceptions import best_match

        inner = best_match(error.context)
        if inner is not None:
            where = ".".join(str(step) for step in inner.relative_path)
            return describe(inner) + (f" (at {where})" if where else "")
    return f"matches none of the allowed forms: {_short(error.instance)}"
