"""A throwaway copy of the project for tests: what the checkout ships, never what a user made in it."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Folders under ``notebooks/`` that hold what people make in their own checkout (``lscb fork`` deep dives,
#: sub-groups' own layouts). A test project starts without their notebooks, so no test depends on them.
USER_NOTEBOOK_FOLDERS = ("deep_dives", "subgroups")


def copy_project(source: Path, dst: Path) -> Path:
    """Copy ``parameters/``, ``notebooks/`` (without users' notebooks) and ``data/raw/`` of ``source`` to ``dst``."""

    def skip(folder: str, names: list[str]) -> set[str]:
        here = Path(folder)
        users = here.name in USER_NOTEBOOK_FOLDERS and here.parent == source / "notebooks"
        return {n for n in names if n == ".ipynb_checkpoints" or (users and n.endswith(".ipynb"))}

    shutil.copytree(source / "parameters", dst / "parameters")
    shutil.copytree(source / "notebooks", dst / "notebooks", ignore=skip)
    shutil.copytree(source / "data" / "raw", dst / "data" / "raw")
    (dst / "data" / "processed").mkdir(parents=True)
    (dst / "reports").mkdir()
    return dst
