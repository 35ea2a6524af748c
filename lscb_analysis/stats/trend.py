"""Trend test for short quarterly series: a statsmodels Poisson / binomial GLM with a quarter-of-year term."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy  # its submodules load when first used (SciPy's lazy loading): importing a statistic stays quick

from lscb_analysis.stats._validate import as_float_array, check_confidence, check_min_points, check_no_missing
from lscb_analysis.stats.recent_trend import cochran_armitage_chi2

__all__ = ["trend_test", "TrendResult", "kendall_trend", "period_index", "MIN_POINTS", "SEASONAL_MIN_YEARS"]

#: Fewest points ``trend_test`` accepts without a seasonal term.
MIN_POINTS = 6
#: Fewest years a seasonal term needs: two, so that each period of the year is seen twice.
SEASONAL_MIN_YEARS = 2


@dataclass(frozen=True)
class TrendResult:
    """Result of :func:`trend_test`.

    Attributes
    ----------
    ratio_per_year : float
        Rate ratio (``kind="rate"``) or odds ratio (``kind="proportion"``) per
        year: 1.09 means rising by about 9% a year.
    lower, upper : float
        Confidence limits of ``ratio_per_year``.
    p_value : float
        Two-sided p-value for the time coefficient (z-based for Poisson /
        binomial, t-based with the residual df for quasi models).
    method : str
        E.g. ``"Poisson GLM, log(denominator) offset"``, ``"quasi-Poisson GLM
        ..., quarter-of-year dummies"``, ``"binomial GLM (logit)"``.
    kendall_tau, kendall_p : float
        Kendall's tau-b between time and the rate / proportion, with an exact
        p-value when there are no ties (asymptotic otherwise).
    kendall_method : str
    n_points : int
    dispersion : float
        Pearson chi-squared / residual df of the Poisson or binomial fit.
    quasi : bool
        Whether the quasi model (scale = dispersion) was used.
    seasonal : bool
        Whether quarter-of-year dummies were included.
    coef_per_period, se_per_period : float
        Log rate ratio (or log odds ratio) per period and its standard error.
    ratio_per_period : float
    periods_per_year : int
    armitage_chi2, armitage_p : float or None
        Cochran-Armitage chi-squared test for trend (proportions only), as R
        ``prop.trend.test``.
    confidence : float
    kind : str
    sentence : str
        One plain-English sentence for a board member.
    headline : str
        The sentence's verdict in a few words for a score card's cell, e.g.
        "Rising, about 9% a year (p = 0.003)" or "No clear trend (p = 0.61)".
    glm : statsmodels.genmod.generalized_linear_model.GLMResults
        The one fit the reported figures come from (at the model's scale of
        1; the quasi standard errors are its ``bse`` times
        ``sqrt(dispersion)``).
    design : pandas.DataFrame
        The design matrix (``const``, ``t``, period-of-year dummies
        ``q2``..``q4`` for the periods present); time is measured in periods
        with the first period = 1.
    """

    ratio_per_year: float
    lower: float
    upper: float
    p_value: float
    method: str
    kendall_tau: float
    kendall_p: float
    kendall_method: str
    n_points: int
    dispersion: float
    quasi: bool
    seasonal: bool
    coef_per_period: float
    se_per_period: float
    ratio_per_period: float
    periods_per_year: int
    armitage_chi2: float | None
    armitage_p: float | None
    confidence: float
    kind: str
    sentence: str
    headline: str = ""
    glm: Any = None
    design: Any = None

    @property
    def significant(self) -> bool:
        """p-value below 1 - confidence."""
        return self.p_value < 1 - self.confidence


def period_index(
    periods: Any, n: int, periods_per_year: int = 4, seasons: Any = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order, time and season of each point: ``(sort order, time in periods from 1, season)``.

    * ``periods`` None: consecutive periods 1..n in the order given.
    * numbers (whole): period positions; gaps are kept (time = position - first + 1).
    * anything else sortable (opaque labels): consecutive periods in sorted order.

    ``seasons`` gives each point's period of the year (1..``periods_per_year``,
    e.g. the quarter). By default numbers give ``(p - 1) % periods_per_year +
    1``: the same season for positions a year apart, which is all the
    seasonal term needs (only its dummies' names depend on where the count
    starts). Labels get their position in sorted order, which is right only
    when no period is missing: pass ``seasons`` with labels that have gaps.
    Periods are not parsed here: callers turn quarters or dates into
    positions and seasons.
    """
    if seasons is not None:
        season_of = np.asarray(list(seasons), dtype=int)
        if len(season_of) != n:
            raise ValueError(f"seasons has {len(season_of)} entries for {n} points")
        if ((season_of < 1) | (season_of > periods_per_year)).any():
            raise ValueError(f"seasons must be from 1 to {periods_per_year}")
    if periods is None:
        t = np.arange(1, n + 1, dtype=float)
        s = (np.arange(n) % periods_per_year) + 1 if seasons is None else season_of
        return np.arange(n), t, s
    p = list(periods)
    if len(p) != n:
        raise ValueError(f"periods has {len(p)} entries for {n} points")
    if all(
        isinstance(v, (int, np.integer)) or (isinstance(v, (float, np.floating)) and float(v).is_integer()) for v in p
    ):
        o = np.asarray([int(v) for v in p])
        if len(set(o.tolist())) != n:
            raise ValueError("periods must not repeat")
        order = np.argsort(o, kind="stable")
        t = (o - o.min() + 1).astype(float)
        s = (o - 1) % periods_per_year + 1 if seasons is None else season_of
        return order, t[order], s[order]
    try:
        order = np.array(sorted(range(n), key=lambda i: p[i]))
    except TypeError:
        raise ValueError("periods must be numbers or sortable labels") from None
    if len({str(v) for v in p}) != n:
        raise ValueError("periods must not repeat")
    t = np.empty(n)
    t[order] = np.arange(1, n + 1)
    s = np.empty(n, dtype=int)
    s[order] = np.arange(n) % periods_per_year + 1
    if seasons is not None:
        s = season_of
    return order, t[order], s[order]


