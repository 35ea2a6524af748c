"""Benchmark: how long the explorer takes to redraw after each interaction.

The goal (issue): every interaction redraws in under half a second on the demo
data. This drives :class:`lscb_analysis.explore.Explorer` as a user would, by
setting widget values, on the real store (``make ingest`` first):

* for each view (SPC, trend, benchmark, table), ``--n`` redraws cycling through
  indicators (and, for SPC, trend and table, their breakdown values and a
  narrower quarter range), each timed from the widget change to the output
  area holding the new PNG or table;
* the first redraw of a view is reported separately (``first``): it pays for
  imports and caches;
* the explorer's cache of drawn views is cleared before each timed redraw, so
  every timing computes and renders (``--cached`` keeps it: a view seen
  before then redraws in milliseconds).

It prints a table and writes ``bench/results/explore.json``. Timings are
wall-clock in this process, without a browser: the browser adds the transfer
of one PNG (~50-100 kB) over the kernel's websocket.

Usage: ``python bench/explore.py [--quarter Q] [--n N]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
GOAL = 0.5


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quarter", default="latest")
    ap.add_argument("--n", type=int, default=30, help="redraws timed per view")
    ap.add_argument(
        "--cached",
        dest="uncached",
        action="store_false",
        help="keep the explorer's cache of drawn views (default: clear it before each timed redraw)",
    )
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    from lscb_analysis.explore import Explorer
    from lscb_analysis.render.views import VIEWS
    from lscb_analysis.summary.context import load_context

    ctx = load_context(args.quarter, ROOT)
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    ex = Explorer(ctx, warm=True)
    t_init = time.perf_counter() - t1

    with_data = [i for i in ctx.catalogue.indicators if i in set(ctx.figures.indicator_id)]
    periods = ctx.periods
    results: dict[str, dict[str, object]] = {}
    for view in VIEWS:
        times: list[float] = []
        first = None
        pool = with_data
        if view == "benchmark":  # the indicators DfE publishes, plus ones that only show a message
            from lscb_analysis.parameters.benchmark_measures import load_benchmark_measures

            dfe = [i for i in load_benchmark_measures().indicators if i in ctx.catalogue.indicators]
            pool = dfe + [i for i in with_data if i not in dfe][:2]
        for k in range(args.n + 1):
            ind = pool[k % len(pool)]
            ex._suspend = True  # set up the selection without redrawing...
            try:
                if ex.indicator.value != ind:
                    ex.indicator.value = ind
                opts = [v for _, v in ex.breakdown.options]
                ex.breakdown.value = opts[(k // len(pool)) % len(opts)] if view != "benchmark" else opts[0]
                lo = (k * 3) % max(1, len(periods) - 6)
                ex.periods.value = (periods[lo], periods[-1]) if k % 2 else (periods[0], periods[-1])
            finally:
                ex._suspend = False
            # ...then time the interaction that triggers the redraw: switching to the view.
            ex._suspend = True
            ex.view.value = next(v for v in VIEWS if v != view)
            ex._suspend = False
            if args.uncached:
                ex.clear_cache()
            t = time.perf_counter()
            ex.view.value = view  # observer -> redraw
            dt = time.perf_counter() - t
            assert ex.output.outputs, "no output"
            if k == 0:
                first = dt
            else:
                times.append(dt)
        times.sort()
        results[view] = {
            "n": len(times),
            "first_s": round(first or 0.0, 4),
            "median_s": round(statistics.median(times), 4),
            "p95_s": round(times[max(0, int(round(0.95 * len(times))) - 1)], 4),
            "max_s": round(times[-1], 4),
            "under_goal": sum(t < GOAL for t in times),
        }
    out = {
        "goal_s": GOAL,
        "quarter": ctx.quarter.code,
        "load_context_s": round(t_load, 3),
        "explorer_init_s": round(t_init, 3),
        "cache_cleared_before_each_redraw": args.uncached,
        "views": results,
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()},
    }
    print(
        f"explorer on {ctx.quarter.code}: load_context {t_load:.2f}s, "
        f"Explorer() {t_init:.2f}s (imports, benchmark warm-up)"
    )
    print(f"{'view':<10} {'first':>7} {'median':>7} {'p95':>7} {'max':>7}  under {GOAL}s")
    for v, r in results.items():
        times = f"{r['first_s']:>7.3f} {r['median_s']:>7.3f} {r['p95_s']:>7.3f} {r['max_s']:>7.3f}"
        print(f"{v:<10} {times}  {r['under_goal']}/{r['n']}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "explore.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS / 'explore.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
