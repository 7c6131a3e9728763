import pytest
from django.core.exceptions import ValidationError

from community.text import validate_multiline, validate_single_line


@pytest.mark.parametrize("value", ["Soirée\r\nBlog", "a\x00b", "tab\there", "bell\x07", "del\x7f"])
def test_single_line_refuses_control_characters(value):
    with pytest.raises(ValidationError) as error:
        validate_single_line(value)
    assert error.value.code == "control_characters"


def test_single_line_accepts_ordinary_text():
    validate_single_line("Blog en Nord — « rentrée » ! 2027")


def test_multiline_keeps_line_breaks_and_tabs_but_refuses_other_controls():
    validate_multiline("Ligne 1\r\nLigne 2\tfin")
    with pytest.raises(ValidationError):
        validate_multiline("Ligne\x00")
