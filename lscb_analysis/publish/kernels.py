"""Fresh kernels forked from a template process that has already imported the reports' modules.

Starting a Python kernel and importing pandas, statsmodels and this package
costs about 3 s of CPU, and a board pack starts one kernel per notebook. On
Linux the runner instead starts one *template* process per run
(:class:`KernelTemplate`, :mod:`lscb_analysis.publish.template_process`),
which imports those modules once (:data:`PRELOAD`) and then forks a new
kernel for each notebook: the copy-on-write technique of
:mod:`multiprocessing`'s ``forkserver`` and Android's zygote.

Each notebook still gets its own new kernel process. The template never runs
notebook code; it only imports modules. A kernel's changes (rcParams, pandas
options, variables) stay in that kernel, and no notebook sees another's
state. Each kernel gets its own session (``setsid``), working folder and
environment, and reseeds numpy's global random state as a new process would.
Exactly as with a normally launched kernel, it exits if the template (its
parent) goes away.

How kernels reach the template, through jupyter_client's documented extension
points only: the template writes a kernel spec named ``python3`` (this
interpreter's, as it would be found, plus a ``kernel_provisioner`` stanza
naming :data:`PROVISIONER` and the template's socket) into a private folder;
a process that puts that folder first on ``JUPYTER_PATH``
(:func:`use_kernel_template`) starts its ``python3`` kernels through
:class:`TemplateProvisioner`, which jupyter_client finds by its entry point
(``jupyter_client.kernel_provisioners`` in ``pyproject.toml``). Papermill and
nbclient need nothing else.

Every report kernel, forked or not, runs under :class:`ReportKernelManager`:
jupyter_client's kernel manager talking to it over Unix sockets in the
user's private Jupyter runtime folder instead of unencrypted TCP on
localhost, and without the interrupt jupyter_client sends before every
shutdown (a report's kernel is shut down when its notebook has finished).

The template is an optimisation and never a reason to fail. When it cannot
start, cannot import its modules, or a kernel spec is not this interpreter's
ipykernel, :class:`TemplateProvisioner` launches the kernel the usual way;
where the provisioner is not installed, no template is started.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import NATIVE_KERNEL_NAME, KernelSpecManager
from jupyter_client.localinterfaces import localhost
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner
from jupyter_core.paths import jupyter_runtime_dir
from jupyter_core.utils import ensure_dir_exists
from traitlets import Unicode, default

from lscb_analysis.publish.template_process import TemplateClient

__all__ = [
    "PRELOAD",
    "PROVISIONER",
    "REPORT_MODULES",
    "KernelTemplate",
    "ReportKernelManager",
    "TemplateProvisioner",
    "template_supported",
    "use_kernel_template",
    "kernels_from",
]

log = logging.getLogger("lscb.kernels")

#: The name :class:`TemplateProvisioner` is registered under (entry point group
#: ``jupyter_client.kernel_provisioners``) and that the template's kernel spec names.
PROVISIONER = "lscb-kernel-template"

#: What the report notebooks import, directly or when they run: the package's report modules and the
#: modules pandas, pyarrow, matplotlib, scipy and statsmodels load only on first use. ``bench/pack.py``
#: times a normal kernel importing these as the machine's floor, and a test checks a report imports
#: nothing heavy beyond them. Only modules that behave the same whether or not they are imported inside IPython.
REPORT_MODULES: tuple[str, ...] = (
    "lscb_analysis.report",
    "lscb_analysis.qa_report",
    "lscb_analysis.summary.context",
    "lscb_analysis.stats",
    "lscb_analysis.summary.indicator",
    "lscb_analysis.benchmark",
    "lscb_analysis.summary.exception_report",
    "lscb_analysis.parameters.actions",
    "lscb_analysis.parameters.annotations",
    "lscb_analysis.parameters.narratives",
    "lscb_analysis.summary.actions",
    "lscb_analysis.render.narrative",
    "lscb_analysis.quality",
    "lscb_analysis.ingest",
    "lscb_analysis.population",
    "lscb_analysis.explore",
    "lscb_analysis.render.plots.spc",
    "lscb_analysis.render.plots.trend",
    "lscb_analysis.render.plots.benchmark",
    "pyarrow.parquet",
    "pyarrow.dataset",
    "pyarrow.acero",  # loaded by pyarrow.dataset on first use (the quality assurance reports reach it)
    "pandas.io.formats.style",
    "pandas.io.formats.html",
    "matplotlib.backends.backend_agg",
    "narwhals",
    # the statistics load these on first use (lscb_analysis.stats), so that a page's labels do not wait for them
    "scipy.stats",
    "scipy.special",
    "statsmodels.genmod.families",
    "statsmodels.genmod.generalized_linear_model",
    "statsmodels.tools.sm_exceptions",
    "statsmodels.base.covtype",  # imported by the trend test's first GLM fit (lscb_analysis.stats.trend)
)

#: Modules the template imports: the kernel itself, then :data:`REPORT_MODULES`.
PRELOAD: tuple[str, ...] = ("ipykernel.kernelapp", "ipykernel.ipkernel", "IPython.core.magics", *REPORT_MODULES)

#: The inline backend, which ipykernel would select at start-up; set before matplotlib is imported.
_INLINE = "module://matplotlib_inline.backend_inline"


def template_supported() -> bool:
    """Whether kernels are forked from a template here: Linux, with :class:`TemplateProvisioner` installed.

    macOS has ``fork``, but its system libraries (Accelerate, which numpy may
    use) are not safe to use in a forked child, which is why Python itself
    stopped forking by default there; Windows has no ``fork``. The
    provisioner is installed with the package (``pip install -e .``).
    """
    if not (sys.platform.startswith("linux") and hasattr(os, "fork")):
        return False
    return bool(importlib.metadata.entry_points(group=KernelProvisionerFactory.GROUP_NAME, name=PROVISIONER))


# -------------------------------------------------------- the kernel manager
class ReportKernelManager(AsyncKernelManager):
    """The kernel manager of every report notebook (papermill's ``kernel_manager_class``).

    Two differences from jupyter_client's own, both so that a clean run leaves a clean log:

    * **IPC transport** where there are Unix sockets: the kernel's five
      channels are socket files in the user's Jupyter runtime folder (mode
      0700), reachable by this user only, instead of TCP ports on localhost
      that any local user can reach. ipykernel warns about every unencrypted
      TCP kernel ("Kernel is running over TCP without encryption"); over IPC
      there is nothing to warn about. The socket files are removed when the
      kernel is cleaned up. Elsewhere (Windows), TCP as before.
    * **No interrupt at shutdown**: jupyter_client's ``shutdown_kernel``
      sends SIGINT before its shutdown request, to stop a cell that may still
      be running; a kernel that receives it while still handling its last
      message logs "KeyboardInterrupt caught in kernel" after a notebook that
      ran cleanly. A report's kernel is shut down only once its notebook has
      finished (or failed, or timed out, when nbclient has interrupted it
      already), so the shutdown request goes alone; a kernel that does not
      stop is still terminated, then killed, after ``shutdown_wait_time``.
    """

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc" if hasattr(socket, "AF_UNIX") and os.name == "posix" else "tcp"

    @default("ip")
    def _ip_default(self) -> str:
        if self.transport != "ipc":
            return localhost()
        # Absolute: the kernel runs in the notebook's folder, its client elsewhere.
        folder = jupyter_runtime_dir()
        ensure_dir_exists(folder, 0o700)
        return os.path.join(folder, f"lscb-kernel-{uuid.uuid4().hex[:12]}-ipc")

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:  # set by shutdown_kernel just before it interrupts: the notebook has finished
            return
        await super()._async_interrupt_kernel()


# -------------------------------------------------------------- the template
class KernelTemplate:
    """A template process that has imported :data:`PRELOAD` and forks kernels on request.

    Parameters
    ----------
    preload : sequence of str
        Modules to import in the template before any kernel is forked.
    log_file : str, optional
        Where the template's and its kernels' standard error goes (default: this process's).
    hold_log : bool, default False
        Keep that output in the template's own folder instead, and append it to
        :attr:`log_file` when the template is closed (or drop it, if none was set by then):
        for a template started before the run knows whether it will write a log at all.

    Notes
    -----
    Start it early, since the imports take a few seconds. A process then
    starts its ``python3`` kernels from it after
    ``use_kernel_template(template.kernel_folder)`` (the pool's workers do
    so by :attr:`kernel_folder`). :meth:`close` ends it; kernels still
    running then exit, as a kernel does when its parent dies. The socket and
    the kernel spec live in a private temporary folder (mode 0700).
    """

    def __init__(
        self, preload: Sequence[str] = PRELOAD, *, log_file: str | None = None, hold_log: bool = False
    ) -> None:
        self._dir = tempfile.mkdtemp(prefix="lscb-kernels-")
        #: Where the template's output ends up (with ``hold_log``, it may be set until :meth:`close`).
        self.log_file = log_file
        self._held = os.path.join(self._dir, "template.log") if hold_log else None
        self.address = os.path.join(self._dir, "template.sock")
        #: Put first on ``JUPYTER_PATH`` to start ``python3`` kernels from this template.
        self.kernel_folder = self._dir
        _write_kernel_spec(Path(self._dir) / "kernels" / NATIVE_KERNEL_NAME, self.address)
        env = dict(os.environ, MPLBACKEND=os.environ.get("MPLBACKEND", _INLINE))
        entry = f"from lscb_analysis.publish.template_process import main; main({self.address!r}, {list(preload)!r})"
        target = self._held or log_file
        err = open(target, "ab") if target else None  # kernels' start-up chatter goes where the run logs
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", entry],
                stdin=subprocess.PIPE,
                stderr=err,
                env=env,
                cwd=self._dir,  # nothing in the caller's folder can shadow a module it imports
            )
        finally:
            if err:
                err.close()

    @property
    def pid(self) -> int:
        """The template's process id (every kernel forked from it is its child)."""
        return self._proc.pid

    def close(self) -> None:
        """End the template process, even while it is still importing, and remove its folder
        (appending the output it held to :attr:`log_file`, see ``hold_log``).

        (If the owner dies without closing it, the template sees its standard
        input close and exits by itself.)
        """
        try:
            if self._proc.stdin:
                self._proc.stdin.close()
            self._proc.terminate()
            self._proc.wait()
            if self._held and self.log_file and os.path.exists(self._held):
                with open(self._held, "rb") as held, open(self.log_file, "ab") as log_file:
                    shutil.copyfileobj(held, log_file)
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> KernelTemplate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_kernel_spec(folder: Path, address: str) -> None:
    """This process's ``python3`` kernel spec, started through :class:`TemplateProvisioner` at ``address``.

    A spec that already names another provisioner is left to it (written
    unchanged), and so is one for another interpreter (the provisioner
    launches it the usual way).
    """
    spec = KernelSpecManager().get_kernel_spec(NATIVE_KERNEL_NAME).to_dict()
    metadata = dict(spec.get("metadata") or {})
    if metadata.get("kernel_provisioner", {}).get("provisioner_name", PROVISIONER) == PROVISIONER:
        metadata["kernel_provisioner"] = {"provisioner_name": PROVISIONER, "config": {"address": address}}
    spec["metadata"] = metadata
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")


#: The folder :func:`use_kernel_template` put on ``JUPYTER_PATH`` in this process.
_FOLDER: str | None = None


def use_kernel_template(folder: str | None) -> None:
    """Start this process's ``python3`` kernels from the template whose :attr:`~KernelTemplate.kernel_folder` is given.

    Puts ``folder`` first on ``JUPYTER_PATH``, where jupyter_client looks
    for kernel specs; ``None`` takes back the folder set before.
    """
    global _FOLDER
    parts = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != _FOLDER]
    if folder:
        parts.insert(0, folder)
    _FOLDER = folder
    if parts:
        os.environ["JUPYTER_PATH"] = os.pathsep.join(parts)
    else:
        os.environ.pop("JUPYTER_PATH", None)


