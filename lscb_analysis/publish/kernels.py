"""Fresh kernels forked from a template process that has already imported the reports' modules.

Starting a Python kernel and importing pandas, statsmodels, seaborn and this
package costs about 3 s of CPU, and a board pack starts one kernel per
notebook. On Linux the runner instead starts one *template*
process per run, which imports those modules once (:data:`PRELOAD`) and then
forks a new kernel for each notebook: the copy-on-write technique of
:mod:`multiprocessing`'s ``forkserver`` and Android's zygote.

Each notebook still gets its own new kernel process. The template never runs
notebook code; it only imports modules. A kernel's changes (rcParams, pandas
options, variables) stay in that kernel, and no notebook sees another's
state. Each kernel gets its own session (``setsid``), working folder and
environment, and reseeds numpy's global random state as a new process would.
Exactly as with a normally launched kernel, it exits if the template (its
parent) goes away.

The template is an optimisation and never a reason to fail. When it cannot
start, or a kernel spec is not this interpreter's ipykernel,
:class:`TemplateKernelManager` launches the kernel the usual way.

Protocol (one JSON object per line on a Unix socket): the template greets each
client with ``{"ready": pid}`` once it has imported :data:`PRELOAD`, or
``{"error": text}``. The client then sends ``{"op": "fork", "argv": [...], "cwd": ..., "env": {...}}``
and gets ``{"pid": n}`` back, or ``{"op": "poll", "pid": n}`` and gets
``{"exit": code_or_null}``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Sequence
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

__all__ = [
    "PRELOAD",
    "REPORT_MODULES",
    "KernelTemplate",
    "TemplateClient",
    "TemplateKernelManager",
    "template_supported",
]

log = logging.getLogger("lscb.kernels")

#: What the report notebooks import, directly or when they run: the package's report modules and
#: the modules pandas, pyarrow and matplotlib load only on first use. ``bench/pack.py`` times a normal
#: kernel importing these as the machine's floor, and a test checks a report imports nothing heavy
#: beyond them. Only modules that behave the same whether or not they are imported inside IPython.
REPORT_MODULES: tuple[str, ...] = (
    "lscb_analysis.report",
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
    "pandas.io.formats.style",
    "pandas.io.formats.html",
    "matplotlib.backends.backend_agg",
    "narwhals",
)

#: Modules the template imports: the kernel itself, then :data:`REPORT_MODULES`.
PRELOAD: tuple[str, ...] = ("ipykernel.kernelapp", "ipykernel.ipkernel", "IPython.core.magics", *REPORT_MODULES)

#: The inline backend, which ipykernel would select at start-up; set before matplotlib is imported.
_INLINE = "module://matplotlib_inline.backend_inline"


def template_supported() -> bool:
    """Whether kernels are forked from a template here: Linux only.

    macOS has ``fork``, but its system libraries (Accelerate, which numpy may
    use) are not safe to use in a forked child, which is why Python itself
    stopped forking by default there; Windows has no ``fork``.
    """
    return sys.platform.startswith("linux") and hasattr(os, "fork")


# ------------------------------------------------------------ template side
def _send(sock: socket.socket, obj: dict[str, Any]) -> None:
    sock.sendall(json.dumps(obj).encode() + b"\n")


def _die_with(parent: int) -> None:
    """End this process when ``parent`` ends, from the first instant (Linux), as well as by ipykernel's poller."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != parent:  # it died before we could ask
        os._exit(1)


def _kernel_child(argv: list[str], cwd: str, env: dict[str, str], parent: int) -> None:
    """Become a kernel: what ``python -m ipykernel_launcher <argv>`` would do in a new process."""
    code = 1
    try:
        _die_with(parent)
        os.setsid()  # its own process group, as jupyter_client's launcher gives a kernel
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()  # a new process would not share the template's state
        sys.argv = [sys.executable, "-m", "ipykernel_launcher", *argv]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        # parent_handle's default was read from the environment when the template imported ipykernel:
        # name the template, so ipykernel's own poller also ends the kernel with it
        app.initialize([*argv, f"--IPKernelApp.parent_handle={parent}"])
        _register_with_kernel()
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()  # what a normal interpreter exit would run (IPython's history)
        finally:
            os._exit(code)


def _register_with_kernel() -> None:
    """Redo what preloaded modules do at import only when inside a kernel.

    ipywidgets (imported by seaborn) registers its comm targets at import if
    IPython is running; the template imported it before there was a kernel.
    """
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None and hasattr(widgets, "register_comm_target"):
        widgets.register_comm_target()


