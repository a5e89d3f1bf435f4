"""The schema transforms, checked by what the strict schemas accept and reject.

`strict`/`top_level`/`convert_crds` (CRDs) and `simplify`/`bundle_schema` (Kubernetes) turn
upstream schemas into the strict ones the validator compiles. Each case validates real data
against the transformed schema, so a transform that drops or misplaces a keyword fails here
even when the schema's shape still looks plausible. Written to kill the mutants `make
mutation` found surviving."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from deepdive.validate.crds import OBJECT_META, convert_crds, portable_pattern, strict, top_level
from deepdive.validate.kube import BASE64_PATTERN, bundle_schema, simplify


def valid(schema: dict[str, Any], data: Any) -> bool:
    return jsonschema.Draft7Validator(schema).is_valid(data)


# --- strict (CRD openAPIV3Schema -> strict JSON schema) ----------------------------------------

def test_byte_fields_must_be_padded_base64() -> None:
    schema = strict({"type": "object", "properties": {"ca": {"type": "string", "format": "byte"}}})
    assert schema["properties"]["ca"] == {"type": "string", "pattern": BASE64_PATTERN}
    assert valid(schema, {"ca": "aGVsbG8="}) and not valid(schema, {"ca": "aGVsbG8"})


def test_a_byte_field_with_its_own_pattern_keeps_it() -> None:
    schema = strict({"type": "string", "format": "byte", "pattern": "^a+$"})
    assert schema == {"type": "string", "pattern": "^a+$"}
    assert strict({"type": "string", "format": "date-time"}) == {"type": "string"}


def test_documentation_and_extensions_are_dropped_and_the_rest_kept() -> None:
    schema = strict({
        "type": "object", "description": "d", "title": "t", "example": 1, "default": {},
        "externalDocs": {}, "x-kubernetes-list-type": "map", "required": ["a"],
        "properties": {"a": {"type": "string", "enum": ["x", "y"], "maxLength": 3}},
        "minProperties": 1,
    })
    assert schema == {
        "type": "object", "required": ["a"], "minProperties": 1,
        "properties": {"a": {"type": "string", "enum": ["x", "y"], "maxLength": 3}},
        "additionalProperties": False,
    }


@pytest.mark.parametrize("keyword", ["items", "not", "additionalProperties"])
def test_nested_schemas_under_items_not_and_maps_are_made_strict(keyword: str) -> None:
    inner = {"type": "object", "properties": {"a": {"type": "string"}}}
    schema = strict({"type": "object" if keyword != "items" else "array", keyword: inner})
    assert schema[keyword] == {**inner, "additionalProperties": False}


@pytest.mark.parametrize("keyword", ["allOf", "anyOf", "oneOf"])
def test_each_branch_of_a_combinator_is_made_strict(keyword: str) -> None:
    branch = {"type": "object", "properties": {"a": {"type": "integer"}}}
    schema = strict({keyword: [branch, {"type": "string", "description": "d"}]})
    assert schema[keyword] == [{**branch, "additionalProperties": False}, {"type": "string"}]


def test_list_items_reject_unknown_fields() -> None:
    schema = strict({"type": "object", "properties": {"http": {"type": "array", "items": {
        "type": "object", "properties": {"name": {"type": "string"}}}}}})
    assert valid(schema, {"http": [{"name": "a"}]})
    assert not valid(schema, {"http": [{"name": "a", "color": "red"}]})


def test_int_or_string_keeps_other_combinators() -> None:
    schema = strict({"x-kubernetes-int-or-string": True,
                     "anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^\\d+%$"}]})
    assert schema["type"] == ["integer", "string"]
    assert "anyOf" in schema  # a branch with more than a type stays
    assert valid(schema, 5) and valid(schema, "5%") and not valid(schema, "five")


def test_nullable_without_a_type_is_left_alone() -> None:
    assert strict({"nullable": True}) == {}
    assert strict({"type": "integer", "nullable": True}) == {"type": ["integer", "null"]}


def test_preserve_unknown_fields_only_when_true() -> None:
    closed = strict({"type": "object", "x-kubernetes-preserve-unknown-fields": False})
    assert closed["additionalProperties"] is False
    given = strict({"type": "object", "additionalProperties": {"type": "string"}})
    assert given["additionalProperties"] == {"type": "string"}  # a map stays a map
    assert valid(given, {"any": "x"}) and not valid(given, {"any": 1})


def test_patterns_are_made_portable_and_uncompilable_ones_dropped() -> None:
    schema = strict({"type": "string", "pattern": "^[a-z$]+$"})
    assert schema == {"type": "string", "pattern": r"^[a-z\$]+$"}
    assert strict({"type": "string", "pattern": "(unclosed"}) == {"type": "string"}


@pytest.mark.parametrize(("pattern", "portable"), [
    (r"^[a-z$]+$", r"^[a-z\$]+$"),
    (r"^a\$b$", r"^a\$b$"),  # an escaped dollar outside a class stays as it is
    (r"^[\]$]$", r"^[\]\$]$"),  # an escaped ] does not end the class
    (r"^[]$]$", r"^[]\$]$"),  # a ] right after [ is a member, not the end
    (r"^[^]$]$", r"^[^]\$]$"),  # and so right after [^
    (r"^[a]$[$]$", r"^[a]$[\$]$"),  # a dollar between two classes is an anchor
    (r"\\$", r"\\$"),  # an escaped backslash, then an anchor
])
def test_dollars_inside_classes_are_escaped(pattern: str, portable: str) -> None:
    assert portable_pattern(pattern) == portable


# --- top_level and convert_crds --------------------------------------------------------------

def test_top_level_pins_api_version_kind_metadata_and_required() -> None:
    schema = top_level({"type": "object", "required": ["spec", "other"], "properties": {
        "spec": {"type": "object"}, "other": {"type": "string"}}}, "example.com/v1", "Widget")
    assert schema["type"] == "object"
    assert schema["properties"]["apiVersion"] == {"enum": ["example.com/v1"]}
    assert schema["properties"]["kind"] == {"enum": ["Widget"]}
    assert schema["properties"]["metadata"] == {"$ref": f"#/definitions/{OBJECT_META}"}
    assert schema["required"] == ["apiVersion", "kind", "metadata", "spec"]
    status_required = top_level({"required": ["status"], "properties": {}}, "a/v1", "K")
    assert status_required["required"] == ["apiVersion", "kind", "metadata", "status"]
    assert "spec" not in top_level({}, "a/v1", "K")["properties"]


CRDS = b"""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  versions:
    - name: v1alpha1
      served: true
      storage: false
      deprecated: true
      deprecationWarning: use v1
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, properties: {size: {type: integer}}}
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          required: [spec]
          properties:
            spec: {type: object, properties: {size: {type: integer}}}
    - name: v0
      served: false
      storage: false
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-crd}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets}
  versions:
    - name: v1beta1
      served: true
      storage: true
