import pytest

from wizard import contrast
from wizard.options import THEME_COLORS


def test_black_on_white_is_21():
    assert contrast.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)


def test_same_colour_is_1_and_order_does_not_matter():
    assert contrast.contrast_ratio("#315FA2", "#315fa2") == pytest.approx(1.0)
    assert contrast.contrast_ratio("#fff", "#777777") == pytest.approx(
        contrast.contrast_ratio("#777777", "#fff")
    )


def test_known_value():
    # #777777 on white is the classic 4.48:1 just-below-AA example.
    assert contrast.contrast_ratio("#FFFFFF", "#777777") == pytest.approx(4.478, abs=0.001)
    assert not contrast.passes_aa(contrast.contrast_ratio("#FFFFFF", "#777777"))
    assert contrast.passes_aa(contrast.contrast_ratio("#FFFFFF", "#777777"), large_text=True)


def test_threshold_is_exact_and_formatting_never_rounds_up():
    assert contrast.passes_aa(4.5)
    assert not contrast.passes_aa(4.4999)
    assert contrast.format_ratio(4.4999) == "4.49:1"
    assert contrast.format_ratio(21) == "21.00:1"


def test_short_hex_and_bad_input():
    assert contrast.parse_hex("#abc") == (0xAA, 0xBB, 0xCC)
    assert contrast.parse_hex("0B5CAB") == (0x0B, 0x5C, 0xAB)
    for bad in ("", "#12", "red", "#GGGGGG", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            contrast.parse_hex(bad)


def test_every_theme_colour_parses():
    for color in THEME_COLORS:
        assert 1 <= contrast.contrast_ratio("#FFFFFF", color.hex) <= 21
