"""Kernels forked from the template are fresh, isolated kernels that behave like normally started ones."""

from __future__ import annotations

import ast
import json
import os
import sys
import time

import nbformat
import pytest
from nbclient import NotebookClient

from lscb_analysis.publish.kernels import (
    KernelTemplate,
    TemplateClient,
    TemplateKernelManager,
    _ipykernel_argv,
    template_supported,
)

pytestmark = pytest.mark.skipif(not template_supported(), reason="kernels are forked from a template only on Linux")

PROBE = """
import json, os, sys
import numpy as np
import matplotlib.pyplot as plt
plt.plot([1, 2, 3])
plt.show()
print(json.dumps({
    "pid": os.getpid(), "ppid": os.getppid(), "pgid": os.getpgid(0), "cwd": os.getcwd(),
    "env": os.environ.get("LSCB_TEST_MARK"), "random": float(np.random.random()),
    "leaked": "LEFT_BY_ANOTHER_NOTEBOOK" in globals(), "preloaded": "lscb_analysis.report" in sys.modules,
    "backend": __import__("matplotlib").get_backend(),
}))
LEFT_BY_ANOTHER_NOTEBOOK = 1
"""


@pytest.fixture(scope="module")
def template():
    with KernelTemplate() as tpl:
        client = TemplateClient(tpl.address)
        assert client.wait_ready(), client.error
        yield tpl, client
        client.close()


def _run(source: str, cwd, manager=None, **kw) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    extra = {"kernel_manager_class": manager} if manager else {}
    NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}, **extra, **kw).execute()
    return nb


def _probe(nb: nbformat.NotebookNode) -> dict:
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream")
    return json.loads(text.strip().splitlines()[-1])


def test_each_notebook_gets_its_own_fresh_kernel_with_its_own_folder_and_environment(template, tmp_path, monkeypatch):
    tpl, client = template
    monkeypatch.setenv("LSCB_TEST_MARK", "passed through")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    manager = TemplateKernelManager.bound(client)
    first, second = _run(PROBE, tmp_path / "a", manager), _run(PROBE, tmp_path / "b", manager)
    a, b = _probe(first), _probe(second)
    assert a["pid"] != b["pid"] and os.getpid() not in (a["pid"], b["pid"])
    assert a["ppid"] == b["ppid"] == tpl._proc.pid  # forked by the template, not started from scratch
    assert a["pgid"] == a["pid"]  # its own process group, as jupyter_client's launcher gives a kernel
    assert a["preloaded"] and a["cwd"] == str(tmp_path / "a") and b["cwd"] == str(tmp_path / "b")
    assert a["env"] == "passed through"
    assert not a["leaked"] and not b["leaked"]  # nothing one notebook defines reaches the next
    assert a["random"] != b["random"]  # numpy's global random state is not shared between kernels
    assert a["backend"] == "module://matplotlib_inline.backend_inline"
    for nb in (first, second):  # the inline backend puts figures in the notebook, as in a normal kernel
        assert any("image/png" in o.get("data", {}) for o in nb.cells[0].outputs)


def test_a_forked_kernel_gives_the_same_outputs_as_a_normally_started_one(template, tmp_path):
    _, client = template
    source = (
        "from lscb_analysis.render.format import format_value\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"
        "from lscb_analysis.render.plots.style import apply_style\napply_style()\n"
        "plt.plot([1, 3, 2], label='x'); plt.title('Same pixels'); plt.legend(); plt.show()\n"
        "print(format_value(12.345, 'percentage'))\npd.DataFrame({'a': [1, 2]})"
    )
    forked = _run(source, tmp_path, TemplateKernelManager.bound(client)).cells[0].outputs
    plain = _run(source, tmp_path).cells[0].outputs
    assert any("image/png" in o.get("data", {}) for o in forked)
    assert forked == plain  # same text, same table, same chart to the byte