def kendall_trend(y: np.ndarray, t: np.ndarray) -> tuple[float, float, str]:
    """Kendall's tau-b of ``y`` against time with an exact p-value when there are no ties.

    Same as R ``cor.test(y, t, method = "kendall")`` (exact when no ties).
    """
    ties = len(np.unique(y)) < len(y) or len(np.unique(t)) < len(t)
    method = "asymptotic" if ties else "exact"
    res = scipy.stats.kendalltau(t, y, method=method)
    return float(res.statistic), float(res.pvalue), f"Kendall tau-b ({method} p-value)"


def _pct(r: float) -> float:
    return (r - 1.0) * 100.0


def _fmt_mag(pct: float) -> str:
    """Magnitude of a percentage change: whole numbers from 10%, one decimal below."""
    a = abs(pct)
    if a >= 10:
        return f"{a:.0f}"
    s = f"{a:.1f}"
    return s[:-2] if s.endswith(".0") else s


def _fmt_signed(pct: float) -> str:
    m = _fmt_mag(pct)
    if m in ("0", "0.0"):
        return "0%"
    return ("+" if pct > 0 else "-") + m + "%"


def _fmt_p(p: float) -> str:
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def _sentence(ratio: float, lo: float, hi: float, p: float, conf: float, kind: str) -> str:
    """One sentence for a board member, e.g. 'Rising by about 9% a year (95% CI 4% to 14%); ...'."""
    level = f"{conf * 100:g}%"
    odds = " in the odds" if kind == "proportion" else ""
    est, plo, phi = _pct(ratio), _pct(lo), _pct(hi)
    if p < 1 - conf and (plo > 0 or phi < 0):
        rising = est > 0
        a, b = (plo, phi) if rising else (phi, plo)
        return (
            f"{'Rising' if rising else 'Falling'} by about {_fmt_mag(est)}% a year{odds} "
            f"({level} CI {_fmt_mag(a)}% to {_fmt_mag(b)}%); unlikely to be chance, {_fmt_p(p)}"
        )
    return (
        f"No clear trend: a change of about {_fmt_signed(est)} a year{odds} "
        f"({level} CI {_fmt_signed(plo)} to {_fmt_signed(phi)}) could be chance, {_fmt_p(p)}"
    )


