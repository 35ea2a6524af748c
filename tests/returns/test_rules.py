"""The rule table is one source of truth: codes are stable, documented and used."""

from __future__ import annotations

import re
from pathlib import Path

import lscb_analysis.returns.rules as rules_module
from lscb_analysis.findings import Finding
from lscb_analysis.returns.rules import RULES

SRC = Path(rules_module.__file__).resolve().parent


def test_codes_are_stable_and_documented() -> None:
    doc = rules_module.__doc__ or ""
    documented = re.findall(r"``(R\d{3}-[a-z0-9-]+)``\s+(error|warning)", doc)
    assert documented == [(r.code, r.severity) for r in RULES.values()]
    for code, rule in RULES.items():
        assert re.fullmatch(r"R\d{3}-[a-z0-9]+(-[a-z0-9]+)*", code) and rule.code == code


def test_every_rule_is_raised_somewhere() -> None:
    code = "".join(p.read_text() for p in SRC.glob("*.py") if p.name != "rules.py")
    code += (SRC.parent / "ingest.py").read_text()
    assert [c for c in RULES if f'"{c}"' not in code] == []


def test_finding_names_its_place() -> None:
    f = Finding(
        "R020-not-a-number",
        "error",
        "x",
        file="returns/demo/2026-27-Q2/police.xlsx",
        sheet="Return",
        row=14,
        column="numerator",
    )
    assert f.where == "police.xlsx, sheet Return, row 14, column numerator"
