"""Kubernetes resource quantities ("500m", "128Mi", "1e3") as exact fractions."""

from __future__ import annotations

import re
from fractions import Fraction

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 10**3),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}
# The grammar of k8s.io/apimachinery/pkg/api/resource: a signed decimal number,
# then a binary suffix, a decimal suffix or a decimal exponent.
_QUANTITY = re.compile(
    r"^(?P<sign>[+-]?)(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$"
)
# Far beyond any real quantity (int64 ends near 9.2e18), and cheap to compute with.
_MAX_DIGITS = 400


class QuantityError(ValueError):
    """A value that Kubernetes would not accept as a resource quantity."""


def parse_quantity(value: object) -> Fraction:
    """Return the exact value of a quantity, e.g. "250m" -> 1/4, "1Gi" -> 1073741824."""
    if isinstance(value, bool):
        raise QuantityError(f"{value!r} is not a quantity")
    if isinstance(value, int | float):
        # A YAML number reaches the API server as a JSON number and is parsed as text.
        value = str(value)
    if not isinstance(value, str):
        raise QuantityError(f"{value!r} is not a quantity")
    match = _QUANTITY.match(value.strip())
    if match is None:
        raise QuantityError(f"{value!r} is not a quantity (expected e.g. 500m, 128Mi, 2)")
    if len(match["number"]) > _MAX_DIGITS:
        # Python refuses to turn over 4300 digits into an int; no real amount has 400.
        raise QuantityError(f"{value[:20]!r}... has {len(match['number'])} digits; "
                            f"no real quantity has over {_MAX_DIGITS}")
    number = Fraction(match["number"])
    if match["sign"] == "-":
        number = -number
    suffix = match["suffix"] or ""
    if suffix in _BINARY:
        value = number * _BINARY[suffix]
    elif suffix in _DECIMAL:
        value = number * _DECIMAL[suffix]
    else:
        value = number * Fraction(10) ** _bounded_exponent(int(suffix[1:]), match["number"])
    return _round_up_to_nano(value)


def _bounded_exponent(exponent: int, digits: str) -> int:
    """The exponent, kept where 10**exponent stays cheap: "1e999999999" would take minutes.
    Beyond the bounds every value is absurdly large, or rounds up to 1n all the same."""
    reach = len(digits) + _MAX_DIGITS
    return max(-reach, min(exponent, reach))


def _round_up_to_nano(value: Fraction) -> Fraction:
    """Kubernetes keeps nine decimal places, rounding away from zero (0.5n -> 1n)."""
    nanos = abs(value) * 10**9
    rounded = Fraction(-(-nanos.numerator // nanos.denominator), 10**9)
    return rounded if value >= 0 else -rounded


def format_cpu(cores: Fraction) -> str:
    """Cores as people write them: 0.7 -> "700m", 2 -> "2"."""
    if cores.denominator == 1:
        return str(cores.numerator)
    millicores = cores * 1000
    if millicores.denominator == 1:
        return f"{millicores.numerator}m"
    return f"{float(cores):g}"


def format_bytes(amount: Fraction) -> str:
    """Bytes in the largest binary or decimal unit that divides them exactly."""
    if amount.denominator != 1 or amount == 0:
        return f"{float(amount):g}"
    value = amount.numerator
    for suffix, factor in sorted(_BINARY.items(), key=lambda item: -item[1]):
        if value % factor == 0:
            return f"{value // factor}{suffix}"
    for suffix in ("E", "P", "T", "G", "M", "k"):
        factor = int(_DECIMAL[suffix])
        if value % factor == 0:
            return f"{value // factor}{suffix}"
    return str(value)