def _headline(ratio: float, lo: float, hi: float, p: float, conf: float, kind: str) -> str:
    """The verdict of :func:`_sentence` in a few words, e.g. 'Rising, about 9% a year (p = 0.003)'."""
    est, plo, phi = _pct(ratio), _pct(lo), _pct(hi)
    if p < 1 - conf and (plo > 0 or phi < 0):
        odds = " in the odds" if kind == "proportion" else ""
        return f"{'Rising' if est > 0 else 'Falling'}, about {_fmt_mag(est)}% a year{odds} ({_fmt_p(p)})"
    return f"No clear trend ({_fmt_p(p)})"


def _separated(mu: np.ndarray, kind: str) -> bool:
    """Fitted values at the edge of the parameter space (a count of 0, a proportion of 0 or 1): no finite estimate."""
    edge = 1e-8
    return bool((mu < edge).any() or (kind == "proportion" and (mu > 1 - edge).any()))


def trend_test(
    counts: Any,
    denominators: Any,
    periods: Any = None,
    *,
    seasons: Any = None,
    kind: Literal["rate", "proportion"] = "rate",
    per: float = 10_000,
    confidence: float = 0.95,
    seasonal: bool | None = None,
    dispersion: Literal["auto", "fixed", "quasi"] = "auto",
    periods_per_year: int = 4,
) -> TrendResult:
    """Test a short quarterly series for a trend and describe it in one sentence.

    Parameters
    ----------
    counts : array-like
        Numerators per period (children on a plan, re-referrals...). No
        missing values: a trend test needs every period it is given; leave
        suppressed periods out explicitly (with their labels) rather than
        filling them.
    denominators : array-like
        Population (rates) or number of cases (proportions) per period.
    periods : array-like, optional
        Period positions: whole numbers (consecutive quarters differ by 1; gaps
        are kept, e.g. ``Quarter.ordinal``), or any sortable labels (taken as
        consecutive quarters in sorted order). Default: consecutive quarters in
        the order given. Quarters and dates are not parsed here.
    seasons : array-like, optional
        Each point's period of the year (1..``periods_per_year``: the quarter),
        for the seasonal term. Default from the positions (see
        :func:`period_index`): pass it whenever the periods are labels with
        gaps.
    kind : {"rate", "proportion"}, default "rate"
        ``rate``: Poisson GLM of counts with a ``log(denominator)`` offset;
        ``proportion``: binomial (logit) GLM, plus a Cochran-Armitage test.
    per : float, default 10_000
        Multiplier for the rate used by the Kendall cross-check (tau does not
        depend on it).
    confidence : float, default 0.95
    seasonal : bool, optional
        A period-of-year term (quarter-of-year dummies). Default (``None``):
        yes for sub-annual data (``periods_per_year > 1``), so a seasonal
        pattern (school holidays) is not read as a trend; ``False`` leaves it
        out (annual data need none).
    dispersion : {"auto", "fixed", "quasi"}, default "auto"
        ``auto``: when Pearson chi2 / df > 1 (over-dispersion) use the
        quasi-Poisson / quasi-binomial scale (Pearson chi2 / df) with t-based
        p-values and limits; otherwise keep the Poisson / binomial scale of 1
        (under-dispersion never narrows the interval).
    periods_per_year : int, default 4
        4 for quarters (1 for annual data, 12 for months).

    Returns
    -------
    TrendResult
        With ``ratio_per_year``, ``lower``, ``upper``, ``p_value``, ``method``,
        ``kendall_tau``, ``kendall_p``, ``n_points`` and ``sentence``, e.g.
        "Rising by about 9% a year (95% CI 4% to 14%); unlikely to be chance,
        p = 0.002".

    Raises
    ------
    ValueError
        Fewer than 6 points (fewer than two years of periods with the
        seasonal term), missing values, negative counts, zero denominators,
        counts above denominators for a proportion, repeated periods, or a
        fit that does not converge (proportions all at 0% or 100%: separation).

    Notes
    -----
    One statsmodels ``GLM`` fit per call (IRLS, Poisson with a log link and
    ``log(denominator)`` offset, or binomial with a logit link). The quasi
    model (R's ``quasipoisson`` / ``quasibinomial``) has the same estimates
    and its standard errors multiplied by ``sqrt(Pearson chi2 / residual
    df)``, so both come from that one fit. (statsmodels' own
    ``fit(scale="X2")`` rescales inside its iterations and fails to converge
    on binomial counts with large denominators.) Time is measured in periods (first = 1);
    the per-year ratio is ``exp(periods_per_year x coefficient)`` with limits
    ``exp(periods_per_year x (coef -/+ q x SE))``, ``q`` the normal quantile
    (t with the residual df for quasi models).

    The seasonal term is a factor for the period of the year (dummies
    ``q2``..``q4`` against the first quarter present): the log-linear Poisson
    (or logistic) model with a linear time trend and a quarter-of-year
    factor, the usual adjustment of a count series for a fixed seasonal
    pattern before reading its trend. The time coefficient is then the trend
    between the same quarters of successive years. Two years of periods are
    needed so that each quarter is seen at least twice; a quarter never seen
    (gaps) gets no dummy.

    Verified against R 4.2.2 ``glm`` (Poisson, quasi-Poisson, with quarter
    dummies), ``cor.test`` (Kendall, exact) and ``prop.trend.test``
    (``tests/stats/data/trend_short_series_expected.csv``): coefficients,
    deviance and Pearson chi2 to 1e-6; standard errors, p-values and the
    dispersion to 1e-5 (R stops its IRLS on a deviance change of 1e-8 and
    takes the covariance and dispersion from that iteration's weights, which
    differ from the converged ones by up to 4e-6).

    References
    ----------
    .. [1] McCullagh P, Nelder JA. Generalized Linear Models (2nd edn). 1989.
    .. [2] statsmodels ``statsmodels.genmod.generalized_linear_model.GLM``.
    .. [3] Armitage P. Tests for linear trends in proportions and frequencies.
       Biometrics 1955; 11: 375-386.
    """
    conf = check_confidence(confidence)
    if kind not in ("rate", "proportion"):
        raise ValueError(f"kind must be 'rate' or 'proportion', got {kind!r}")
    if dispersion not in ("auto", "fixed", "quasi"):
        raise ValueError(f"dispersion must be 'auto', 'fixed' or 'quasi', got {dispersion!r}")
    if int(periods_per_year) != periods_per_year or periods_per_year < 1:
        raise ValueError(f"periods_per_year must be a positive whole number, got {periods_per_year!r}")
    ppy = int(periods_per_year)
    x = as_float_array(counts, "counts")
    d = as_float_array(denominators, "denominators")
    if len(x) != len(d):
        raise ValueError(f"counts and denominators must have the same length, got {len(x)} and {len(d)}")
    n = len(x)
    check_min_points(n, MIN_POINTS, "trend_test")
    check_no_missing(x, "counts", "a trend test")
    check_no_missing(d, "denominators", "a trend test")
    if (x < 0).any():
        raise ValueError(f"counts must be zero or more; negative at positions {np.flatnonzero(x < 0).tolist()}")
    if (d <= 0).any():
        raise ValueError(
            f"denominators must be greater than zero; zero or negative at positions {np.flatnonzero(d <= 0).tolist()}"
        )
    if kind == "proportion" and (x > d).any():
        raise ValueError(
            f"counts must not exceed denominators for a proportion; at positions {np.flatnonzero(x > d).tolist()}"
        )
    if x.sum() == 0:
        raise ValueError("every count is zero: there is no trend to estimate")
    if kind == "proportion" and (x == d).all():
        raise ValueError("every count equals its denominator: there is no trend to estimate")

    order, t, season = period_index(periods, n, ppy, seasons)
    x, d = x[order], d[order]
    seasonal = ppy > 1 if seasonal is None else bool(seasonal)
    if seasonal and (ppy == 1 or t.max() - t.min() + 1 < SEASONAL_MIN_YEARS * ppy):
        raise ValueError(
            f"a seasonal term needs at least {SEASONAL_MIN_YEARS} years of periods "
            f"({SEASONAL_MIN_YEARS * ppy}), so that the pattern within a year is not read as a trend; got {n}"
        )

    cols = {"const": np.ones(n), "t": t}
    if seasonal:
        present = sorted(set(season.tolist()))
        for s in present[1:]:
            cols[f"q{s}"] = (season == s).astype(float)
    X = pd.DataFrame(cols)

    # statsmodels takes about 0.4 s to import: loaded by the first test, not by every page that names a trend
    from statsmodels.genmod import families  # noqa: PLC0415 - see above
    from statsmodels.genmod.generalized_linear_model import GLM  # noqa: PLC0415 - see above
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning  # noqa: PLC0415 - see above

    if kind == "rate":
        model = GLM(x, X, family=families.Poisson(), offset=np.log(d))
        base = "Poisson GLM, log(denominator) offset"
    else:
        model = GLM(np.column_stack([x, d - x]), X, family=families.Binomial())
        base = "binomial GLM (logit)"
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        try:
            fit = model.fit()
        except PerfectSeparationWarning:
            fit = None
    if fit is None or not fit.converged or not np.isfinite(fit.bse).all() or _separated(fit.mu, kind):
        raise ValueError(
            "the model does not converge: the fitted "
            + ("proportions reach 0% or 100%" if kind == "proportion" else "counts reach zero")
            + " (separation), so a trend cannot be estimated"
        )
    df_resid = float(fit.df_resid)
    phi = float(fit.pearson_chi2 / df_resid) if df_resid > 0 else float("nan")
    quasi = dispersion == "quasi" or (dispersion == "auto" and df_resid > 0 and phi > 1)
    coef = float(fit.params["t"])
    se = float(np.sqrt(phi if quasi else 1.0) * fit.bse["t"])
    if quasi:
        base = "quasi-" + base
        p = float(2 * scipy.stats.t.sf(abs(coef / se), df_resid))
        q = float(scipy.stats.t.ppf(0.5 + conf / 2, df_resid))
    else:
        p = float(2 * scipy.stats.norm.sf(abs(coef / se)))
        q = float(scipy.stats.norm.ppf(0.5 + conf / 2))
    k = float(ppy)
    ratio = float(np.exp(k * coef))
    lo = float(np.exp(k * (coef - q * se)))
    hi = float(np.exp(k * (coef + q * se)))
    method = base + (
        ", quarter-of-year dummies" if seasonal and ppy == 4 else ", period-of-year dummies" if seasonal else ""
    )

    y = x / d * (per if kind == "rate" else 1.0)
    tau, kp, kmethod = kendall_trend(y, t)

    a_chi2 = a_p = None
    if kind == "proportion":
        a_chi2 = cochran_armitage_chi2(x, d, t)
        a_p = float(scipy.stats.chi2.sf(a_chi2, 1))

    return TrendResult(
        ratio_per_year=ratio,
        lower=lo,
        upper=hi,
        p_value=p,
        method=method,
        kendall_tau=tau,
        kendall_p=kp,
        kendall_method=kmethod,
        n_points=n,
        dispersion=phi,
        quasi=quasi,
        seasonal=seasonal,
        coef_per_period=coef,
        se_per_period=se,
        ratio_per_period=float(np.exp(coef)),
        periods_per_year=ppy,
        armitage_chi2=a_chi2,
        armitage_p=a_p,
        confidence=conf,
        kind=kind,
        sentence=_sentence(ratio, lo, hi, p, conf, kind),
        headline=_headline(ratio, lo, hi, p, conf, kind),
        glm=fit,
        design=X,
    )