"""


def test_convert_crds_lists_every_served_version_with_what_to_use() -> None:
    converted = convert_crds(CRDS)
    assert converted["versions"] == [
        {"api_version": "example.com/v1alpha1", "kind": "Widget", "deprecated": True,
         "warning": "use v1", "preferred": "example.com/v1"},
        {"api_version": "example.com/v1", "kind": "Widget", "deprecated": False,
         "warning": "", "preferred": "example.com/v1"},
        {"api_version": "example.com/v1beta1", "kind": "Gadget", "deprecated": False,
         "warning": "", "preferred": "example.com/v1beta1"},  # no GA: the storage version
    ]
    assert set(converted["schemas"]) == {"example.com/v1alpha1|Widget", "example.com/v1|Widget",
                                         "example.com/v1beta1|Gadget"}


def test_converted_schemas_are_strict_and_keep_required() -> None:
    schemas = convert_crds(CRDS)["schemas"]
    widget = schemas["example.com/v1|Widget"]
    meta = {"definitions": {OBJECT_META: {"type": "object"}}}
    good = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {}, "spec": {"size": 1}}
    assert valid({**widget, **meta}, good)
    assert not valid({**widget, **meta}, {**good, "spec": {"size": 1, "colour": "red"}})
    assert not valid({**widget, **meta}, {k: v for k, v in good.items() if k != "spec"})
    assert not valid({**widget, **meta}, {**good, "kind": "Gadget"})
    old = schemas["example.com/v1alpha1|Widget"]
    assert valid({**old, **meta}, {**good, "apiVersion": "example.com/v1alpha1",
                                   "spec": {"size": 1}})
    gadget = schemas["example.com/v1beta1|Gadget"]  # no schema: any object, top level strict
    assert gadget["properties"].keys() == {"apiVersion", "kind", "metadata"}


# --- simplify and bundle_schema (Kubernetes) -----------------------------------------------------

DEFINITIONS = {
    "Port": {"type": "object", "description": "d", "required": ["port"],
             "properties": {"port": {"type": "integer", "format": "int32"},
                            "target": {"$ref": "/api/_definitions.json#/$defs/IntOrString"}},
             "x-kubernetes-map-type": "atomic"},
    "IntOrString": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    "Secret": {"type": "object", "properties": {
        "data": {"type": "object", "additionalProperties": {"type": "string", "format": "byte"}},
        "hash": {"type": "string", "format": "byte", "pattern": "^[a-f0-9]+$"}}},
    "Unused": {"type": "string"},
}


def test_bundle_keeps_what_constrains_and_drops_what_documents() -> None:
    schema = bundle_schema({"$ref": "/api/_definitions.json#/$defs/Port", "readOnly": True,
                            "$id": "x"}, DEFINITIONS)
    assert schema["$ref"] == "#/definitions/Port"
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert set(schema["definitions"]) == {"Port", "IntOrString"}  # only what it reaches
    assert schema["definitions"]["Port"] == {
        "type": "object", "required": ["port"],
        "properties": {"port": {"type": "integer"},
                       "target": {"$ref": "#/definitions/IntOrString"}},
    }
    assert schema["definitions"]["IntOrString"] == {"type": ["string", "integer"]}
    assert valid(schema, {"port": 80, "target": "http"})
    assert not valid(schema, {"target": 8080})  # required kept
    assert not valid(schema, {"port": 80, "target": 1.5})


def test_byte_fields_become_the_base64_pattern_unless_patterned() -> None:
    schema = bundle_schema({"$ref": "/api/_definitions.json#/$defs/Secret"}, DEFINITIONS)
    secret = schema["definitions"]["Secret"]["properties"]
    assert secret["data"]["additionalProperties"] == {"type": "string", "pattern": BASE64_PATTERN}
    assert secret["hash"] == {"type": "string", "pattern": "^[a-f0-9]+$"}
    assert valid(schema, {"data": {"a": "aGk="}}) and not valid(schema, {"data": {"a": "aGk"}})


def test_simplify_merges_only_plain_type_branches() -> None:
    refs: set[str] = set()
    assert simplify({"oneOf": [{"type": ["string", "null"]}, {"type": "string"},
                               {"type": "integer"}]}, refs) == {"type": ["string", "null",
                                                                         "integer"]}
    mixed = {"oneOf": [{"type": "string"}, {"type": "integer", "minimum": 0}]}
    assert simplify(mixed, refs) == mixed
    assert simplify({"oneOf": []}, refs) == {"oneOf": []}
    assert simplify([{"$ref": "/api/_definitions.json#/$defs/Port"}, 3], refs) == [
        {"$ref": "#/definitions/Port"}, 3]
    assert refs == {"Port"}
    assert simplify({"patternProperties": {"^a": {"description": "x", "type": "string"}}},
                    refs) == {"patternProperties": {"^a": {"type": "string"}}}


@pytest.mark.parametrize(("text", "ok"), [
    ("", True), ("aGk=", True), ("aGVsbG8=", True), ("aGVsbA==", True), ("aGVs\nbA==\n", True),
    ("aGk", False), ("aGVsbA=", False), ("a===", False), ("aGk=aGk=", False), ("!!!!", False),
])
def test_the_base64_pattern_is_go_standard_encoding(text: str, ok: bool) -> None:
    assert valid({"type": "string", "pattern": BASE64_PATTERN}, text) is ok


# --- cases found by the mutation run: key order, keyword-named fields, version choice --------

def test_the_byte_pattern_rule_does_not_depend_on_key_order() -> None:
    for transform in (strict, lambda s: simplify(s, set())):
        assert transform({"pattern": "^a+$", "format": "byte"}) == {"pattern": "^a+$"}
        # keys after `format` are still read
        assert transform({"format": "byte", "maxLength": 8, "type": "string"}) == {
            "pattern": BASE64_PATTERN, "maxLength": 8, "type": "string"}


@pytest.mark.parametrize("keyword", ["properties", "patternProperties", "definitions"])
def test_fields_named_like_keywords_are_fields(keyword: str) -> None:
    """A property called `description`, `format` or `x-kubernetes-...` is a field to keep,
    not documentation to drop (Kubernetes' own schemas have such properties)."""
    fields = {"description": {"type": "string"}, "format": {"type": "integer"},
              "x-kubernetes-thing": {"type": "boolean"}}
    refs: set[str] = set()
    assert simplify({keyword: fields}, refs) == {keyword: fields}
    if keyword == "properties":
        out = strict({"type": "object", keyword: fields})
        assert out[keyword] == fields


def test_int_or_string_drops_a_oneof_of_plain_types() -> None:
    schema = strict({"x-kubernetes-int-or-string": True,
                     "oneOf": [{"type": "integer"}, {"type": "string"}]})
    assert schema == {"type": ["integer", "string"]}


def test_a_class_closing_after_an_ordinary_character() -> None:
    assert portable_pattern("^[X]$") == "^[X]$"  # the $ after the class is an anchor
    assert portable_pattern("^[^]$]$") == r"^[^]\$]$"


PREFERRED = b"""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: a.example.com}
spec:
  group: example.com
  names: {kind: A}
  versions:
    - {name: v1beta1, served: true, storage: true}
    - {name: v1, served: true, storage: false}
    - {name: v2alpha1, served: true, storage: false}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: b.example.com}
spec:
  group: example.com
  names: {kind: B}
  versions:
    - {name: v1alpha1, served: true}
    - {name: v1beta2, served: true}
    - {name: v1, served: false}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: c.example.com}
spec:
  group: example.com
  names: {kind: C}
  versions:
    - {name: v1alpha1, served: true, storage: false}
    - {name: v1beta1, served: true, storage: true}
"""


def test_the_preferred_version_is_the_newest_ga_else_the_storage_else_the_first() -> None:
    versions = {(v["kind"], v["api_version"]): v["preferred"]
                for v in convert_crds(PREFERRED)["versions"]}
    assert versions == {
        ("A", "example.com/v1beta1"): "example.com/v1",  # a GA version beats storage
        ("A", "example.com/v1"): "example.com/v1",
        ("A", "example.com/v2alpha1"): "example.com/v1",
        ("B", "example.com/v1alpha1"): "example.com/v1alpha1",  # no storage flag: the first
        ("B", "example.com/v1beta2"): "example.com/v1alpha1",
        ("C", "example.com/v1alpha1"): "example.com/v1beta1",  # no GA: the storage version
        ("C", "example.com/v1beta1"): "example.com/v1beta1",
    }


def test_the_schema_dir_and_offline_switch_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pathlib import Path

    from deepdive.validate.crds import SourceLocator

    for value, offline in (("", False), ("0", False), ("1", True), ("yes", True)):
        monkeypatch.setenv("DEEPDIVE_OFFLINE", value)
        assert SourceLocator.from_environment().offline is offline, value
    monkeypatch.delenv("DEEPDIVE_OFFLINE")
    assert SourceLocator.from_environment().offline is False
    monkeypatch.setenv("DEEPDIVE_SCHEMA_DIR", "/some/where")
    assert SourceLocator.from_environment().schema_dir == Path("/some/where")
    monkeypatch.setenv("DEEPDIVE_SCHEMA_DIR", "")
    assert SourceLocator.from_environment().schema_dir is None


def test_a_crd_that_serves_no_version_defines_nothing() -> None:
    """A CRD whose versions are all unserved (being retired) adds no schema, and no crash."""
    retired = CRDS + b"""---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: olds.example.com}
spec:
  group: example.com
  names: {kind: Old, plural: olds}
  scope: Namespaced
  versions:
    - name: v1
      served: false
      storage: true
      schema: {openAPIV3Schema: {type: object}}
"""
    converted = convert_crds(retired)
    assert not any(v["kind"] == "Old" for v in converted["versions"])
