"""The kernel template process, each kernel forked from it, and the client's end of its protocol
(:class:`TemplateClient`; see :mod:`lscb_analysis.publish.kernels`).

:func:`main` runs in a new interpreter started by
:class:`~lscb_analysis.publish.kernels.KernelTemplate`. It imports the
modules it is given once, then serves requests on a Unix socket, one JSON
object per line. It greets each client with ``{"ready": pid}`` once the
imports are done, or ``{"error": text}`` if they failed. A client sends
``{"op": "fork", "argv": [...], "cwd": ..., "env": {...}}`` and gets
``{"pid": n}`` back, or ``{"op": "poll", "pid": n}`` and gets
``{"exit": code_or_null}``. ``{"op": "call", "target": "module:function",
"args": [...], "result": path, "cwd": ..., "env": {...}}`` forks a child that
calls the function with the (JSON) arguments, writes its (JSON) return value,
or the traceback, to ``result`` and exits 0, or 1: work the run would
otherwise do in a process that has not imported the modules yet. The template
itself never runs notebook code, nor any call.

A forked child becomes a kernel: what ``python -m ipykernel_launcher <argv>``
does in a new process, in its own session, folder and environment. It ends as
any Python process does, running every exit handler (:mod:`atexit`: IPython's
history, ipykernel's sockets, the notebook's own) and flushing its output,
but without tearing down, module by module, the thousands of modules the
template imported (a second or more): the handler that ends it is the first
one :func:`main` registers, so it runs last. This module imports only the
standard library at the top, so that no other handler is registered before
it.
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import json
import os
import selectors
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Sequence
from typing import Any

__all__ = ["TemplateClient", "main", "send_message"]

#: Exit status of this process when it is a forked kernel (``None`` in the template itself).
_kernel_exit: int | None = None


def send_message(sock: socket.socket, obj: dict[str, Any]) -> None:
    """Send one message of the protocol (a JSON object on one line)."""
    sock.sendall(json.dumps(obj).encode() + b"\n")


# ------------------------------------------------------ the client's end
class TemplateClient:
    """One connection to a :class:`KernelTemplate` (thread-safe).

    Parameters
    ----------
    address : str
        :attr:`lscb_analysis.publish.kernels.KernelTemplate.address`.
    timeout : float
        How long to wait for the template to open its socket, in seconds.
    """

    def __init__(self, address: str, *, timeout: float = 10.0) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        end = time.monotonic() + timeout
        while True:  # the template binds its socket a moment after it starts
            try:
                self._sock.connect(address)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > end:
                    self._sock.close()
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
            return self._ready

    def fork(self, argv: list[str], cwd: str, env: dict[str, str]) -> int:
        """Fork a new kernel running ``ipykernel_launcher <argv>``; its process id."""
        if not self.wait_ready():
            raise ConnectionError(f"the kernel template is not available: {self.error}")
        with self._lock:
            send_message(self._sock, {"op": "fork", "argv": argv, "cwd": cwd, "env": env})
            return int(self._recv()["pid"])

    def call(self, target: str, *args: Any, cwd: str, env: dict[str, str], poll: float = 0.02) -> Any:
        """Call ``module:function`` with ``args`` in a child forked from the template; its return value.

        Arguments and return value travel as JSON. The child has the template's
        modules imported already, its own session, folder and environment, and
        exits when the call returns.

        Raises
        ------
        ConnectionError
            The template is not available (it could not import its modules).
        RuntimeError
            The call raised (the message ends with the child's traceback) or the child died: a bug, not bad input.
        """
        if not self.wait_ready():
            raise ConnectionError(f"the kernel template is not available: {self.error}")
        with tempfile.TemporaryDirectory(prefix="lscb-call-") as folder:
            result = os.path.join(folder, "result.json")
            request = {"op": "call", "target": target, "args": list(args), "result": result, "cwd": cwd, "env": env}
            with self._lock:
                send_message(self._sock, request)
                pid = int(self._recv()["pid"])
            while (code := self.exit_code(pid)) is None:
                time.sleep(poll)
            try:
                with open(result, encoding="utf-8") as f:
                    out = json.load(f)
            except (OSError, ValueError):
                out = {"error": f"{target} ended with exit code {code} and no result"}
        if "error" in out:
            raise RuntimeError(f"{target}, called in a child of the kernel template, failed:\n{out['error']}")
        return out["value"]

    def exit_code(self, pid: int) -> int | None:
        """The kernel's exit code, or ``None`` while it runs."""
        with self._lock:
            send_message(self._sock, {"op": "poll", "pid": pid})
            return self._recv()["exit"]

    def close(self) -> None:
        self._reader.close()
        self._sock.close()


# --------------------------------------------------- the template's end
def _end_forked_kernel() -> None:
    """The last exit handler: a forked kernel leaves once every other handler has run."""
    if _kernel_exit is None:
        return  # the template itself ends as usual
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # closed by the kernel's own clean-up
            pass
    os._exit(_kernel_exit)


def _die_with(parent: int) -> None:
    """End this process when ``parent`` ends, from the first instant (Linux), as well as by ipykernel's poller."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != parent:  # it died before we could ask
        os._exit(1)


def _register_with_kernel() -> None:
    """Redo what preloaded modules do at import only when inside a kernel.

    ipywidgets registers its comm targets at import if IPython is running;
    the template imported it before there was a kernel.
    """
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None and hasattr(widgets, "register_comm_target"):
        widgets.register_comm_target()


def _as_new_process(cwd: str, env: dict[str, str], parent: int) -> None:
    """Make this forked child what a newly started process would be: it ends with ``parent``, has its own
    session (as jupyter_client's launcher gives a kernel), folder and environment, and numpy's random state."""
    _die_with(parent)
    os.setsid()
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()  # a new process would not share the template's state


def _become_kernel(argv: list[str], cwd: str, env: dict[str, str], parent: int) -> None:
    """Run a kernel in this (forked) process until it is shut down."""
    _as_new_process(cwd, env, parent)
    sys.argv = [sys.executable, "-m", "ipykernel_launcher", *argv]
    # ipykernel is among the template's preloaded modules (imported after the exit handler was
    # registered); importing it at the top of this module would register its handlers first.
    from ipykernel.kernelapp import IPKernelApp  # noqa: PLC0415 - see above

    app = IPKernelApp.instance()
    # parent_handle's default was read from the environment when the template imported ipykernel:
    # name the template, so ipykernel's own poller also ends the kernel with it
    app.initialize([*argv, f"--IPKernelApp.parent_handle={parent}"])
    _register_with_kernel()
    app.start()


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

    def serve(self) -> dict[str, Any] | None:
        """Serve until the owner closes standard input (``None``); in a forked child, its fork request."""
        try:
            for name in self.preload:
                __import__(name)
        except Exception:  # noqa: BLE001 - any failure means no template: clients start kernels the usual way
            self.error = traceback.format_exc()
        # Everything imported so far lives as long as the kernels: frozen, it is left out of their garbage
        # collections (a full collection walked these millions of objects, about 0.4 s each time; 8 s of the
        # demo pack's kernel CPU), and the template exits without collecting them (the recipe for processes
        # that fork, https://docs.python.org/3/library/gc.html#gc.freeze).
        gc.freeze()
        sel = selectors.DefaultSelector()
        sel.register(self.listener, selectors.EVENT_READ)
        sel.register(sys.stdin, selectors.EVENT_READ)  # the owner holds the other end; EOF means stop
        while True:
            for key, _ in sel.select(timeout=1.0):
                if key.fileobj is sys.stdin:
                    if not os.read(sys.stdin.fileno(), 4096):
                        return None
                elif key.fileobj is self.listener:
                    conn, _ = self.listener.accept()
                    send_message(conn, {"error": self.error} if self.error else {"ready": os.getpid()})
                    self.clients[conn] = b""
                    sel.register(conn, selectors.EVENT_READ)
                else:
                    conn = key.fileobj
                    assert isinstance(conn, socket.socket)
                    data = conn.recv(65536)
                    if not data:
                        sel.unregister(conn)
                        del self.clients[conn]
                        conn.close()
                        continue
                    self.clients[conn] += data
                    while b"\n" in self.clients[conn]:
                        line, self.clients[conn] = self.clients[conn].split(b"\n", 1)
                        req = json.loads(line)
                        if req["op"] in ("fork", "call"):
                            me = os.getpid()
                            pid = os.fork()
                            if pid == 0:  # the new kernel: leave the template's loop with its request
                                sel.close()
                                self.listener.close()
                                for c in self.clients:
                                    c.close()
                                return {**req, "parent": me}
                            send_message(conn, {"pid": pid})
                        elif req["op"] == "poll":
                            self.reap(req["pid"])
                            send_message(conn, {"exit": self.exits.get(req["pid"])})
                        else:
                            send_message(conn, {"error": f"unknown request {req['op']!r}"})
            self.reap()

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


def _call(request: dict[str, Any]) -> None:
    """In a forked child: call ``module:function`` with the request's arguments; the result file says how it went."""
    _as_new_process(request["cwd"], request["env"], request["parent"])
    try:
        module, _, name = request["target"].partition(":")
        out = {"value": getattr(__import__(module, fromlist=[name]), name)(*request["args"])}
        code = 0
    except BaseException:  # noqa: BLE001 - the caller is told what happened, whatever it was
        out, code = {"error": traceback.format_exc()}, 1
    with open(request["result"], "w", encoding="utf-8") as f:
        json.dump(out, f)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)  # nothing of the template's to tear down


def main(address: str, preload: Sequence[str]) -> None:
    """Entry point of the template process: import ``preload``, serve on ``address``; in a fork, be a kernel
    (or make the call asked for)."""
    global _kernel_exit
    atexit.register(_end_forked_kernel)  # first registered, so it runs last (handlers run last in, first out)
    request = _Template(address, preload).serve()
    if request is None:
        return
    if request["op"] == "call":
        _call(request)
    _kernel_exit = 1  # until the kernel ends cleanly
    try:
        _become_kernel(request["argv"], request["cwd"], request["env"], request["parent"])
    except SystemExit as exc:
        _kernel_exit = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        raise
    _kernel_exit = 0
