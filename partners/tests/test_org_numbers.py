"""What an organisation number of a legal person is (Skatteverket, SKV 709): ten digits, the
third at least 2 (a 0 or 1 there makes it a person's identity number), the last a Luhn check
digit; never all zeros."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from django.core.exceptions import ValidationError

from partners.validators import luhn_check_digit, validate_org_number


@st.composite
def legal_person_numbers(draw, thirds: tuple[int, int] = (2, 9)) -> str:
    nine = f"{draw(st.integers(0, 99)):02d}{draw(st.integers(*thirds))}{draw(st.integers(0, 999_999)):06d}"
    number = f"{nine}{luhn_check_digit(nine)}"
    return draw(st.sampled_from([number, f"{number[:6]}-{number[6:]}"]))


def refusal_code(value: str) -> str | None:
    try:
        validate_org_number(value)
    except ValidationError as error:
        return error.code
    return None


@settings(max_examples=200, database=None)
@given(legal_person_numbers())
def test_every_legal_persons_number_with_its_check_digit_is_accepted(number):
    assert refusal_code(number) is None


@settings(max_examples=200, database=None)
@given(legal_person_numbers(thirds=(0, 1)))
def test_a_third_digit_of_0_or_1_is_refused_as_a_persons_identity_number(number):
    assume(set(number) - {"0", "-"})
    assert refusal_code(number) == "not_legal_person"


@settings(max_examples=200, database=None)
@given(legal_person_numbers(), st.integers(1, 9))
def test_a_wrong_check_digit_is_refused(number, shift):
    wrong = f"{number[:-1]}{(int(number[-1]) + shift) % 10}"
    assert refusal_code(wrong) == "check_digit"


@pytest.mark.parametrize("number", ["000000-0000", "0000000000", "000000 0000"])
def test_all_zeros_is_refused(number):
    # Its check digit holds (the Luhn sum of nine zeros is 0), so it needs its own rule.
    assert refusal_code(number) == "all_zeros"


def test_the_refusals_say_what_is_wrong():
    with pytest.raises(ValidationError) as refused:
        validate_org_number("551201-1234")
    assert refused.value.messages == [
        "Organisationsnumret 551201-1234 är ett personnummer, inte en juridisk persons nummer: "
        "den tredje siffran i ett organisationsnummer är 2 eller högre (t.ex. 802002-3456)."
    ]
    with pytest.raises(ValidationError) as refused:
        validate_org_number("000000-0000")
    assert refused.value.messages == [
        "Organisationsnumret kan inte bestå av bara nollor. Skriv organisationens eget nummer."
    ]
