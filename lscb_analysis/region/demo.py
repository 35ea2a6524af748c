"""Six fictional partnerships sharing eight quarters with a fictional region (``lscb region demo``).

The demo region's project is ``demo/region/`` (its ``parameters/region.yaml`` is
written by hand). The generator writes every member's shared files into
``data/raw/shared/<yyyy-yy-Qn>/`` through the path ``lscb share`` takes
(:func:`lscb_analysis.region.share.exchange_rows` applies each partnership's
disclosure control, :func:`lscb_analysis.region.exchange.write_exchange` writes
the CSV and its manifest), so the same arguments give the same bytes (a test
checks it). Levels are those of England's published figures (the main demo's
anchors, rounded), and the partnerships differ on purpose, so the regional
pack has something worth discussing:

* **Brindlecombe** is clearly high: referrals, child protection plans, children
  looked after and re-referrals well above the others;
* **Elverdale** (which may not be named) is clearly low: reviews in time and
  charges or cautions well below the others;
* **Corvale**, the smallest, has 3 offences resulting in a charge or caution in
  the latest quarter: it shares ``c``, and the regional figure is computed without it;
* **Dunholt** (which may not be named) counts repeat plans on a local
  definition, a second plan within two years: shown separately, never pooled;
* **Fenwyke** is late: no file yet for the latest quarter.

Apart from Corvale's, no count falls in the suppression range. Nothing here
is real data about real children.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.atomic import atomic_write_text
from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.parameters.yamlio import dump_yaml
from lscb_analysis.paths import REGION_MARKER, paths
from lscb_analysis.periods import Quarter
from lscb_analysis.region.exchange import Manifest, exchange_name, write_exchange
from lscb_analysis.region.settings import Member, RegionSettings, load_region
from lscb_analysis.region.share import Shared, exchange_rows
from lscb_analysis.tidy import TOTAL

__all__ = [
    "DEMO_LAST",
    "DEMO_QUARTERS",
    "LOCAL_DEFINITION",
    "PROFILES",
    "generate_region_demo",
    "resend_with_revision",
    "synthetic_region",
]

#: The latest quarter of the demo (the main demo's), and how many quarters it covers.
DEMO_LAST = Quarter(2026, 2)
DEMO_QUARTERS = 8
#: How Dunholt counts repeat plans.
LOCAL_DEFINITION = "second plan within two years of the previous one"
_AGREEMENT = "VF-ISA-2026-01"


@dataclass(frozen=True)
class Profile:
    """A partnership of the demo: its children and how it differs from the region (factors on the usual level)."""

    population: int
    named: bool = True
    factors: tuple[tuple[str, float], ...] = ()
    suppressed: str = ""  # indicator whose latest numerator is 3: shared as the symbol
    local: str = ""  # indicator counted on a local definition
    late: bool = False  # no file for the latest quarter


PROFILES: dict[str, Profile] = {
    "ASHM": Profile(52_000),
    "BRIN": Profile(
        88_000,
        factors=(("referrals_rate", 1.45), ("cpp_rate", 1.5), ("cla_rate", 1.3), ("rereferrals_pct", 1.4)),
    ),
    "CORV": Profile(31_000, suppressed="child_abuse_charge_or_caution_pct"),
    "DUNH": Profile(64_000, named=False, local="cpp_second_or_subsequent_pct"),
    "ELVE": Profile(
        47_000,
        named=False,
        factors=(("cp_reviews_in_time_pct", 0.85), ("child_abuse_charge_or_caution_pct", 0.5), ("cpp_rate", 0.7)),
    ),
    "FENW": Profile(58_000, late=True),
}

#: Usual quarterly level: per 10,000 children for rates, a proportion for percentages.
_LEVELS = {
    "cpp_rate": 42.0,
    "referrals_rate": 135.0,
    "cla_rate": 68.0,
    "injury_admissions_rate": 26.0,
    "rereferrals_pct": 0.21,
    "cpp_second_or_subsequent_pct": 0.22,
    "cp_reviews_in_time_pct": 0.93,
    "child_abuse_charge_or_caution_pct": 0.16,
}
#: A percentage's denominator: (indicator whose numerator drives it, or "" for the population), scale.
_DENOMINATORS = {
    "rereferrals_pct": ("referrals_rate", 1.0),
    "cpp_second_or_subsequent_pct": ("cpp_rate", 0.3),
    "cp_reviews_in_time_pct": ("cpp_rate", 0.8),
    "child_abuse_charge_or_caution_pct": ("", 20.0 / 10_000),
}
#: Dunholt's local definition (within two years) finds fewer repeat plans.
_LOCAL_LEVEL = 0.09


def _seed(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _figures(member: str, profile: Profile, q: Quarter, index: int, indicators: list[str]) -> pd.DataFrame:
    """One member's total rows for one quarter (tidy shape), random but fixed by member and quarter."""
    rng = np.random.default_rng(_seed("region-demo", member, q.code))
    factors = dict(profile.factors)
    pop = int(round(profile.population * (1 + 0.004 * index)))
    nums: dict[str, int] = {}
    dens: dict[str, int] = {}
    for ind in sorted(indicators, key=lambda i: i in _DENOMINATORS):  # rates first: they drive denominators
        level = _LEVELS[ind] * factors.get(ind, 1.0)
        if ind not in _DENOMINATORS:
            nums[ind], dens[ind] = int(rng.poisson(level * pop / 10_000)), pop
            continue
        driver, scale = _DENOMINATORS[ind]
        den = int(rng.poisson(scale * (nums[driver] if driver else pop)))
        p = _LOCAL_LEVEL if ind == profile.local else min(level, 0.99)
        num = int(rng.binomial(den, p))
        if ind == profile.suppressed and index == DEMO_QUARTERS - 1:
            num = 3
        elif 0 < num <= 5:
            num = 6  # only the planted count falls in the suppression range
        nums[ind], dens[ind] = num, den
    return pd.DataFrame(
        {
            "indicator_id": indicators,
            "period": q.period,
            "area": member,
            "breakdown": TOTAL,
            "breakdown_value": TOTAL,
            "numerator": [float(nums[i]) for i in indicators],
            "denominator": [float(dens[i]) for i in indicators],
            "value": np.nan,
            "status": "",
        }
    )


