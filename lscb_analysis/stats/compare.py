"""Comparing an area with a benchmark, as OHID Fingertips does.

Three Fingertips comparers are provided:

* :func:`compare_to_benchmark` - ``SingleOverlappingCIsComparer``: is the
  benchmark inside the area's confidence interval?
* :func:`compare_to_benchmark_two_level` - ``SingleOverlappingCIsForTwoCILevelsComparer``:
  the same at 95% and 99.8% together, giving five levels.
* :func:`compare_to_benchmark_spc_proportion` - ``SpcForProportionsComparer``:
  is the area's proportion outside Wilson control limits drawn around the
  benchmark for the area's denominator?

Outcomes are ``"better"``, ``"similar"``, ``"worse"`` (or ``"higher"``,
``"similar"``, ``"lower"`` when the polarity is ``no_judgement``) and
``"not compared"`` when any input is missing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lscb_analysis.stats._validate import as_float_array, check_confidence, check_polarity, z_for

__all__ = [
    "compare_to_benchmark",
    "compare_to_benchmark_two_level",
    "compare_to_benchmark_spc_proportion",
    "NOT_COMPARED",
]

NOT_COMPARED = "not compared"


def _words(polarity: str) -> tuple[str, str]:
    """(word when the value is above the benchmark, word when below)."""
    if polarity == "higher_is_better":
        return "better", "worse"
    if polarity == "lower_is_better":
        return "worse", "better"
    return "higher", "lower"


def _broadcast(*arrays: np.ndarray) -> list[np.ndarray]:
    try:
        return list(np.broadcast_arrays(*arrays))
    except ValueError:
        raise ValueError(f"inputs must have the same length, got lengths {[a.size for a in arrays]}") from None


def _unwrap(out: np.ndarray, scalar: bool) -> Any:
    return str(out[0]) if scalar else out


def compare_to_benchmark(value: Any, lower: Any, upper: Any, benchmark: Any, *, polarity: str) -> Any:
    """Compare an area with a benchmark by whether the benchmark lies within its interval.

    Parameters
    ----------
    value, lower, upper : float or array-like
        The area's value and confidence limits (e.g. 95%).
    benchmark : float or array-like
        The comparator value (England, region, statistical neighbours).
    polarity : {"higher_is_better", "lower_is_better", "no_judgement"}

    Returns
    -------
    str or numpy.ndarray of str
        ``"similar"`` when ``lower <= benchmark <= upper``; otherwise
        ``"better"`` / ``"worse"`` by polarity (``"higher"`` / ``"lower"`` for
        ``no_judgement``); ``"not compared"`` when any input is missing.

    Raises
    ------
    ValueError
        Unknown polarity, or a lower limit above its upper limit.

    Notes
    -----
    Fingertips ``SingleOverlappingCIsComparer`` (PholioVisualisation.Analysis):
    the benchmark inside the closed interval is "Same"; otherwise the side of
    the value relative to the benchmark, adjusted for polarity. Fingertips
    returns no comparison when the polarity is "not applicable"; this project
    instead reports higher / lower for ``no_judgement`` (as Fingertips' "BOB"
    benchmarking without judgement colours).

    References
    ----------
    .. [1] ukhsa-collaboration/fingertips-open,
       ``PholioVisualisationWS/Analysis/SingleOverlappingCIsComparer.cs``.
    """
    pol = check_polarity(polarity)
    scalar = all(np.ndim(a) == 0 for a in (value, lower, upper, benchmark))
    v, lo, hi, b = _broadcast(
        as_float_array(value, "value"),
        as_float_array(lower, "lower"),
        as_float_array(upper, "upper"),
        as_float_array(benchmark, "benchmark"),
    )
    above, below = _words(pol)
    out = np.empty(v.shape, dtype=object)
    for i in range(v.size):
        if np.isnan([v[i], lo[i], hi[i], b[i]]).any():
            out[i] = NOT_COMPARED
            continue
        if lo[i] > hi[i]:
            raise ValueError(f"lower limit above upper limit at position {i}: {lo[i]} > {hi[i]}")
        if lo[i] <= b[i] <= hi[i]:
            out[i] = "similar"
        elif v[i] < b[i]:
            out[i] = below
        else:
            out[i] = above
    return _unwrap(out, scalar)


def compare_to_benchmark_two_level(
    value: Any,
    lower95: Any,
    upper95: Any,
    lower99_8: Any,
    upper99_8: Any,
    benchmark: Any,
    *,
    polarity: str,
) -> Any:
    """Compare with a benchmark using 95% and 99.8% intervals together (five levels).

    Parameters
    ----------
    value, lower95, upper95, lower99_8, upper99_8 : float or array-like
        The area's value with its 95% and 99.8% confidence limits.
    benchmark : float or array-like
    polarity : {"higher_is_better", "lower_is_better", "no_judgement"}

    Returns
    -------
    str or numpy.ndarray of str
        ``"better at 99.8%"``, ``"better at 95%"``, ``"similar"``,
        ``"worse at 95%"``, ``"worse at 99.8%"`` (``higher`` / ``lower`` for
        ``no_judgement``); ``"not compared"`` when an input is missing.
        Fingertips' five levels map as Best, Better, Same, Worse, Worst.

    Notes
    -----
    Fingertips ``SingleOverlappingCIsForTwoCILevelsComparer``: the benchmark
    inside the 95% interval is "Same"; outside the 95% but inside the 99.8%
    interval the difference is significant at 95% only (Better / Worse);
    outside the 99.8% interval it is significant at 99.8% (Best / Worst).

    The reference vectors (``fingertips_benchmark_comparison.csv``,
    ``benchmark_in_value_CI_two_levels``) are followed. The C# class as
    published checks "value below benchmark" before the upper 95-99.8% band and
    labels the lower band "Worse" before the polarity adjustment, so for a
    value inside its own intervals it returns e.g. "Worse" for a higher value
    when higher is good; its unit tests only use values outside their own
    intervals. The statistically consistent reading, which the vectors encode,
    is implemented here.

    References
    ----------
    .. [1] ukhsa-collaboration/fingertips-open,
       ``PholioVisualisationWS/Analysis/SingleOverlappingCIsForTwoCILevelsComparer.cs``.
    """
    pol = check_polarity(polarity)
    scalar = all(np.ndim(a) == 0 for a in (value, lower95, upper95, lower99_8, upper99_8, benchmark))
    v, l95, u95, l998, u998, b = _broadcast(
        as_float_array(value, "value"),
        as_float_array(lower95, "lower95"),
        as_float_array(upper95, "upper95"),
        as_float_array(lower99_8, "lower99_8"),
        as_float_array(upper99_8, "upper99_8"),
        as_float_array(benchmark, "benchmark"),
    )
    above, below = _words(pol)
    out = np.empty(v.shape, dtype=object)
    for i in range(v.size):
        row = [v[i], l95[i], u95[i], l998[i], u998[i], b[i]]
        if np.isnan(row).any():
            out[i] = NOT_COMPARED
            continue
        if not (l998[i] <= l95[i] <= u95[i] <= u998[i]):
            raise ValueError(
                f"limits at position {i} must nest: lower99_8 <= lower95 <= upper95 <= upper99_8, got "
                f"{l998[i]}, {l95[i]}, {u95[i]}, {u998[i]}"
            )
        if l95[i] <= b[i] <= u95[i]:
            out[i] = "similar"
            continue
        word = above if v[i] > b[i] else below
        inside_998 = l998[i] <= b[i] <= u998[i]
        out[i] = f"{word} at {'95%' if inside_998 else '99.8%'}"
    return _unwrap(out, scalar)


def compare_to_benchmark_spc_proportion(
    value: Any,
    denominator: Any,
    benchmark: Any,
    *,
    polarity: str,
    confidence: float = 0.95,
    per: float = 100,
) -> Any:
    """Compare a proportion with a benchmark by Wilson control limits around the benchmark.

    Parameters
    ----------
    value : float or array-like
        The area's proportion, expressed per ``per`` (e.g. a percentage).
    denominator : float or array-like
        The area's denominator (must be positive).
    benchmark : float or array-like
        The comparator proportion, per ``per``.
    polarity : {"higher_is_better", "lower_is_better", "no_judgement"}
    confidence : float, default 0.95
        0.95 or 0.998 in Fingertips (any level accepted).
    per : float, default 100

    Returns
    -------
    str or numpy.ndarray of str
        ``"better"``, ``"similar"``, ``"worse"`` (``higher`` / ``lower`` for
        ``no_judgement``); ``"not compared"`` when an input is missing.

    Notes
    -----
    Fingertips ``SpcForProportionsComparer``: with ``P0`` the benchmark
    proportion, ``N`` the denominator and ``E = N P0`` the expected count, the
    limits are ``(2E + z^2 -/+ z sqrt(z^2 + 4E(1 - E/N))) / (2(N + z^2))``; the
    area is "Same" inside them. Fingertips uses ``z = 1.96`` and ``3.0902``;
    the exact normal quantiles are used here (the categories in the reference
    vectors are the same).

    References
    ----------
    .. [1] ukhsa-collaboration/fingertips-open,
       ``PholioVisualisationWS/Analysis/SpcForProportionsComparer.cs``.
    """
    pol = check_polarity(polarity)
    check_confidence(confidence)
    z = z_for(confidence)
    scalar = all(np.ndim(a) == 0 for a in (value, denominator, benchmark))
    v, n, b = _broadcast(
        as_float_array(value, "value"),
        as_float_array(denominator, "denominator"),
        as_float_array(benchmark, "benchmark"),
    )
    above, below = _words(pol)
    out = np.empty(v.shape, dtype=object)
    for i in range(v.size):
        if np.isnan([v[i], n[i], b[i]]).any():
            out[i] = NOT_COMPARED
            continue
        if n[i] <= 0:
            raise ValueError(f"denominator must be greater than zero, got {n[i]} at position {i}")
        p1 = v[i] / per
        p0 = b[i] / per
        if not (0 <= p0 <= 1 and 0 <= p1 <= 1):
            raise ValueError(
                f"value and benchmark must be proportions between 0 and {per:g}; got {v[i]} and {b[i]} at position {i}"
            )
        e = n[i] * p0
        root = z * np.sqrt(z**2 + 4.0 * e * (1.0 - e / n[i]))
        lo = (2.0 * e + z**2 - root) / (2.0 * (n[i] + z**2))
        hi = (2.0 * e + z**2 + root) / (2.0 * (n[i] + z**2))
        if hi < p1:
            out[i] = above
        elif lo > p1:
            out[i] = below
        else:
            out[i] = "similar"
    return _unwrap(out, scalar)
