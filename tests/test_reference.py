"""central.reference: 12-digit submission references with a Damm check digit."""

from __future__ import annotations

import re

from central import reference


def test_known_damm_check_digits():
    assert reference.damm_digit("572") == "4"  # the textbook example
    assert reference.check("00000000000" + reference.damm_digit("00000000000")) == "ok"


def test_a_new_reference_is_twelve_digits_shown_in_three_groups_and_checks():
    refs = {reference.new_reference() for _ in range(200)}
    assert len(refs) == 200  # random, not a counter
    for ref in refs:
        assert re.fullmatch(r"\d{12}", ref)
        shown = reference.shown(ref)
        assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", shown)
        assert reference.check(shown) == "ok"


def test_every_single_wrong_digit_and_every_neighbour_swap_is_a_mistype():
    for _ in range(50):
        ref = reference.new_reference()
        for i in range(12):
            for d in "0123456789":
                if d != ref[i]:
                    assert reference.check(ref[:i] + d + ref[i + 1:]) == "mistyped"
        for i in range(11):
            if ref[i] != ref[i + 1]:
                swapped = ref[:i] + ref[i + 1] + ref[i] + ref[i + 2:]
                assert reference.check(swapped) == "mistyped"


def test_what_people_type_is_read_kindly_and_nonsense_is_malformed():
    ref = reference.new_reference()
    spaced = " ".join(reference.shown(ref).split("-"))
    assert reference.check(spaced) == "ok"
    arabic = ref.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert reference.check(arabic) == "ok" and reference.normalise(arabic) == ref
    for bad in ("", "1234", "4821-0937-552", "abcd-efgh-ijkl", ref + "0"):
        assert reference.check(bad) == "malformed"
