"""The Making Data Count special-cause rules, one function each, as NHSRplotthedots 0.2 ``ptd_calculate_point_type``.

:func:`special_cause_types` applies them, in precedence, to one run of
consecutive points of one limits group; :func:`point_type` orients a special
cause by the improvement direction; :data:`RULES` says in words which rule a
``special_cause_type`` is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "seven_point_one_side_mean",
    "part_of_seven_trend",
    "seven_point_trend",
    "two_in_three",
    "part_of_two_in_three",
    "special_cause_types",
    "point_type",
    "rule_of",
    "RULES",
    "COMMON_CAUSE",
]

#: ``special_cause_type`` of a point no rule flags.
COMMON_CAUSE = "Common Cause"

#: The rule behind each kind of ``special_cause_type`` (the text before any "Above"/"Below"/"Increasing").
RULES: dict[str, str] = {
    "outside_limits": "a point outside the process limits",
    "trend": "a run of 7 points each higher (or lower) than the one before",
    "two_in_three": "2 of 3 consecutive points beyond two-thirds of the way to a limit, on one side of the mean",
    "shift": "a run of 7 points on one side of the mean",
}


def rule_of(special_cause_type: str) -> str | None:
    """The key of :data:`RULES` a ``special_cause_type`` comes from; None for common cause (or a gap: "")."""
    if special_cause_type.endswith(("UCL", "LCL")):
        return "outside_limits"
    if special_cause_type.startswith("7 Point Trend"):
        return "trend"
    if special_cause_type.startswith("2 in 3"):
        return "two_in_three"
    if special_cause_type.startswith("7 Points"):
        return "shift"
    return None


def seven_point_one_side_mean(v: Any) -> np.ndarray:
    """1 where a point is the 7th (or later) of a run on one side of the mean.

    ``v`` is the sign of each point relative to the mean (-1, 0, 1); a point on
    the mean (0) breaks a run. NHSRplotthedots ``ptd_seven_point_one_side_mean``.
    """
    v = np.asarray(v, dtype=float)
    vp = np.concatenate([np.zeros(6), v])
    return np.array([float(np.all(vp[i] == vp[i - np.arange(1, 7)]) and vp[i] != 0) for i in range(6, len(vp))])


def part_of_seven_trend(v: Any) -> np.ndarray:
    """1 where a point is flagged or one of the next 6 points is (back-fills a run).

    NHSRplotthedots ``ptd_part_of_seven_trend``.
    """
    v = np.asarray(v, dtype=float)
    vp = np.concatenate([v, np.zeros(6)])
    return np.array([float(np.any(np.abs(vp[i : i + 7]) == 1)) for i in range(len(v))])


def seven_point_trend(y: Any) -> np.ndarray:
    """+1 / -1 at the 7th (or later) point of 7 consecutively rising / falling points.

    Six successive increases (or decreases) are needed; a tie (equal
    consecutive values) breaks the trend. NHSRplotthedots ``ptd_seven_point_trend``.
    """
    y = np.asarray(y, dtype=float)
    out = np.zeros(len(y))
    for i in range(6, len(y)):
        d = np.sign(np.diff(y[i - 6 : i + 1]))
        if np.all(d == 1):
            out[i] = 1
        elif np.all(d == -1):
            out[i] = -1
    return out


def two_in_three(v: Any, rtm: Any) -> np.ndarray:
    """1 for every point of a 3-point window with 2+ points close to a limit, all on one side.

    ``v`` flags points close to the limits, ``rtm`` is the sign relative to the
    mean. NHSRplotthedots ``ptd_two_in_three``.
    """
    v = np.asarray(v, dtype=float)
    rtm = np.asarray(rtm, dtype=float)
    if len(v) == 0:
        return np.zeros(0)
    vp = np.concatenate([[0, 0], v, [0, 0]])
    rp = np.concatenate([[0, 0], rtm, [0, 0]])
    out = np.zeros(len(v))
    for i in range(len(v)):
        for s in (0, 1, 2):
            w = slice(i + s, i + s + 3)
            if vp[w].sum() >= 2 and abs(rp[w].sum()) == 3:
                out[i] = 1
                break
    return out


def part_of_two_in_three(v: Any, close: Any) -> np.ndarray:
    """Only the close-to-limit points of a 2-in-3 window are special cause.

    NHSRplotthedots ``ptd_part_of_two_in_three``.
    """
    v = np.asarray(v, dtype=float)
    close = np.asarray(close, dtype=float)
    return ((v == 1) & (np.abs(close) == 1)).astype(float)


def special_cause_types(y: np.ndarray, rtm: np.ndarray, close: np.ndarray, outside: np.ndarray) -> tuple[list, list]:
    """The ``special_cause_type`` of each point of one run of consecutive points, and its trend direction.

    NHSRplotthedots ``ptd_special_cause_type``: in precedence, outside the
    limits; part of a 7-point trend (the direction of a point inside a trend
    is its right-hand step, else its left-hand step); part of a 2-in-3 close
    to a limit; part of a run of 7 on one side of the mean.

    Returns
    -------
    types : list of str
    trend : list of int
        +1 / -1 where the point is part of a rising / falling 7-point trend, else 0.
    """
    part_trend = part_of_seven_trend(seven_point_trend(y))
    part_two = part_of_two_in_three(two_in_three(close, rtm), close)
    part_side = part_of_seven_trend(seven_point_one_side_mean(rtm))
    sdy = np.sign(np.diff(y))
    right = np.concatenate([sdy, sdy[-1:]]) if len(sdy) else np.zeros(len(y))
    left = np.concatenate([[0.0], sdy])
    both = np.concatenate([part_trend[1:], [0.0]]).astype(bool) & part_trend.astype(bool)
    trend_dir = np.where(both, right, left)
    types = []
    for i in range(len(y)):
        side = "Above" if rtm[i] > 0 else "Below"
        if outside[i]:
            types.append("Above UCL" if rtm[i] == 1 else "Below LCL")
        elif part_trend[i]:
            types.append(f"7 Point Trend ({'In' if trend_dir[i] == 1 else 'De'}creasing)")
        elif part_two[i]:
            types.append(f"2 in 3 {side} CL")
        elif part_side[i]:
            types.append(f"7 Points {side} CL")
        else:
            types.append(COMMON_CAUSE)
    return types, [int(d) if t else 0 for d, t in zip(trend_dir, part_trend, strict=True)]


def point_type(special_cause_type: str, direction: int) -> str:
    """NHSRplotthedots ``ptd_point_type``: a special cause as improvement / concern (or neutral high / low).

    ``direction`` is 1 (increase is improvement), -1 (decrease) or 0 (neutral).
    """
    if "Above" in special_cause_type or "Increasing" in special_cause_type:
        v = 1
    elif "Below" in special_cause_type or "Decreasing" in special_cause_type:
        v = -1
    else:
        return "common_cause"
    if direction == 0:
        return "special_cause_neutral_high" if v > 0 else "special_cause_neutral_low"
    return "special_cause_improvement" if v * direction > 0 else "special_cause_concern"
