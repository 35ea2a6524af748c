"""The one GSS symbol table against DfE's rules (``reference/stats/dfe_gss_symbols.csv``)."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest

from lscb_analysis.symbols import CURRENT_SYMBOLS, GSS_SYMBOLS, SUPPRESSED, parse_cell

REFERENCE = Path(__file__).resolve().parent / "benchmark" / "data" / "dfe_gss_symbols.csv"


def reference() -> list[dict[str, str]]:
    with open(REFERENCE, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def core(meaning: str) -> str:
    """The reference's meaning without its trailing explanation in brackets ("(legacy)" is kept)."""
    return re.sub(r" \((?!legacy\)).*\)$", "", meaning)


@pytest.mark.parametrize("row", [r for r in reference() if r["symbol"] != "0"], ids=lambda r: r["symbol"])
def test_every_reference_symbol_is_in_the_table_with_its_meaning(row: dict[str, str]) -> None:
    sym = GSS_SYMBOLS[row["symbol"].lower()]
    assert sym.meaning == core(row["meaning"])
    assert sym.legacy == row["status"].startswith("obsolete")
    value, status = parse_cell(f" {row['symbol'].upper()} ")
    assert math.isnan(value) and status == row["symbol"].lower()


def test_a_true_zero_is_a_number_not_a_symbol() -> None:
    (zero,) = [r for r in reference() if r["symbol"] == "0"]
    assert "true zero" in zero["meaning"]
    assert parse_cell("0") == (0.0, None) and "0" not in GSS_SYMBOLS


def test_legacy_symbols_name_a_current_one_with_the_same_meaning() -> None:
    legacy = {s: sym for s, sym in GSS_SYMBOLS.items() if sym.legacy}
    assert set(legacy) == {":", "~", ".."}
    for sym in legacy.values():
        current = GSS_SYMBOLS[sym.replaced_by]  # type: ignore[index]
        assert not current.legacy
        assert sym.meaning.removesuffix(" (legacy)") in current.meaning
        assert sym.suppressed == current.suppressed
    current = {r["symbol"] for r in reference() if not r["status"].startswith("obsolete") and r["symbol"] != "0"}
    assert set(CURRENT_SYMBOLS) == current


def test_only_withheld_values_count_as_suppressed() -> None:
    assert SUPPRESSED == {"c", "low", "k", "u", "~"}
    assert "suppressed" in GSS_SYMBOLS["c"].meaning
    assert not {"x", "z", ":", ".."} & SUPPRESSED


def test_symbols_outside_the_table_are_not_read() -> None:
    for text in (".", "-", "*", "n/a"):
        assert text not in GSS_SYMBOLS
        with pytest.raises(ValueError):
            parse_cell(text)
    assert math.isnan(parse_cell("..")[0]) and parse_cell("..")[1] == ".."
