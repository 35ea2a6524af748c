"""Disclosure control: primary, secondary and derived suppression, the text scan and the HTML audit."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lscb_analysis.disclosure.rules as rules_module
from lscb_analysis.disclosure.audit import audit_html
from lscb_analysis.disclosure.rules import RULES
from lscb_analysis.disclosure.scan import find_disclosure_risks, suppress_counts_in_text
from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.disclosure.suppress import (
    determined_cells,
    is_small,
    secondary_suppression,
    suppress_breakdown,
    suppress_series,
)

RULE = Disclosure(min_count=1, max_count=5, symbol="c")


# ----------------------------------------------------------------------- helpers
def recoverable(hidden: np.ndarray, groups) -> list[int]:
    """Hidden cells fixed by the equations, by the rank test (independent of the module's null-space test).

    Cell k is determined exactly when its unit vector lies in the row space of the
    constraint matrix restricted to the hidden cells.
    """
    hid = list(np.flatnonzero(hidden))
    if not hid or not groups:
        return []
    a = np.zeros((len(groups), len(hid)))
    for g, (members, total) in enumerate(groups):
        for c in members:
            if c in hid:
                a[g, hid.index(c)] += 1
        if total in hid:
            a[g, hid.index(total)] -= 1
    r = np.linalg.matrix_rank(a)
    out = []
    for i, c in enumerate(hid):
        e = np.zeros((1, len(hid)))
        e[0, i] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == r:
            out.append(c)
    return out


def table_groups(n_rows: int, n_cols: int, total_row: bool, total_col: bool):
    """Groups of a table whose last row / last column are totals, as flat cell indices."""
    groups = []
    inner_r = range(n_rows - 1) if total_row else range(n_rows)
    inner_c = range(n_cols - 1) if total_col else range(n_cols)
    if total_col:
        for i in range(n_rows):
            groups.append((tuple(i * n_cols + j for j in inner_c), i * n_cols + n_cols - 1))
    if total_row:
        for j in range(n_cols):
            groups.append((tuple(i * n_cols + j for i in inner_r), (n_rows - 1) * n_cols + j))
    return groups


def suppress_grid(values: np.ndarray, total_row: bool = False, total_col: bool = False) -> np.ndarray:
    """Hidden cells of a table whose last row / column are totals: the package's secondary suppression."""
    values = np.asarray(values, dtype=float)
    groups = table_groups(*values.shape, total_row, total_col)
    return secondary_suppression(values.ravel(), is_small(values, RULE).ravel(), groups).reshape(values.shape)


def shown(values: np.ndarray, hidden: np.ndarray) -> list:
    """What a published table shows: the symbol where hidden, the count otherwise."""
    return [RULE.symbol if h else f"{v:,.0f}" for v, h in zip(np.ravel(values), np.ravel(hidden), strict=True)]


def no_small_counts_shown(frame: pd.DataFrame) -> bool:
    """No count from 1 to 5, and no figure in a row marked with the symbol."""
    marked = frame["status"].astype("string").eq(RULE.symbol).fillna(False).to_numpy()
    return not is_small(frame["numerator"], RULE).any() and not frame.loc[marked, ["numerator", "value"]].notna().any(
        axis=None
    )


def with_totals(inner: np.ndarray, total_row: bool, total_col: bool) -> pd.DataFrame:
    t = inner
    if total_col:
        t = np.column_stack([t, t.sum(axis=1)])
    if total_row:
        t = np.vstack([t, t.sum(axis=0)])
    cols = [f"cat_{j}" for j in range(inner.shape[1])] + (["Total"] if total_col else [])
    rows = [f"area_{i}" for i in range(inner.shape[0])] + (["Total"] if total_row else [])
    return pd.DataFrame(t, index=rows, columns=cols)


# ----------------------------------------------------------------------- primary
def test_is_small_flags_one_to_five_only():
    got = is_small(pd.Series([0, 1, 5, 6, None, "c", 3.0], dtype=object), RULE)
    assert got.tolist() == [False, True, True, False, False, False, True]
    assert is_small(pd.array([2, None, 9], dtype="Float64"), RULE).tolist() == [True, False, False]
    assert is_small(np.array([[1, 10], [0, 4]]), RULE).tolist() == [[True, False], [False, True]]


def test_threshold_comes_from_the_rule():
    assert is_small(np.array([3, 9, 10, 11]), Disclosure(min_count=1, max_count=10)).tolist() == [
        True,
        True,
        True,
        False,
    ]


def test_suppress_series_blanks_small_counts_and_keeps_the_symbol():
    s = pd.DataFrame({"numerator": [0, 3, 12], "value": [0.0, 3.0, 12.0], "status": [None, None, None]})
    out = suppress_series(s, RULE)
    assert out.numerator.isna().tolist() == [False, True, False]
    assert out.value.isna().tolist() == [False, True, False]
    assert out.status.tolist()[1] == "c"
    assert no_small_counts_shown(out)


def test_suppress_series_blanks_percentages_of_a_small_denominator():
    s = pd.DataFrame({"numerator": [0, 40], "denominator": [4, 80], "value": [0.0, 50.0], "status": [None, None]})
    out = suppress_series(s, RULE)
    assert out.value.isna().tolist() == [True, False]
    assert pd.isna(out.denominator[0])


def test_change_is_missing_where_either_quarter_is_suppressed():
    s = suppress_series(
        pd.DataFrame({"numerator": [10, 4, 12, 15], "value": [10.0, 4, 12, 15], "status": [None] * 4}), RULE
    )
    change = s.value - s.value.shift(1)  # computed after suppression, as the module says
    assert change.isna().tolist() == [True, True, True, False]
    assert change.iloc[3] == 3


def test_an_unsuppressed_frame_is_caught_before_publishing():
    raw = pd.DataFrame({"numerator": [2, 10], "value": [2.0, 10.0], "status": [None, None]})
    assert not no_small_counts_shown(raw)
    page = raw[["numerator"]].rename(columns={"numerator": "Number"}).to_html()
    assert [f.rule for f in audit_html(page)] == ["D001-small-count"]
    out = suppress_series(raw, RULE)
    assert no_small_counts_shown(out)
    assert audit_html(out[["numerator"]].rename(columns={"numerator": "Number"}).to_html(na_rep=RULE.symbol)) == []
    leaky = pd.DataFrame({"numerator": [pd.NA, 10], "value": [2.0, 10.0], "status": ["c", None]})
    assert not no_small_counts_shown(leaky)


# --------------------------------------------------------------------- secondary
def test_cells_without_a_total_get_primary_suppression_only():
    values = np.array([[3], [10], [0]])
    hidden = suppress_grid(values)
    assert shown(values, hidden) == ["c", "10", "0"]
    assert hidden.ravel().tolist() == [True, False, False]


def test_a_total_forces_a_complementary_suppression():
    values = np.array([[3], [10], [12], [25]])  # the last row is the total
    hidden = suppress_grid(values, total_row=True)
    # the next smallest cell goes, so 25 - 12 no longer gives the 3 away
    assert shown(values, hidden) == ["c", "c", "12", "25"]
    assert hidden[1, 0]


def test_two_way_table_with_margins():
    values = np.array([[3, 20, 23], [10, 30, 40], [12, 8, 20], [25, 58, 83]])  # Neglect, Physical abuse, Total
    hidden = suppress_grid(values, total_row=True, total_col=True)
    assert hidden.sum() == 4  # a 2 x 2 block: the least possible
    assert shown(values, hidden)[0] == "c"  # North Dale, Neglect
    assert shown(values, hidden)[-1] == "83"  # Total, Total
    assert not recoverable(hidden.ravel(), table_groups(4, 3, True, True))


def test_a_small_total_is_suppressed_with_a_complement():
    values = np.array([[0], [4], [0], [4]])
    assert shown(values, suppress_grid(values, total_row=True)) == ["0", "c", "0", "c"]
    values = np.array([[2, 10], [30, 10], [40, 3], [72, 23]])
    hidden = suppress_grid(values, total_row=True)
    assert hidden[:, 0].sum() >= 2 and hidden[:, 1].sum() >= 2


def test_derived_figures_follow_their_counts():
    rows = pd.DataFrame(
        {
            "breakdown_value": ["total", "a", "b", "c"],
            "numerator": [40, 8, 2, 30],
            "denominator": [500, 100, 100, 300],
            "value": [8.0, 8.0, 2.0, 10.0],
        }
    )
    out = suppress_breakdown(rows, RULE)
    assert out.numerator.isna().tolist() == [False, True, True, False]
    assert out.value.isna().tolist() == [False, True, True, False]  # a rate of a hidden count is hidden too
    assert out.status.isna().tolist() == [True, False, False, True] and out.status[1:3].tolist() == ["c", "c"]


def test_missing_and_symbol_cells_protect_but_are_not_reported_suppressed():
    values = np.array([3, np.nan, 12, 40])
    hidden = secondary_suppression(values, is_small(values, RULE), [((0, 1, 2), 3)])
    assert hidden.tolist() == [True, False, False, False]


def test_a_chain_of_totals_is_caught_by_the_linear_check():
    # two separate 2 x 2 blocks joined by one cell: every line has two hidden cells,
    # yet the joining cell is fixed by the equations (it is a bridge)
    n_rows, n_cols = 5, 5  # 4 x 4 interior plus margins
    groups = table_groups(n_rows, n_cols, True, True)
    hidden = np.zeros(n_rows * n_cols, dtype=bool)
    for r, c in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        hidden[r * n_cols + c] = True
    assert determined_cells(hidden, groups) == [1 * n_cols + 2]
    values = np.arange(n_rows * n_cols, dtype=float) + 10
    fixed = secondary_suppression(values, hidden, groups)
    assert not determined_cells(fixed, groups)
    assert not recoverable(fixed, groups)


def test_breakdown_rows_get_secondary_suppression():
    rows = pd.DataFrame(
        {
            "breakdown": ["total", "locality", "locality", "locality", "locality"],
            "breakdown_value": ["total", "North Dale", "Eastbrook", "Southmere", "Westfield"],
            "numerator": [40, 3, 10, 12, 15],
            "denominator": [100, 20, 30, 25, 25],
            "value": [40.0, 15.0, 33.3, 48.0, 60.0],
            "status": [None] * 5,
        }
    )
    out = suppress_breakdown(rows, RULE)
    assert out.numerator.isna().tolist() == [False, True, True, False, False]
    assert out.value.isna().tolist() == [False, True, True, False, False]
    assert out.status.tolist()[1:3] == ["c", "c"]
    assert out.index.equals(rows.index)


def test_breakdown_dimensions_share_the_total():
    rows = pd.DataFrame(
        {
            "indicator_id": ["x"] * 5,
            "period": ["2026-27 Q2"] * 5,
            "breakdown": ["total", "school_phase", "school_phase", "gender", "gender"],
            "breakdown_value": ["total", "Primary", "Secondary", "Male", "Female"],
            "numerator": [4, 0, 4, 1, 3],
            "value": [4.0, 0, 4, 1, 3],
        }
    )
    out = suppress_breakdown(rows, RULE)
    assert out.numerator.isna().tolist() == [True, False, True, True, True]


def test_breakdowns_that_do_not_sum_get_primary_suppression_only():
    rows = pd.DataFrame(
        {"breakdown_value": ["total", "a", "b", "c"], "numerator": [40, 3, 30, 20], "value": [40.0, 3, 30, 20]}
    )
    out = suppress_breakdown(rows, RULE, sums_to_total=False)
    assert out.numerator.isna().tolist() == [False, True, False, False]


def test_breakdown_of_several_periods_is_suppressed_period_by_period():
    rows = pd.DataFrame(
        {
            "period": ["Q1"] * 3 + ["Q2"] * 3,
            "breakdown_value": ["total", "a", "b"] * 2,
            "numerator": [20, 10, 10, 20, 2, 18],
            "value": [20.0, 10, 10, 20, 2, 18],
        }
    )
    out = suppress_breakdown(rows, RULE)
    assert out.numerator.isna().tolist() == [False, False, False, False, True, True]


# --------------------------------------------------------------- property tests
counts = st.one_of(st.integers(0, 8), st.integers(0, 60))


@st.composite
def tables(draw):
    r = draw(st.integers(1, 5))
    c = draw(st.integers(1, 4))
    inner = np.array(draw(st.lists(st.lists(counts, min_size=c, max_size=c), min_size=r, max_size=r)))
    total_row = draw(st.booleans())
    total_col = draw(st.booleans())
    return inner, total_row, total_col


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_suppressed_cell_is_recoverable_from_the_totals(case):
    inner, total_row, total_col = case
    df = with_totals(inner, total_row, total_col)
    values = df.to_numpy()
    hidden = suppress_grid(values, total_row, total_col)
    table = pd.DataFrame(np.reshape(shown(values, hidden), values.shape), index=df.index, columns=df.columns)
    # every small count is suppressed; every shown count is the true count
    assert not (is_small(values, RULE) & ~hidden).any()
    for (i, j), v in np.ndenumerate(values):
        if not hidden[i, j]:
            assert table.iat[i, j] == f"{v:,}"
        else:
            assert table.iat[i, j] == "c"
    groups = table_groups(*values.shape, total_row, total_col)
    flat = hidden.ravel()
    # every group with a total has 0 or >= 2 hidden cells (the total counted)
    for members, total in groups:
        assert sum(flat[list((*members, total))]) != 1
    # and no hidden cell is fixed by all the equations together: total minus the published cells
    assert not recoverable(flat, groups)
    # the published HTML passes the scanner
    html = table.rename(columns=lambda c: f"Number {c}").to_html()
    assert not [f for f in audit_html(html) if f.rule == "D001-small-count"]


@settings(max_examples=100, deadline=None)
@given(st.lists(counts, min_size=1, max_size=6), st.lists(counts, min_size=1, max_size=6))
def test_breakdowns_sharing_a_total_never_expose_a_cell(dim_a, dim_b):
    # two dimensions must add up to the same total: pad the smaller one
    ta, tb = sum(dim_a), sum(dim_b)
    if ta < tb:
        dim_a = [*dim_a, tb - ta]
    elif tb < ta:
        dim_b = [*dim_b, ta - tb]
    total = sum(dim_a)
    rows = pd.DataFrame(
        {
            "breakdown": ["total"] + ["a"] * len(dim_a) + ["b"] * len(dim_b),
            "breakdown_value": ["total"] + [f"a{i}" for i in range(len(dim_a))] + [f"b{i}" for i in range(len(dim_b))],
            "numerator": [total, *dim_a, *dim_b],
        }
    ).assign(value=lambda d: d.numerator.astype(float))
    out = suppress_breakdown(rows, RULE)
    hidden = out.numerator.isna().to_numpy()
    assert not (is_small(rows.numerator, RULE) & ~hidden).any()
    groups = [(tuple(range(1, 1 + len(dim_a))), 0), (tuple(range(1 + len(dim_a), len(rows))), 0)]
    assert not recoverable(hidden, groups)
    assert (out.value.isna().to_numpy() == hidden).all()


# ----------------------------------------------------------------------- scanner
def page(body: str) -> str:
    return f"<html><head><title>Report</title><style>td {{ color: #123456; }}</style></head><body>{body}</body></html>"


def test_scanner_finds_a_small_count_in_a_count_column():
    html = page(
        "<table><thead><tr><th>Locality</th><th>Number of children</th><th>Rate per 10,000</th></tr></thead>"
        "<tbody><tr><td>North Dale</td><td>3</td><td>2.0</td></tr>"
        "<tr><td>Eastbrook</td><td>c</td><td>4</td></tr>"
        "<tr><td>Southmere</td><td>1,204</td><td>5</td></tr></tbody></table>"
    )
    found = audit_html(html, source="subgroup_neglect.html")
    assert [(f.rule, f.excerpt) for f in found] == [("D001-small-count", "3")]
    assert "row 1" in found[0].where and "Number of children" in found[0].where
    assert str(found[0]).startswith("ERROR D001-small-count [subgroup_neglect.html, row 1")
    assert found[0].message.startswith("table 1: count 3 in row 'North Dale'") and found[0].line == 1


def test_scanner_ignores_percentages_periods_and_non_count_columns():
    html = page(
        "<table><tr><th>Indicator</th><th>Period</th><th>Latest</th><th>Target</th><th>Total %</th></tr>"
        "<tr><td>Children in poverty</td><td>2025-26 Q4</td><td>5.0%</td><td>3</td><td>4</td></tr></table>"
    )
    assert audit_html(html) == []


def test_scanner_reads_pandas_tables_with_an_index_and_rowspans():
    df = pd.DataFrame(
        {"Count": [2, 40], "Share": [5.0, 95.0]}, index=pd.MultiIndex.from_tuples([("North", "a"), ("North", "b")])
    )
    found = audit_html(df.to_html())
    assert [(f.rule, f.excerpt) for f in found] == [("D001-small-count", "2")]


def test_scanner_uses_row_headers_unit_columns_and_count_classes():
    html = page(
        "<table><tr><th></th><th>2026-27 Q1</th><th>2026-27 Q2</th></tr>"
        "<tr><th>Number of rapid reviews</th><td>0</td><td>2</td></tr>"
        "<tr><th>Percentage on time</th><td>4</td><td>100</td></tr></table>"
        "<table><tr><th>Indicator</th><th>Unit</th><th>Latest</th></tr>"
        "<tr><td>Deaths notified</td><td>count</td><td>4</td></tr></table>"
        "<table><tr><th class='count'>Q2</th></tr><tr><td>1</td></tr></table>"
    )
    assert [f.excerpt for f in audit_html(html)] == ["2", "4", "1"]


def test_scanner_flags_record_level_columns():
    html = page(
        "<table><tr><th>Name</th><th>DOB</th><th>Child ID</th></tr>"
        "<tr><td>Sam Example</td><td>01/02/2015</td><td>X1</td></tr></table>"
    )
    kinds = [f.rule for f in audit_html(html)]
    assert kinds.count("D002-record-column") == 3


def test_scanner_finds_identifiers_in_visible_text_only():
    html = page(
        "<p>NHS number 943 476 5919 and 9434765919.</p>"
        "<p>Pupil A123456789012 lives at AB12 3CD; DOB: 12/03/2015.</p>"
        "<script>var x = '943 476 5919 AB12 3CD';</script>"
        "<img src='data:image/png;base64,AAA+9434765919/BB'>"
        "<svg><text>943 476 5919</text></svg>"
    )
    found = audit_html(html)
    assert [f.rule for f in found] == [
        "D003-nhs-number",
        "D003-nhs-number",
        "D004-upn",
        "D005-postcode",
        "D006-date-of-birth",
    ]
    assert all("5919" not in str(f) for f in found), "findings must not repeat the identifier"


def test_text_scanner_leaves_ordinary_report_text_alone():
    text = (
        "Rate per 10,000 children: 41.6 at 31 March 2026; 2025-26 Q1 (Apr-Jun 2025). "
        "Referrals rose by 1,234 (12.5%). NI 65 / PAF A3. Row 29a. Phone 01234 567890. "
        "Report generated 2026-10-25. Section 175 audit. Year 5 pupils."
    )
    assert find_disclosure_risks(text) == []
    assert find_disclosure_risks(text, bare_dates=True, small_numbers_in_text=True) == []


def test_text_scanner_optional_warnings():
    found = find_disclosure_risks(
        "Three children in Eastbrook and 2 families. Seen on 14/08/2026.", bare_dates=True, small_numbers_in_text=True
    )
    assert [(f.rule, f.severity) for f in found] == [
        ("D008-small-number-in-text", "warning"),
        ("D008-small-number-in-text", "warning"),
        ("D007-date", "warning"),
    ]


@pytest.mark.parametrize(
    "text",
    ["date of birth 3 March 2014", "born on 03/03/2014", "D.O.B. 2014-03-03", "DOB - March 3, 2014"],
)
def test_dates_of_birth_in_their_usual_forms(text):
    assert [f.rule for f in find_disclosure_risks(text)] == ["D006-date-of-birth"]


def test_scanner_honours_the_partnerships_threshold():
    html = page("<table><tr><th>Number</th></tr><tr><td>8</td></tr></table>")
    assert audit_html(html) == []
    assert [f.excerpt for f in audit_html(html, rule=Disclosure(max_count=10))] == ["8"]


def test_findings_name_the_line_of_the_page_source():
    html = "\n".join(
        [
            "<html>",
            "<body>",
            "<p>Intro</p>",
            "<p>Child seen,",
            "NHS 943 476 5919</p>",  # line 5
            "<table>",
            "<tr><th>Number</th></tr>",
            "<tr><td>4</td></tr>",  # line 8
            "</table>",
            "</body></html>",
        ]
    )
    found = audit_html(html, source="page.html")
    assert [(f.rule, f.line) for f in found] == [("D001-small-count", 8), ("D003-nhs-number", 5)]
    assert find_disclosure_risks("ok\nok\nDOB 01/02/2015", source="n.md")[0].where == "n.md, line 3"


def test_rule_codes_are_stable_documented_and_raised():
    doc = rules_module.__doc__ or ""
    documented = re.findall(r"``(D\d{3}-[a-z0-9-]+)``\s+(error|warning)", doc)
    assert documented == [(r.code, r.severity) for r in RULES.values()]
    code = "".join(p.read_text() for p in Path(rules_module.__file__).parent.glob("*.py") if p.name != "rules.py")
    assert [c for c in RULES if f'"{c}"' not in code] == []


# ------------------------------------------------------------- names in text
@pytest.mark.parametrize(
    "text",
    [
        "We spoke to Jayden Smith, aged 7, at school.",
        "a boy named Jayden told us",
        "Child's name: Amelia",
        "Amelia (6 years) lives with her grandmother",
        "Jayden, a 7-year-old, said",
        "Name: Jayden Smith",
    ],
)
def test_a_childs_name_is_found_and_masked(text):
    found = [f for f in find_disclosure_risks(text) if f.rule == "D009-person-name"]
    assert len(found) == 1 and found[0].severity == "error"
    assert "Jayden" not in found[0].excerpt and "Amelia" not in found[0].excerpt


@pytest.mark.parametrize(
    "text",
    [
        "Owner: Named Doctor for Safeguarding Children (Acute Trust)",
        "the named Nurse reviewed the cases",
        "Eastbrook (12) and Westford (40) localities",
        "The Board, aged 7 years in its current form",
        "called Police to the address",
    ],
)
def test_roles_places_and_ordinary_words_are_not_names(text):
    assert [f for f in find_disclosure_risks(text) if f.rule == "D009-person-name"] == []


# ---------------------------------------------------- figures quoted in text
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Row 3 revises x for 2026-27 Q1 from 4 to 12", "Row 3 revises x for 2026-27 Q1 from c to 12"),
        ("numerator 3/10 and 12/2", "numerator c/10 and 12/c"),
        ("over the last 5 quarters, 3 days late, 4% and 2.5", "over the last 5 quarters, 3 days late, 4% and 2.5"),
        ("ingested 2026-11-30T10:01:02 from la_3.csv, column 2, line 4", None),
        ("1,004 children and 0 cases", None),
    ],
)
def test_figures_quoted_in_text_are_suppressed_like_a_table(text, expected):
    assert suppress_counts_in_text(text, Disclosure()) == (expected or text)
    assert suppress_counts_in_text("from 4 to 3", Disclosure(min_count=1, max_count=3, symbol="*")) == "from 4 to *"