class _Template:
    """The template process: imports, then serves fork and poll requests from its clients."""

    def __init__(self, address: str, preload: Sequence[str]) -> None:
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(address)  # clients may connect now; they are answered once the imports are done
        self.listener.listen(16)
        self.preload = preload
        self.clients: dict[socket.socket, bytes] = {}
        self.exits: dict[int, int] = {}
        self.error: str | None = None

    def serve(self) -> None:
        import selectors

        os.environ.setdefault("MPLBACKEND", _INLINE)
        try:
            for name in self.preload:
                __import__(name)
        except BaseException:
            import traceback

            self.error = traceback.format_exc()
        sel = selectors.DefaultSelector()
        sel.register(self.listener, selectors.EVENT_READ)
        sel.register(sys.stdin, selectors.EVENT_READ)  # the owner holds the other end; EOF means stop
        while True:
            for key, _ in sel.select(timeout=1.0):
                if key.fileobj is sys.stdin:
                    if not os.read(sys.stdin.fileno(), 4096):
                        return
                elif key.fileobj is self.listener:
                    conn, _ = self.listener.accept()
                    _send(conn, {"error": self.error} if self.error else {"ready": os.getpid()})
                    self.clients[conn] = b""
                    sel.register(conn, selectors.EVENT_READ)
                else:
                    conn = key.fileobj
                    data = conn.recv(65536)
                    if not data:
                        sel.unregister(conn)
                        del self.clients[conn]
                        conn.close()
                        continue
                    self.clients[conn] += data
                    while b"\n" in self.clients[conn]:
                        line, self.clients[conn] = self.clients[conn].split(b"\n", 1)
                        _send(conn, self.handle(json.loads(line)))
            self.reap()

    def handle(self, req: dict[str, Any]) -> dict[str, Any]:
        if req["op"] == "fork":
            me = os.getpid()
            pid = os.fork()
            if pid == 0:
                self.listener.close()
                for c in self.clients:
                    c.close()
                _kernel_child(req["argv"], req["cwd"], req["env"], me)
            return {"pid": pid}
        if req["op"] == "poll":
            self.reap(req["pid"])
            return {"exit": self.exits.get(req["pid"])}
        return {"error": f"unknown request {req['op']!r}"}

    def reap(self, pid: int = -1) -> None:
        """Collect exited kernels (no zombies) and remember their exit codes."""
        while True:
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                return
            if not done:
                return
            self.exits[done] = os.waitstatus_to_exitcode(status)
            if pid != -1:
                return


def _serve(address: str, preload: Sequence[str]) -> None:
    """Entry point of the template process (see :class:`KernelTemplate`)."""
    _Template(address, preload).serve()


