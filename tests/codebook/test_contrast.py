"""The contrast computation against WCAG's published values."""

import pytest

from annotations.contrast import (
    AA_NORMAL,
    contrast_ratio,
    highlight_contrast,
    over,
    readable,
    relative_luminance,
)


def test_black_on_white_is_21_and_same_colour_is_1():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("foreground", "background", "ratio"),
    [
        # Values the WebAIM contrast checker and WCAG's understanding documents give.
        ("#767676", "#ffffff", 4.54),  # the lightest grey passing AA on white
        ("#777777", "#ffffff", 4.48),  # one step lighter fails
        ("#0000ff", "#ffffff", 8.59),
        ("#ff0000", "#ffffff", 4.00),
        ("#ffffff", "#808080", 3.95),
    ],
)
def test_known_ratios(foreground, background, ratio):
    assert contrast_ratio(foreground, background) == pytest.approx(ratio, abs=0.01)


def test_relative_luminance_endpoints():
    assert relative_luminance((0, 0, 0)) == 0
    assert relative_luminance((255, 255, 255)) == pytest.approx(1.0)


def test_alpha_composes_over_the_page():
    assert over("#00000000") == (0xFD, 0xFD, 0xFB)
    assert over("#000000ff") == (0, 0, 0)
    assert over("#00000080", "#ffffff") == (127, 127, 127)


def test_starting_tag_colours_are_readable_and_dark_ones_are_not():
    for colour in ("#8ecae6", "#ffb703", "#b5e48c", "#ffd54f"):
        assert readable(colour), colour
    for colour in ("#1f5fbf", "#b3261e", "#000000", "#ff0000"):
        assert not readable(colour), colour
    assert highlight_contrast("#ffffff") >= AA_NORMAL


def test_bad_colour_is_a_value_error():
    with pytest.raises(ValueError):
        highlight_contrast("red")
