"""WCAG 2.x contrast maths for the colours the widget preview checks."""

from __future__ import annotations

import re

AA_NORMAL_TEXT = 4.5
AA_LARGE_TEXT = 3.0

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse_hex(value: str) -> tuple[int, int, int]:
    """``#RRGGBB`` or ``#RGB`` (the ``#`` is optional) as an (r, g, b) tuple of 0–255 integers."""
    match = _HEX.match(value.strip())
    if not match:
        raise ValueError(f"Not a hex colour: {value!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    r, g, b = parse_hex(color)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG contrast ratio, from 1.0 (same colour) to 21.0 (black on white)."""
    first, second = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(first, second), min(first, second)
    return (lighter + 0.05) / (darker + 0.05)


def passes_aa(ratio: float, *, large_text: bool = False) -> bool:
    # WCAG compares the exact ratio: 4.499 fails even though it is shown as 4.50.
    return ratio >= (AA_LARGE_TEXT if large_text else AA_NORMAL_TEXT)


def format_ratio(ratio: float) -> str:
    """Two decimals, rounded down so a failing ratio never reads as the threshold (4.499 → 4.49:1)."""
    return f"{int(ratio * 100) / 100:.2f}:1"