# -------------------------------------------------------------- client side
class KernelTemplate:
    """A template process that has imported :data:`PRELOAD` and forks kernels on request.

    Parameters
    ----------
    preload : sequence of str
        Modules to import in the template before any kernel is forked.
    log_file : str, optional
        Where the template's and its kernels' standard error goes (default: this process's).

    Notes
    -----
    Start it early, since the imports take a few seconds, then call
    :meth:`connect` in each process that runs notebooks (the pool's workers
    connect by :attr:`address`). :meth:`close` ends it. Kernels still running
    then exit, as a kernel does when its parent dies. The socket lives in a
    private temporary folder (mode 0700).
    """

    def __init__(self, preload: Sequence[str] = PRELOAD, *, log_file: str | None = None) -> None:
        import tempfile

        self._dir = tempfile.mkdtemp(prefix="lscb-kernels-")
        self.address = os.path.join(self._dir, "template.sock")
        env = dict(os.environ, MPLBACKEND=os.environ.get("MPLBACKEND", _INLINE))
        err = open(log_file, "ab") if log_file else None  # kernels' start-up chatter goes where the run logs
        try:
            self._proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    f"from lscb_analysis.publish.kernels import _serve; _serve({self.address!r}, {list(preload)!r})",
                ],
                stdin=subprocess.PIPE,
                stderr=err,
                env=env,
                cwd=self._dir,  # nothing in the caller's folder can shadow a module it imports
            )
        finally:
            if err:
                err.close()

    def close(self) -> None:
        """End the template process, even while it is still importing, and remove its socket.

        (If the owner dies without closing it, the template sees its standard
        input close and exits by itself.)
        """
        import shutil

        try:
            if self._proc.stdin:
                self._proc.stdin.close()
            self._proc.terminate()
            self._proc.wait()
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> KernelTemplate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TemplateClient:
    """One process's connection to a :class:`KernelTemplate` (thread-safe).

    Parameters
    ----------
    address : str
        :attr:`KernelTemplate.address`.
    """

    def __init__(self, address: str, *, timeout: float = 10.0) -> None:
        import time

        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        end = time.monotonic() + timeout
        while True:  # the template binds its socket a moment after it starts
            try:
                self._sock.connect(address)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > end:
                    raise
                time.sleep(0.02)
        self._reader = self._sock.makefile("rb")
        self._lock = threading.Lock()
        self._ready: bool | None = None
        self.error: str | None = None

    def _recv(self) -> dict[str, Any]:
        line = self._reader.readline()
        if not line:
            raise ConnectionError("the kernel template process has exited")
        return json.loads(line)

    def wait_ready(self) -> bool:
        """Block until the template has imported its modules; ``False`` if it could not."""
        with self._lock:
            if self._ready is None:
                try:
                    msg = self._recv()
                except (ConnectionError, ValueError) as exc:
                    msg = {"error": str(exc)}
                self._ready = "ready" in msg
                if not self._ready:
                    self.error = msg.get("error") or "unknown error"
                    log.warning("kernel template unavailable; kernels start the usual way: %s", self.error)
            return self._ready

    def fork(self, argv: list[str], cwd: str, env: dict[str, str]) -> int:
        """Fork a new kernel running ``ipykernel_launcher <argv>``; its process id."""
        if not self.wait_ready():
            raise ConnectionError(f"the kernel template is not available: {self.error}")
        with self._lock:
            _send(self._sock, {"op": "fork", "argv": argv, "cwd": cwd, "env": env})
            return int(self._recv()["pid"])

    def exit_code(self, pid: int) -> int | None:
        """The kernel's exit code, or ``None`` while it runs."""
        with self._lock:
            _send(self._sock, {"op": "poll", "pid": pid})
            return self._recv()["exit"]

    def close(self) -> None:
        self._reader.close()
        self._sock.close()


class _ForkedKernel:
    """The :class:`subprocess.Popen` interface jupyter_client's provisioner uses, for a forked kernel."""

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
        import time

        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def terminate(self) -> None:
        import signal

        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        import signal

        self.send_signal(signal.SIGKILL)


def _gone(pid: int) -> int | None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return -9
    return None


class _TemplateProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching by fork from a :class:`KernelTemplate`."""

    template: TemplateClient | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        argv = _ipykernel_argv(cmd)
        template = self.template
        if argv is None or template is None or not template.wait_ready():
            return await super().launch_kernel(cmd, **kwargs)
        env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
        cwd = str(kwargs.get("cwd") or os.getcwd())
        pid = template.fork(argv, cwd, env)
        self.process = _ForkedKernel(template, pid)
        self.pid = pid
        self.pgid = pid  # the kernel calls setsid() first; until then killpg fails and the pid is signalled
        self.cwd = cwd
        return self.connection_info


def _ipykernel_argv(cmd: Sequence[str]) -> list[str] | None:
    """The arguments after ``-m ipykernel_launcher`` when ``cmd`` runs this interpreter's ipykernel."""
    import shutil

    if len(cmd) < 3 or list(cmd[1:3]) != ["-m", "ipykernel_launcher"]:
        return None
    exe = shutil.which(cmd[0]) or cmd[0]
    if os.path.realpath(exe) != os.path.realpath(sys.executable):
        return None
    return list(cmd[3:])


class TemplateKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels fork from :attr:`template` (see the module notes).

    Pass ``TemplateKernelManager.bound(client)`` as ``kernel_manager_class`` to
    nbclient or papermill. With no template, or a kernel spec for another
    interpreter, it behaves exactly as
    :class:`jupyter_client.manager.AsyncKernelManager`.
    """

    template: TemplateClient | None = None

    @classmethod
    def bound(cls, client: TemplateClient | None) -> type[TemplateKernelManager]:
        """This class with its kernels forked by ``client``'s template."""
        return type(cls.__name__, (cls,), {"template": client})

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        if self.provisioner is None and self.template is not None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
            prov = _TemplateProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            prov.template = self.template
            self.provisioner = prov
        return await super()._async_pre_start_kernel(**kw)
