"""Resource quantities parse to the exact value Kubernetes stores.

Expected values follow the grammar of k8s.io/apimachinery/pkg/api/resource
(quantity.go, suffix.go): binary suffixes are powers of 1024, decimal suffixes
powers of 1000 (n, u, m, "", k, M, G, T, P, E), and "e<n>" / "E<n>" is a
decimal exponent. Every expected value is written out from that definition.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepdive.quantity import QuantityError, format_bytes, format_cpu, parse_quantity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # binary SI
        ("1Ki", 1024),
        ("1Mi", 1024**2),
        ("1Gi", 1024**3),
        ("1Ti", 1024**4),
        ("1Pi", 1024**5),
        ("1Ei", 1024**6),
        ("128Mi", 128 * 1024 * 1024),
        ("1.5Gi", 3 * 1024**3 // 2),
        # decimal SI
        ("1n", Fraction(1, 10**9)),
        ("1u", Fraction(1, 10**6)),
        ("1m", Fraction(1, 1000)),
        ("250m", Fraction(1, 4)),
        ("2", 2),
        ("1k", 1000),
        ("1M", 10**6),
        ("1G", 10**9),
        ("1T", 10**12),
        ("1P", 10**15),
        ("1E", 10**18),  # a bare E is exa, not an exponent
        ("129M", 129 * 10**6),  # the docs' memory example, 129e6 bytes
        # decimal exponent
        ("1e3", 1000),
        ("1E3", 1000),
        ("1e+3", 1000),
        ("5e-3", Fraction(5, 1000)),
        ("129e6", 129 * 10**6),
        ("1.5e3", 1500),
        # number forms: <digits>.<digits>, <digits>., .<digits>, signs
        ("0.5", Fraction(1, 2)),
        (".5", Fraction(1, 2)),
        ("5.", 5),
        ("1.G", 10**9),
        ("+1", 1),
        ("-1", -1),
        ("0", 0),
        ("000100m", Fraction(1, 10)),
    ],
)
def test_parses_every_suffix_and_number_form(text: str, expected: int | Fraction) -> None:
    assert parse_quantity(text) == expected


def test_docs_cpu_units_agree() -> None:
    """The docs: 0.1 CPU is the same as 100m, and 1 CPU is 1000m."""
    assert parse_quantity("0.1") == parse_quantity("100m")
    assert parse_quantity("1") == parse_quantity("1000m")


def test_docs_memory_units_differ() -> None:
    """The docs: 1Mi is 1,048,576 bytes while 1M is 1,000,000; 400m of memory is 0.4 bytes."""
    assert parse_quantity("1Mi") == 1_048_576
    assert parse_quantity("1M") == 1_000_000
    assert parse_quantity("400m") == Fraction(2, 5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2, 2), (0.5, Fraction(1, 2)), (0.1, Fraction(1, 10)), (1.5, Fraction(3, 2))],
)
def test_yaml_numbers_are_quantities(value: int | float, expected: Fraction) -> None:
    """`cpu: 0.5` in YAML reaches us as a float; it means exactly one half."""
    assert parse_quantity(value) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",  # (upstream oddly reads a suffix alone, e.g. "Mi", as 0; we do not test that)
        "1K",  # kilo is lower-case k; only the binary Ki has a capital K
        "1ki",
        "1KB",
        "1mi",
        "1MB",
        "1Gb",
        "1e",  # exponent without digits
        "1e1.5",
        "1.5.5",
        "1 Gi",
        "one",
        "1Gi1",
        "0x10",
        "--1",
        "1%",
    ],
)
def test_rejects_strings_kubernetes_rejects(text: str) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(text)


@pytest.mark.parametrize("value", [None, True, False, [1], {"cpu": 1}])
def test_rejects_non_quantities(value: object) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(value)


def test_below_a_nano_rounds_up_to_one_nano() -> None:
    """Kubernetes keeps at most nine decimal places and rounds away from zero."""
    assert parse_quantity("1e-10") == Fraction(1, 10**9)
    assert parse_quantity("0.5n") == Fraction(1, 10**9)
    assert parse_quantity("1.0000000001") == 1 + Fraction(1, 10**9)
    assert parse_quantity("0") == 0


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["Ki", "Mi", "Gi", "Ti"]))
def test_binary_suffix_is_a_power_of_1024(number: int, suffix: str) -> None:
    power = ["Ki", "Mi", "Gi", "Ti"].index(suffix) + 1
    assert parse_quantity(f"{number}{suffix}") == number * 1024**power


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=-9, max_value=18))
def test_exponent_equals_the_decimal_suffix(number: int, exponent: int) -> None:
    suffixes = {-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P",
                18: "E"}
    value = parse_quantity(f"{number}e{exponent}")
    assert value == number * Fraction(10) ** exponent
    if exponent in suffixes:
        assert parse_quantity(f"{number}{suffixes[exponent]}") == value


@pytest.mark.parametrize(
    ("cores", "text"),
    [(Fraction(7, 10), "700m"), (Fraction(2), "2"), (Fraction(1, 4), "250m"),
     (Fraction(3, 2), "1500m")],
)
def test_format_cpu(cores: Fraction, text: str) -> None:
    assert format_cpu(cores) == text
    assert parse_quantity(text) == cores


@pytest.mark.parametrize(
    ("amount", "text"),
    [(Fraction(200 * 2**20), "200Mi"), (Fraction(2**30), "1Gi"), (Fraction(129 * 10**6), "129M"),
     (Fraction(1000), "1k"), (Fraction(1536 * 2**20), "1536Mi"), (Fraction(7), "7")],
)
def test_format_bytes(amount: Fraction, text: str) -> None:
    assert format_bytes(amount) == text
    assert parse_quantity(text) == amount


@given(st.integers(min_value=1, max_value=2**50))
def test_format_bytes_round_trips(amount: int) -> None:
    assert parse_quantity(format_bytes(Fraction(amount))) == amount


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_rejects_non_finite_numbers(value: float) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(value)


def test_a_huge_exponent_is_bounded_and_keeps_its_order() -> None:
    """10**999999999 as a Fraction takes minutes: a manifest must not stall the validator. So
    the exponent is capped at the number's digits plus 400 (far beyond any real amount),
    which is checked on the values themselves rather than on a clock."""
    huge = parse_quantity("1e999999999")
    assert huge == 10**401  # one digit + 400: never 10**999999999
    assert parse_quantity("12e999999999") == 12 * 10**402
    assert parse_quantity("1e400") == 10**400  # within the bound: exact
    assert parse_quantity("1e401") == 10**401
    assert huge > parse_quantity("1e400") > parse_quantity("8Ei")
    assert parse_quantity("5e-999999999") == Fraction(1, 10**9)  # rounds up to one nano
    assert parse_quantity("5e-402") == Fraction(1, 10**9)
    assert parse_quantity("-1e999999999") == -(10**401)


def test_thousands_of_digits_are_an_error_not_a_crash() -> None:
    """int() refuses over 4300 digits with a ValueError the rules would not catch."""
    with pytest.raises(QuantityError, match="5000 digits"):
        parse_quantity("1" * 5000)
    assert parse_quantity("1" * 400) == int("1" * 400)


@pytest.mark.parametrize(("cores", "text"), [
    (Fraction(1, 2000), "0.0005"),  # below a millicore: no suffix can write it exactly
    (Fraction(1, 3), "0.333333"),
])
def test_format_cpu_without_an_exact_suffix(cores: Fraction, text: str) -> None:
    assert format_cpu(cores) == text


@pytest.mark.parametrize(("amount", "text"), [
    (Fraction(0), "0"),  # not "0Ei": zero divides by every unit
    (Fraction(1, 2), "0.5"),  # a fraction of a byte is written as a number
    (Fraction(3, 2), "1.5"),
    (Fraction(1), "1"),
    (Fraction(1536), "1536"),  # 1.5Ki: no unit divides it exactly but the byte
])
def test_format_bytes_of_amounts_no_unit_writes(amount: Fraction, text: str) -> None:
    assert format_bytes(amount) == text


@pytest.mark.parametrize(("value", "message"), [
    (True, "True is not a quantity"),
    ([1], "[1] is not a quantity"),
    ("12 cores", "'12 cores' is not a quantity (expected e.g. 500m, 128Mi, 2)"),
    ("9" * 401, f"'{'9' * 20}'... has 401 digits; no real quantity has over 400"),
])
def test_errors_say_what_was_written(value: object, message: str) -> None:
    with pytest.raises(QuantityError) as raised:
        parse_quantity(value)
    assert str(raised.value) == message
