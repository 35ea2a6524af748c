"""Kernels forked from the template are fresh, isolated kernels that behave like normally started ones."""

from __future__ import annotations

import ast
import json
import os
import sys
import time

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.provisioning import KernelProvisionerFactory
from nbclient import NotebookClient

from lscb_analysis.publish.kernels import (
    PROVISIONER,
    KernelTemplate,
    TemplateProvisioner,
    _ipykernel_argv,
    kernels_from,
    template_supported,
)
from lscb_analysis.publish.template_process import TemplateClient

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
    "backend": __import__("matplotlib").get_backend(), "jupyter_path": os.environ.get("JUPYTER_PATH"),
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


def _run(source: str, cwd, template: KernelTemplate | None = None, **kw) -> nbformat.NotebookNode:
    """Run one cell in a python3 kernel: forked from ``template``, or started the usual way."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    with kernels_from(template):
        NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}, **kw).execute()
    return nb


def _probe(nb: nbformat.NotebookNode) -> dict:
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream")
    return json.loads(text.strip().splitlines()[-1])


def test_the_template_kernel_spec_selects_the_provisioner_by_entry_point(template):
    tpl, _ = template
    ksm = KernelSpecManager(kernel_dirs=[f"{tpl.kernel_folder}/kernels"])
    spec = ksm.get_kernel_spec("python3")
    stanza = spec.metadata["kernel_provisioner"]
    assert stanza == {"provisioner_name": PROVISIONER, "config": {"address": tpl.address}}
    assert spec.argv[1:3] == ["-m", "ipykernel_launcher"]  # this interpreter's ipykernel, as found
    provisioner = KernelProvisionerFactory.instance().create_provisioner_instance("k", spec, parent=None)
    assert isinstance(provisioner, TemplateProvisioner) and provisioner.address == tpl.address


def test_each_notebook_gets_its_own_fresh_kernel_with_its_own_folder_and_environment(template, tmp_path, monkeypatch):
    tpl, _ = template
    monkeypatch.setenv("LSCB_TEST_MARK", "passed through")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "elsewhere"))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = _run(PROBE, tmp_path / "a", tpl), _run(PROBE, tmp_path / "b", tpl)
    assert os.environ["JUPYTER_PATH"] == str(tmp_path / "elsewhere")  # kernels_from put it back
    a, b = _probe(first), _probe(second)
    assert a["pid"] != b["pid"] and os.getpid() not in (a["pid"], b["pid"])
    assert a["ppid"] == b["ppid"] == tpl.pid  # forked by the template, not started from scratch
    assert a["pgid"] == a["pid"]  # its own process group, as jupyter_client's launcher gives a kernel
    assert a["preloaded"] and a["cwd"] == str(tmp_path / "a") and b["cwd"] == str(tmp_path / "b")
    assert a["env"] == "passed through"
    assert a["jupyter_path"] == str(tmp_path / "elsewhere")  # the template's kernel spec folder is not passed on
    assert not a["leaked"] and not b["leaked"]  # nothing one notebook defines reaches the next
    assert a["random"] != b["random"]  # numpy's global random state is not shared between kernels
    assert a["backend"] == "module://matplotlib_inline.backend_inline"
    for nb in (first, second):  # the inline backend puts figures in the notebook, as in a normal kernel
        assert any("image/png" in o.get("data", {}) for o in nb.cells[0].outputs)


def test_a_forked_kernel_gives_the_same_outputs_as_a_normally_started_one(template, tmp_path):
    tpl, _ = template
    source = (
        "from lscb_analysis.render.format import format_value\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"
        "from lscb_analysis.render.plots.style import apply_style\napply_style()\n"
        "plt.plot([1, 3, 2], label='x'); plt.title('Same pixels'); plt.legend(); plt.show()\n"
        "print(format_value(12.345, 'percentage'))\npd.DataFrame({'a': [1, 2]})"
    )
    forked = _run(source, tmp_path, tpl).cells[0].outputs
    plain = _run(source, tmp_path).cells[0].outputs
    assert any("image/png" in o.get("data", {}) for o in forked)
    assert forked == plain  # same text, same table, same chart to the byte


def test_a_forked_kernel_runs_the_exit_handlers_a_notebook_registers(template, tmp_path):
    tpl, _ = template
    mark = tmp_path / "atexit.txt"
    source = f"import atexit, pathlib\natexit.register(pathlib.Path({str(mark)!r}).write_text, 'ran')"
    _run(source, tmp_path, tpl)  # returns once the kernel has been shut down and has exited
    assert mark.read_text() == "ran"


def test_a_running_cell_can_be_interrupted(template, tmp_path):
    tpl, client = template
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import time\ntime.sleep(60)"),
            nbformat.v4.new_code_cell("import os\nprint('still alive', os.getppid())"),
        ]
    )
    c = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=2,
        interrupt_on_timeout=True,
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    t = time.monotonic()
    with kernels_from(tpl):
        c.execute()
    assert time.monotonic() - t < 50  # the sleep was interrupted, not waited out
    assert nb.cells[0].outputs[0]["ename"] == "KeyboardInterrupt"
    assert nb.cells[1].outputs[0]["text"].strip() == f"still alive {tpl.pid}"  # a kernel forked by the template


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
        nb = _run("import os\nprint(os.getppid())", tmp_path, tpl)
        assert int(nb.cells[0].outputs[0]["text"]) == os.getpid()  # started the usual way, by this process
        client.close()


def test_a_template_started_before_the_run_has_a_log_holds_its_output_until_closed(tmp_path, monkeypatch):
    """`lscb run` starts the template before it knows the run will write a log: the output waits in the template's
    folder and joins the log the run sets, or is dropped with the folder when the run was refused."""
    (tmp_path / "lscb_noisy_probe.py").write_text("import sys\nsys.stderr.write('noisy import\\n')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    log = tmp_path / "run.log"
    log.write_text("the run's own lines\n", encoding="utf-8")
    with KernelTemplate(preload=["lscb_noisy_probe"], hold_log=True) as tpl:
        client = TemplateClient(tpl.address)
        assert client.wait_ready(), client.error  # imported: it has written to its standard error
        client.close()
        assert log.read_text(encoding="utf-8") == "the run's own lines\n", "nothing written before it is closed"
        tpl.log_file = str(log)
    assert log.read_text(encoding="utf-8") == "the run's own lines\nnoisy import\n"
    assert not os.path.exists(tpl.kernel_folder)

    with KernelTemplate(preload=["lscb_noisy_probe"], hold_log=True) as refused:
        client = TemplateClient(refused.address)
        assert client.wait_ready(), client.error
        client.close()
    assert not os.path.exists(refused.kernel_folder), "a refused run's template leaves nothing behind"
    assert log.read_text(encoding="utf-8") == "the run's own lines\nnoisy import\n", "and writes to no log"


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

    tpl, _ = template
    ingest_quarters(list(return_folders(project)), project)
    nb = nbformat.read(project / "notebooks" / f"{report}.ipynb", as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import sys\n_modules_at_start = set(sys.modules)"))
    nb.cells.append(nbformat.v4.new_code_cell("print(sorted(set(sys.modules) - _modules_at_start))"))
    src = project / "notebooks" / f"probe_{report}.ipynb"
    nbformat.write(nb, src)
    params = {"quarter": "latest", "project_root": str(project)} | (
        {"subgroup": "quality_assurance"} if report == "subgroup_report" else {}
    )
    with kernels_from(tpl):
        out = pm.execute_notebook(
            str(src), str(project / "out.ipynb"), parameters=params, cwd=str(src.parent), progress_bar=False
        )
    new = ast.literal_eval(out.cells[-1].outputs[0]["text"])  # a printed list of module names
    heavy = [m for m in new if m.split(".")[0] in HEAVY]
    assert not heavy, f"imported after the kernel started: {heavy}"


def test_a_call_runs_in_a_child_of_the_template_with_its_modules_and_the_callers_folder_and_environment(
    template, tmp_path
):
    tpl, client = template
    env = dict(os.environ, LSCB_TEST_MARK="called")
    assert client.call("os.path:realpath", ".", cwd=str(tmp_path), env=env) == str(tmp_path.resolve())
    assert client.call("os:getenv", "LSCB_TEST_MARK", cwd=str(tmp_path), env=env) == "called"
    assert client.call("os:getppid", cwd=str(tmp_path), env=env) == tpl.pid, "forked by the template"
    assert os.environ.get("LSCB_TEST_MARK") is None, "this process's environment is not touched"


def test_a_call_that_raises_says_why_and_the_template_carries_on(template, tmp_path):
    _, client = template
    with pytest.raises(RuntimeError, match="no_such_module_for_lscb"):
        client.call("no_such_module_for_lscb:f", cwd=str(tmp_path), env=dict(os.environ))
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        client.call("operator:truediv", 1, 0, cwd=str(tmp_path), env=dict(os.environ))
    assert client.call("operator:add", 1, 2, cwd=str(tmp_path), env=dict(os.environ)) == 3


def test_a_child_of_the_template_leaves_the_templates_imports_out_of_its_garbage_collections(template, tmp_path):
    # A full collection in a kernel walked every object the template's imports created (0.4 s each time);
    # frozen before the template forks, they are skipped. Unfrozen, the count would be 0.
    _, client = template
    frozen = client.call("gc:get_freeze_count", cwd=str(tmp_path), env=dict(os.environ))
    assert frozen > 10_000, frozen