@contextlib.contextmanager
def kernels_from(template: KernelTemplate | None) -> Iterator[None]:
    """Within the block, this process's ``python3`` kernels start from ``template`` (:func:`use_kernel_template`)."""
    use_kernel_template(template.kernel_folder if template else None)
    try:
        yield
    finally:
        use_kernel_template(None)


# ---------------------------------------------------------------- a client
class _ForkedKernel:
    """The :class:`subprocess.Popen` interface :class:`~jupyter_client.provisioning.LocalProvisioner` uses."""

    stdin = stdout = stderr = None

    def __init__(self, template: TemplateClient, pid: int) -> None:
        self._template, self.pid = template, pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = self._template.exit_code(self.pid)
            except (ConnectionError, OSError):  # template gone: so is the kernel (it exits with its parent)
                self.returncode = _gone(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _gone(pid: int) -> int | None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return -9
    return None


# ----------------------------------------------------------- the provisioner
class TemplateProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching this interpreter's ipykernel by fork from a template.

    Selected by a kernel spec whose ``metadata.kernel_provisioner`` names
    :data:`PROVISIONER`, with the template's socket as ``config.address``
    (:class:`KernelTemplate` writes such a spec). Any other kernel command,
    or a template that is gone or could not import its modules, is launched
    the usual way.
    """

    address = Unicode("", config=True, help="The kernel template's socket (KernelTemplate.address).")

    _client: TemplateClient | None = None

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        """Take the template's folder back off the kernel's ``JUPYTER_PATH``: the kernel sees what it would have."""
        kwargs = await super().pre_launch(**kwargs)
        env = kwargs.get("env")
        if env and "JUPYTER_PATH" in env and self.kernel_spec is not None:
            ours = os.path.dirname(os.path.dirname(self.kernel_spec.resource_dir))
            parts = [p for p in env["JUPYTER_PATH"].split(os.pathsep) if p and os.path.abspath(p) != ours]
            if parts:
                env["JUPYTER_PATH"] = os.pathsep.join(parts)
            else:
                del env["JUPYTER_PATH"]
        return kwargs

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        argv = _ipykernel_argv(cmd)
        client = self._connect() if argv is not None else None
        if argv is None or client is None:
            return await super().launch_kernel(cmd, **kwargs)
        env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
        cwd = str(kwargs.get("cwd") or os.getcwd())
        pid = client.fork(argv, cwd, env)
        self.process = _ForkedKernel(client, pid)
        self.pid = pid
        self.pgid = pid  # the kernel calls setsid() first; until then killpg fails and the pid is signalled
        self.cwd = cwd
        return self.connection_info

    def _connect(self) -> TemplateClient | None:
        """This provisioner's connection to the template (kept across restarts); ``None`` when unavailable."""
        if self._client is None:
            try:
                self._client = TemplateClient(self.address)
            except OSError as exc:
                log.warning("kernel template unavailable; the kernel starts the usual way: %s", exc)
                return None
        if not self._client.wait_ready():
            log.warning("kernel template unavailable; the kernel starts the usual way: %s", self._client.error)
            return None
        return self._client

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if not restart and self._client is not None:
            self._client.close()
            self._client = None


def _ipykernel_argv(cmd: Sequence[str]) -> list[str] | None:
    """The arguments after ``-m ipykernel_launcher`` when ``cmd`` runs this interpreter's ipykernel."""
    if len(cmd) < 3 or list(cmd[1:3]) != ["-m", "ipykernel_launcher"]:
        return None
    exe = shutil.which(cmd[0]) or cmd[0]
    if os.path.realpath(exe) != os.path.realpath(sys.executable):
        return None
    return list(cmd[3:])
