"""`# deepdive:allow <rule> <reason>`: parsed strictly, listed in the report."""

from __future__ import annotations

from deepdive.validate.exceptions import parse_exceptions


def test_a_complete_declaration_is_in_force() -> None:
    text = "a: 1\n  #  deepdive:allow probe-port shows a broken probe\n"
    parsed = parse_exceptions("f.yaml", text)
    [declared] = parsed.declared
    assert (declared.line, declared.rule, declared.reason) == (2, "probe-port",
                                                               "shows a broken probe")
    assert parsed.findings == []


def test_malformed_declarations_are_errors() -> None:
    text = ("# deepdive:allow\n# deepdive:allow no-such-rule because\n"
            "# deepdive:allow schema-unknown-field it would not apply anyway\n"
            "# deepdive:allow image-unpinned\n")
    parsed = parse_exceptions("f.yaml", text)
    assert parsed.declared == []
    assert [(f.line, f.rule) for f in parsed.findings] == [
        (n, "exception-malformed") for n in (1, 2, 3, 4)
    ]
    assert "cannot be allowed" in parsed.findings[2].message


def test_text_that_only_mentions_the_syntax_is_ignored() -> None:
    assert parse_exceptions("f.yaml", "data:\n  note: deepdive:allow probe-port x\n").declared == []


def test_what_the_api_server_refuses_cannot_be_allowed() -> None:
    """A workload whose selector misses its own template is refused by the API server, so
    no page may show it, even on purpose; the same for every api-* rule."""
    for rule in ("selector-mismatch", "api-object-name", "api-volume-mount"):
        parsed = parse_exceptions("f.yaml", f"# deepdive:allow {rule} a teaching example\n")
        assert parsed.declared == [], rule
        assert "cannot be allowed" in parsed.findings[0].message
