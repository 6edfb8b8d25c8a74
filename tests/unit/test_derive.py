"""Modality and laterality rules, on codes from the real set."""

from loader.derive import is_imaging_opcs, modality_from_letter, sides


def test_modality_letters_and_unknown():
    assert modality_from_letter("XWRIB")[0] == "Plain X-ray"
    assert modality_from_letter("NCGENW")[0] == "Nuclear medicine"
    name, rule = modality_from_letter("OTORS")
    assert name == "Unknown" and "not named" in rule


def test_sibling_family_gives_sides():
    s = sides(["XWRIB", "XWRIL", "XWRIR", "CABDO"])
    assert {c: (x.letter, x.stem(c)) for c, x in s.items()} == {
        "XWRIB": ("B", "XWRI_"),
        "XWRIL": ("L", "XWRI_"),
        "XWRIR": ("R", "XWRI_"),
    }


def test_side_marker_after_four_letter_site_and_qualifier():
    s = sides(["XFANKB", "XFANKL", "XFANKR", "CTHIBC", "CTHILC", "CTHIRC"])
    assert s["XFANKB"].position == 5 and s["CTHIBC"].position == 4
    assert s["CTHILC"].stem("CTHILC") == "CTHI_C"


def test_letters_inside_the_site_code_are_not_sides():
    # XFILL and XFIRL differ at the 4th character, which is part of the site code.
    s = sides(["XFILL", "XFILR", "XFIRL", "XFIRR"])
    assert {c: x.position for c, x in s.items()} == {
        c: 4 for c in ["XFILL", "XFILR", "XFIRL", "XFIRR"]
    }


def test_lone_code_needs_its_description():
    assert "CKIDB" not in sides(["CKIDB"])
    s = sides(["CKIDB"], {"CKIDB": "CT Renal Both"})
    assert s["CKIDB"].letter == "B" and "Both" in s["CKIDB"].rule
    assert "CKIDB" not in sides(["CKIDB"], {"CKIDB": "CT Renal Lt"})  # the letter disagrees


def test_imaging_opcs_categories():
    assert is_imaging_opcs("U051") and is_imaging_opcs("U212") and is_imaging_opcs("U37")
    assert (
        not is_imaging_opcs("U191") and not is_imaging_opcs("Y981") and not is_imaging_opcs("U22")
    )
