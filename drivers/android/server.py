"""Start and stop a private adb server (Debian's ``adb``, 29.x) on a port of our own.

Used by tests and by benches that must not share the user's server: the server listens on
``localhost:PORT`` (``-L tcp:127.0.0.1:…`` aborts with "listening on specified hostname currently
unsupported"), keeps its RSA key under ``home/.android`` and its log under ``home``. Clients reach it
with ``AdbClient("127.0.0.1", port)``. Ports 5555–5585 answering when it starts are attached on their
own as ``emulator-*``; keep emulated phones elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType

from drivers.android.adb_client import AdbClient
from drivers.android.errors import AdbServerUnavailable


class AdbServerProcess:
    """``with AdbServerProcess(port, home) as server: server.client.devices()``; leaving stops it."""

    def __init__(self, port: int, home: Path, adb: str = "adb") -> None:
        self.port = port
        self.home = home
        self.adb = adb
        self.client = AdbClient("127.0.0.1", port)
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> AdbServerProcess:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def start(self, timeout: float = 10.0) -> None:
        executable = shutil.which(self.adb)
        if executable is None:
            raise AdbServerUnavailable(f"no {self.adb!r} executable on PATH (Debian package: adb)")
        self.home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "HOME": str(self.home), "TMPDIR": str(self.home)}
        env.pop("ADB_SERVER_SOCKET", None)
        log_file = (self.home / "adb-server.log").open("ab")
        with log_file:
            self._process = subprocess.Popen(
                [executable, "-L", f"tcp:localhost:{self.port}", "server", "nodaemon"],
                env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT)
        end = time.monotonic() + timeout
        while True:
            try:
                self.client.server_version()
                return
            except AdbServerUnavailable:
                if self._process.poll() is not None or time.monotonic() > end:
                    self.stop()
                    raise AdbServerUnavailable(f"adb server on port {self.port} did not start; see "
                                               f"{self.home / 'adb-server.log'}") from None
                time.sleep(0.05)

    def stop(self, timeout: float = 5.0) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is not None:
            return  # ours died already: whatever answers on the port now is someone else's server
        self.client.kill_server()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
