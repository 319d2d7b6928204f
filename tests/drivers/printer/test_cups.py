"""Printing through a real CUPS: a private cupsd (its own configuration, port and spool, started here)
with a raw queue whose device is the network printer simulator; ``cups://HOST:PORT/QUEUE`` jobs reach it
byte for byte, and a queue CUPS does not know is refused in words."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.reports.labels import to_zpl, unit_label
from drivers.printer import PrinterUnreachable, send
from drivers.sim.printer import PrinterSimulator, parse_zpl
from tests.reports.labels.support import WITH_GTIN

CONF = """Listen 127.0.0.1:{port}
ServerName 127.0.0.1
LogLevel info
WebInterface No
Browsing No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order allow,deny
    Allow all
  </Limit>
</Policy>
"""
FILES = """ServerRoot {root}/conf
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/tmp
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
User lp
Group lp
SystemGroup root
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def cupsd() -> Iterator[str]:
    """A cupsd of its own on a free port; yields HOST:PORT. Needs the Debian cups packages and root.

    Its folder is outside pytest's private temporary tree: the backends run as user lp and must reach
    the spooled file."""
    daemon = shutil.which("cupsd") or "/usr/sbin/cupsd"
    assert Path(daemon).exists(), "cupsd is not installed (Debian: cups-daemon, cups, cups-client)"
    assert shutil.which("lpadmin"), "lpadmin is not installed (Debian: cups-client)"
    root = Path(tempfile.mkdtemp(prefix="refurb-bench-cups-"))
    root.chmod(0o755)
    for sub in ("conf", "spool", "cache", "state", "tmp", "log"):
        (root / sub).mkdir(parents=True)
    port = _free_port()
    (root / "cupsd.conf").write_text(CONF.format(port=port))
    (root / "cups-files.conf").write_text(FILES.format(root=root))
    proc = subprocess.Popen([daemon, "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert proc.poll() is None, f"cupsd exited with {proc.returncode}; see {root / 'log'}"
                assert time.monotonic() < deadline, "cupsd did not start listening"
                time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(root)


def test_a_raw_cups_queue_delivers_zpl_to_the_printer(cupsd: str) -> None:
    with PrinterSimulator() as printer:
        added = subprocess.run(["lpadmin", "-h", cupsd, "-p", "zebra", "-E", "-v",
                                f"socket://127.0.0.1:{printer.port}", "-m", "raw"],
                               capture_output=True, text=True, timeout=30, check=False)
        assert added.returncode == 0, added.stderr
        job = to_zpl(unit_label(WITH_GTIN), 203).encode("utf-8")
        send(f"cups://{cupsd}/zebra", job, fmt="zpl", title="label for 490154203237518")
        deadline = time.monotonic() + 15
        while not printer.printed:
            assert time.monotonic() < deadline, "CUPS did not pass the job to the printer (see its error_log)"
            time.sleep(0.05)
    (label,) = parse_zpl(printer.printed[0])
    assert label.of_kind("code128")[0].data == WITH_GTIN.imei
    assert b"".join(printer.received) == job


def test_an_unknown_queue_is_refused(cupsd: str) -> None:
    with pytest.raises(PrinterUnreachable, match="CUPS refused the job for nosuchqueue"):
        send(f"cups://{cupsd}/nosuchqueue", b"^XA^XZ", fmt="zpl")
