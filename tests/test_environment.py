"""environment.yml (conda) must list the same dependencies as pyproject.toml."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
_SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _norm(req: str) -> tuple[str, str]:
    m = _SPEC.match(req)
    assert m, req
    return re.sub(r"[-_.]+", "-", m.group(1)).lower(), m.group(2).replace(" ", "")


def test_environment_yml_matches_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_norm(r) for r in pyproject["dependencies"] + pyproject["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            listed.update(_norm(r) for r in dep["pip"])
        else:
            name, spec = _norm(dep)
            if name not in ("python", "pip"):
                listed[name] = spec
    missing = sorted(set(wanted) - set(listed))
    extra = sorted(set(listed) - set(wanted))
    differ = sorted(n for n in set(wanted) & set(listed) if wanted[n] != listed[n])
    assert not (missing or extra or differ), (
        f"missing from environment.yml: {missing}; not in pyproject: {extra}; versions differ: {differ}"
    )
