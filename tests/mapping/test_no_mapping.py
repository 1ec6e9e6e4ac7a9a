"""A file with records whose columns are no booking field: reported as such, never imported
with a reference hashed from its cells (issue 9)."""

from __future__ import annotations

import pytest

from booking_desktop.pipeline import NoMappingError, run_to_end

PRICE_LIST = "colour,size,weight\nred,L,heavy\nblue,M,light\ngreen,S,heavy\n"


def test_records_without_a_mappable_column_raise_no_mapping_naming_the_headers(tmp_path):
    f = tmp_path / "prices.csv"
    f.write_text(PRICE_LIST, encoding="utf-8")
    with pytest.raises(NoMappingError) as info:
        run_to_end(f, profiles_dir=tmp_path)
    exc = info.value
    assert exc.problem.code == "no-mapping"
    assert "prices.csv" in str(exc) and "colour, size, weight" in str(exc) and "could be mapped" in str(exc)
    assert len(exc.raw) == 3 and exc.raw.columns == ["colour", "size", "weight"]  # what was found


def test_one_real_field_still_gets_the_hashed_reference_for_the_operator_to_confirm(tmp_path):
    f = tmp_path / "stays.csv"
    f.write_text("Hotel,colour\nSeaside Inn,red\nCity Lodge,blue\nSeaside Inn,green\n", encoding="utf-8")
    result = run_to_end(f, profiles_dir=tmp_path)
    assert result.suggestion is not None
    assert result.suggestion.fields["property_name"].spec == {"column": "Hotel"}
    ref = result.suggestion.fields["booking_ref"]
    assert ref.spec["hash"] == ["Hotel", "colour"] and ref.ambiguous
    refs = result.text["booking_ref"].tolist()
    assert len(set(refs)) == 3 and all(isinstance(r, str) and len(r) == 16 for r in refs)
