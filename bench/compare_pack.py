"""Compare two board packs' HTML pages, ignoring what changes from run to run.

Normalised before comparing: time stamps, embedded images (``data:`` URIs),
cell ids, the random ids of great_tables and pandas Styler tables, widget
model ids (and the order of the widget state), and the explorer's "Drawn in"
time. Prints, for each page, ``same`` or the differing lines.

Usage: ``python bench/compare_pack.py OLD_DIR NEW_DIR [--lines N]``, e.g.
``python bench/compare_pack.py /path/to/old/reports/2026-27-Q2 reports/2026-27-Q2``.
Exits 1 when a page differs or is missing on one side.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

_HEX32 = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
_WIDGET_STATE = re.compile(r'(<script type="application/vnd.jupyter.widget-state\+json">)(.*?)(</script>)', re.S)


def _widget_state(m: re.Match[str]) -> str:
    try:
        state = json.loads(m.group(2))
    except ValueError:
        return m.group(0)
    models = sorted(_HEX32.sub("ID", json.dumps(v, sort_keys=True)) for v in state.get("state", {}).values())
    return m.group(1) + "\n".join(models) + m.group(3)


def normalise(page: str) -> str:
    """``page`` without what differs between two runs of the same pack."""
    page = re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "data:image", page)
    page = re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?", "TIME", page)
    page = re.sub(r"\d{1,2} [A-Z][a-z]+ \d{4} \d{2}:\d{2}", "TIME", page)
    page = re.sub(r'id="cell-id=[0-9a-f-]+"', 'id="cell-id"', page)
    for gt_id in set(re.findall(r'<div id="([a-z]{10})"', page)):
        page = page.replace(gt_id, "GT_ID")
    page = _WIDGET_STATE.sub(_widget_state, page)
    page = _HEX32.sub("ID", page)
    page = re.sub(r"T_[0-9a-f]{5}", "T_ID", page)
    return re.sub(r"Drawn in [0-9.]+ s", "Drawn in N s", page)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--lines", type=int, default=20, help="differing lines shown per page")
    args = ap.parse_args(argv)
    differ = 0
    for name in sorted({p.name for p in args.old.glob("*.html")} | {p.name for p in args.new.glob("*.html")}):
        old, new = args.old / name, args.new / name
        if not (old.exists() and new.exists()):
            print(f"{name}: only in {args.old if old.exists() else args.new}")
            differ += 1
            continue
        a = normalise(old.read_text(encoding="utf-8"))
        b = normalise(new.read_text(encoding="utf-8"))
        if a == b:
            print(f"{name}: same")
            continue
        differ += 1
        diff = list(difflib.unified_diff(a.splitlines(), b.splitlines(), "old", "new", n=0, lineterm=""))
        print(f"{name}: differs" + ("" if diff else " (only in line endings or the final newline)"))
        for line in diff[2 : 2 + args.lines]:
            print(f"    {line[:300]}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