def _write_member(
    root: Path, settings: RegionSettings, member: Member, profile: Profile, last: Quarter, quarters: int
) -> list[Path]:
    inds = [i.id for i in settings.indicators]
    shared = [Shared(i.id, i.id, i.unit, False, local=i.id == profile.local) for i in settings.indicators]
    local = {profile.local: LOCAL_DEFINITION} if profile.local else {}
    out: list[Path] = []
    for index in range(quarters):
        q = last + (index - quarters + 1)
        if profile.late and q == last:
            continue
        figures = _figures(member.id, profile, q, index, inds)
        rows = exchange_rows(figures, shared, partnership=member.id, quarter=q, rule=Disclosure())
        out += write_exchange(
            rows,
            paths(root).shared / q.slug,
            partnership=member.id,
            partnership_name=member.name,
            quarter=q,
            definitions_version=settings.definitions_version,
            agreement=_AGREEMENT,
            may_be_named=profile.named,
            local_definitions=local,
            disclosure=Disclosure(),
        )
    return out


def generate_region_demo(
    root: Path | str | None = None, *, last: Quarter = DEMO_LAST, quarters: int = DEMO_QUARTERS
) -> list[Path]:
    """Write the demo members' shared files into the region's project at ``root`` (``demo/region/``).

    Members without a profile in :data:`PROFILES` get the usual levels with
    their own random variation (as :func:`synthetic_region` makes them).

    Returns
    -------
    list of Path
        Every file written (CSV and manifest).
    """
    p = paths(root)
    settings = load_region(p.root)
    out: list[Path] = []
    for member in settings.members:
        profile = PROFILES.get(member.id) or _synthetic_profile(member.id)
        out += _write_member(p.root, settings, member, profile, last, quarters)
    return out


def _synthetic_profile(member: str) -> Profile:
    rng = np.random.default_rng(_seed("region-synthetic", member))
    factors = tuple((ind, float(np.exp(rng.normal(0, 0.12)))) for ind in _LEVELS)
    return Profile(int(rng.integers(30_000, 120_000)), factors=factors)


def synthetic_region(folder: Path | str, template: RegionSettings, *, members: int, quarters: int) -> Path:
    """A region of ``members`` synthetic partnerships over ``quarters`` quarters, for benchmarks.

    Writes ``parameters/region.yaml`` (the template's definitions, members
    ``P01``...) and every member's shared files.

    Returns
    -------
    Path
        The region's project folder.
    """
    folder = Path(folder)
    data = template.model_dump(mode="json")
    data["members"] = [
        {"id": f"P{i:02d}", "name": f"Synthetic partnership {i:02d}", "label": f"Partnership {i:02d}"}
        for i in range(1, members + 1)
    ]
    data["fictional"] = True
    atomic_write_text(folder / REGION_MARKER, dump_yaml(data))
    generate_region_demo(folder, quarters=quarters)
    return folder


def resend_with_revision(
    root: Path | str | None, quarter: Quarter, partnership: str, indicator_id: str, *, add: int = 1
) -> tuple[Path, Path]:
    """A partnership sends its file for ``quarter`` again with one figure revised: ``add`` to the numerator of
    ``indicator_id`` (for tests and benchmarks of a restated figure and of the pack's incremental build).

    The file is written as ``lscb share`` writes it (:func:`lscb_analysis.region.exchange.write_exchange`,
    with the manifest it had), so it is checked and ingested like any other.

    Returns
    -------
    (Path, Path)
        The CSV and its manifest.
    """
    folder = paths(root).shared / quarter.slug
    name = exchange_name(partnership, quarter)
    manifest = Manifest.model_validate_json((folder / f"{name}.json").read_text(encoding="utf-8"))
    rows = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
    hit = rows["indicator_id"] == indicator_id
    rows.loc[hit, "numerator"] = [str(int(v) + add) for v in rows.loc[hit, "numerator"]]
    kept = {k: v for k, v in manifest if k not in ("format", "file", "rows", "sha256", "quarter")}
    return write_exchange(rows, folder, quarter=quarter, **kept)