def test_a_running_cell_can_be_interrupted(template, tmp_path):
    _, client = template
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import time\ntime.sleep(60)"),
            nbformat.v4.new_code_cell("print('still alive')"),
        ]
    )
    c = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=2,
        interrupt_on_timeout=True,
        allow_errors=True,
        kernel_manager_class=TemplateKernelManager.bound(client),
        resources={"metadata": {"path": str(tmp_path)}},
    )
    t = time.monotonic()
    c.execute()
    assert time.monotonic() - t < 50  # the sleep was interrupted, not waited out
    assert nb.cells[0].outputs[0]["ename"] == "KeyboardInterrupt"
    assert nb.cells[1].outputs[0]["text"].strip() == "still alive"


def test_kernels_exit_when_the_template_goes_away(tmp_path):
    with KernelTemplate() as tpl:
        client = TemplateClient(tpl.address)
        from jupyter_client.connect import write_connection_file

        conn, _ = write_connection_file(str(tmp_path / "kernel.json"))
        pid = client.fork(["-f", conn], str(tmp_path), dict(os.environ))
        assert client.exit_code(pid) is None
        client.close()
    deadline = time.monotonic() + 30  # the kernel's parent poller checks every second
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.kill(pid, 9)
        pytest.fail("a kernel outlived its template")


def test_a_template_that_cannot_import_falls_back_to_normal_kernels(tmp_path, caplog):
    with KernelTemplate(preload=["lscb_analysis", "no_such_module_for_lscb"]) as tpl:
        client = TemplateClient(tpl.address)
        assert client.wait_ready() is False
        assert "no_such_module_for_lscb" in client.error
        nb = _run("import os\nprint(os.getpid())", tmp_path, TemplateKernelManager.bound(client))
        pid = int(nb.cells[0].outputs[0]["text"])
        assert pid != tpl._proc.pid
        client.close()


def test_only_this_interpreters_ipykernel_is_forked():
    assert _ipykernel_argv([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"]) == ["-f", "c.json"]
    assert _ipykernel_argv(["/usr/bin/false-python", "-m", "ipykernel_launcher", "-f", "c.json"]) is None
    assert _ipykernel_argv(["R", "--slave", "-e", "IRkernel::main()"]) is None


#: Packages whose import is most of a kernel's start-up: a report must find them already in the template.
HEAVY = {"lscb_analysis", "numpy", "scipy", "statsmodels", "seaborn", "great_tables", "pyarrow", "pydantic", "narwhals"}


@pytest.mark.parametrize("report", ["core_data_set", "subgroup_report"])
def test_reports_import_nothing_heavy_that_the_template_has_not(project, template, report):
    """If a report starts importing a new heavy module, add it to REPORT_MODULES (and so to the floor)."""
    import papermill as pm

    from lscb_analysis.ingest import ingest_quarters
    from lscb_analysis.returns.folders import return_folders

    _, client = template
    ingest_quarters(list(return_folders(project)), project)
    nb = nbformat.read(project / "notebooks" / f"{report}.ipynb", as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import sys\n_modules_at_start = set(sys.modules)"))
    nb.cells.append(nbformat.v4.new_code_cell("print(sorted(set(sys.modules) - _modules_at_start))"))
    src = project / "notebooks" / f"probe_{report}.ipynb"
    nbformat.write(nb, src)
    params = {"quarter": "latest", "project_root": str(project)} | (
        {"subgroup": "quality_assurance"} if report == "subgroup_report" else {}
    )
    out = pm.execute_notebook(
        str(src),
        str(project / "out.ipynb"),
        parameters=params,
        cwd=str(src.parent),
        progress_bar=False,
        kernel_manager_class=TemplateKernelManager.bound(client),
    )
    new = ast.literal_eval(out.cells[-1].outputs[0]["text"])  # a printed list of module names
    heavy = [m for m in new if m.split(".")[0] in HEAVY]
    assert not heavy, f"imported after the kernel started: {heavy}"
