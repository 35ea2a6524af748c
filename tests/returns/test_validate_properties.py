"""Property-based tests of the validator (hypothesis), on returns built in memory.

* any valid generated return (any provider, any quarter: every due indicator,
  total and breakdown rows, parts adding up, numerators within denominators)
  validates with no finding at all, and its figures are read back exactly;
* any single mutation of a count into a negative, a decimal or text gives
  exactly one finding: the matching rule at the mutated row and column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.periods import Quarter
from lscb_analysis.returns.counts import parse_counts
from lscb_analysis.returns.format import RETURN_COLUMNS
from lscb_analysis.returns.returnfile import ReturnFile
from lscb_analysis.returns.templates import template_rows
from lscb_analysis.returns.validate import validate_returns
from lscb_analysis.symbols import GSS_SYMBOLS
from lscb_analysis.tidy import TOTAL

ROOT = Path(__file__).resolve().parents[2]
CAT = load_catalogue(ROOT / "parameters")
PROVIDERS = list(CAT.providers)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _split(rng: np.random.Generator, total: int, k: int) -> list[int]:
    return [int(x) for x in rng.multinomial(total, np.full(k, 1 / k))] if k else []


def build_return(provider: str, quarter: Quarter, seed: int) -> tuple[ReturnFile, list[dict[str, str]]]:
    """A valid return for ``provider`` and ``quarter`` with random figures (deterministic in ``seed``)."""
    rng = np.random.default_rng(seed)
    rows = template_rows(CAT, provider, quarter)
    by_ind: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_ind.setdefault(r["indicator_id"], []).append(r)
    for ind_id, rs in by_ind.items():
        ind = CAT.indicators[ind_id]
        needs = ind.denominator_source == "return"
        den = int(rng.integers(0, 500))
        num = int(rng.integers(0, den + 1)) if needs else int(rng.integers(0, 3000))
        rs[0]["numerator"], rs[0]["denominator"] = str(num), str(den) if needs else ""
        for b in ind.breakdowns:
            parts = [r for r in rs if r["breakdown"] == b]
            if ind.breakdowns_sum_to_total:
                dens = _split(rng, den, len(parts)) if needs else [0] * len(parts)
                nums = [0] * len(parts)
                left = num
                for i in rng.permutation(len(parts)):  # fill parts up to their denominators
                    take = (
                        min(left, dens[i]) if needs else left if i == len(parts) - 1 else int(rng.integers(0, left + 1))
                    )
                    nums[i], left = take, left - take
                if not needs:
                    nums = _split(rng, num, len(parts))
            else:
                dens = [int(rng.integers(0, 300)) for _ in parts]
                nums = [int(rng.integers(0, d + 1)) if needs else int(rng.integers(0, 300)) for d in dens]
            for r, n, d in zip(parts, nums, dens, strict=True):
                r["numerator"], r["denominator"] = str(n), str(d) if needs else ""
    rf = ReturnFile(
        path=Path(f"{provider}.csv"),
        name=f"returns/x/{quarter.slug}/{provider}.csv",
        quarter=quarter,
        provider=provider,
    )
    rf.cells = {c: [r[c] for r in rows] for c in RETURN_COLUMNS}
    rf.cells["source_row"] = list(range(2, len(rows) + 2))
    rf.cells["flagged"] = [False] * len(rows)
    rf.letters = {c: chr(65 + i) for i, c in enumerate(RETURN_COLUMNS)}
    return rf, rows


def _due_pairs() -> list[tuple[str, int]]:
    return [(p, q) for p in PROVIDERS for q in (1, 2, 3, 4) if CAT.for_provider(p, q)]


returns = st.builds(
    lambda pq, year, seed: build_return(pq[0], Quarter(year, pq[1]), seed),
    st.sampled_from(_due_pairs()),
    st.integers(2015, 2030),
    st.integers(0, 2**32 - 1),
)


@SETTINGS
@given(returns)
def test_any_valid_return_validates_clean(ret: tuple[ReturnFile, list[dict[str, str]]]) -> None:
    rf, rows = ret
    v = validate_returns([rf], CAT)
    assert v.findings == [], [str(f) for f in v.findings]
    assert v.accepted == [0] and len(v.rows) == len(rows)
    got = v.rows.sort_values("source_row")
    assert got.num_value.tolist() == [float(r["numerator"]) for r in rows]
    assert (got.status == "").all()


mutations = st.one_of(
    st.tuples(st.just("R021-negative"), st.integers(1, 10**6).map(lambda n: f"-{n}")),
    st.tuples(
        st.just("R022-decimal"),
        st.tuples(st.integers(0, 10**5), st.integers(1, 99)).map(lambda t: f"{t[0]}.{t[1]:02d}"),
    ),
    st.tuples(
        st.just("R020-not-a-number"),
        st.one_of(
            st.tuples(st.integers(0, 999), st.sampled_from(["approx", "est.", "TBC", "or so", "?"])).map(
                lambda t: f"{t[0]} {t[1]}"
            ),
            st.sampled_from(["N/A", "unknown", "twelve", "n.k.", "-", "1O", "12,5"]),
        ),
    ),
)


@SETTINGS
@given(returns, mutations, st.data())
def test_one_bad_count_gives_exactly_its_rule_at_its_cell(ret, mutation, data) -> None:
    rf, rows = ret
    code, text = mutation
    cells = [(i, c) for i, r in enumerate(rows) for c in ("numerator", "denominator") if r[c] != ""]
    i, column = data.draw(st.sampled_from(cells))
    rf.cells[column][i] = text  # type: ignore[index]
    v = validate_returns([rf], CAT)
    assert [(f.rule, f.row, f.column) for f in v.findings] == [(code, i + 2, column)], [str(f) for f in v.findings]
    assert v.rejected == [0] and v.rows.empty


@SETTINGS
@given(returns, st.sampled_from(sorted(GSS_SYMBOLS)), st.data())
def test_a_gss_symbol_is_missing_with_its_reason_never_zero(ret, symbol, data) -> None:
    rf, rows = ret
    totals = [i for i, r in enumerate(rows) if r["breakdown"] == TOTAL]
    i = data.draw(st.sampled_from(totals))
    rf.cells["numerator"][i] = symbol.upper() if symbol == "c" else symbol  # type: ignore[index]
    v = validate_returns([rf], CAT)
    assert all(f.severity == "warning" for f in v.findings)
    assert {f.rule for f in v.findings} <= {"R051-legacy-symbol"}
    row = v.rows[v.rows.source_row == i + 2].iloc[0]
    assert pd.isna(row.num_value) and row.status == symbol


@settings(deadline=None)  # no timing assertions: the machine is shared
@given(st.lists(st.text(max_size=8), min_size=1, max_size=30))
def test_every_cell_has_exactly_one_class(cells: list[str]) -> None:
    p = parse_counts(pd.Series(cells, dtype=object))
    classes = p[["blank", "ok", "is_symbol", "negative", "decimal", "formula", "text"]].to_numpy(dtype=int)
    assert (classes.sum(axis=1) == 1).all()
    assert p.value.notna().eq(p.ok).all()
    assert (p.value.dropna() >= 0).all() and (p.value.dropna() % 1 == 0).all()
