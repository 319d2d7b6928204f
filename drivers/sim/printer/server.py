"""A network label printer on a TCP port, speaking raw ZPL the way a Zebra does on port 9100.

Clients connect, write ZPL and may send ``~HS`` (host status) and read the three-line answer in
Zebra's documented layout (each line framed by STX … ETX CR LF): line 1 carries the paper-out and
pause flags and the number of formats waiting in the buffer, line 2 the head-up flag. Knobs:

* :meth:`set_offline` — the printer drops off the network: connections are refused;
* :meth:`set_paused`, :meth:`set_media_out`, :meth:`set_head_open` — formats are accepted and held
  in the buffer (counted in ``~HS``) and print once the fault is cleared, as on a real printer.

Printed formats are kept in :attr:`printed` (raw text, in order); everything received is in
:attr:`received`.
"""

from __future__ import annotations

import logging
import socket
import threading

from drivers.printer.status import ETX, STX, HostStatus

log = logging.getLogger(__name__)

__all__ = ["HostStatus", "PrinterSimulator"]


class PrinterSimulator:
    """Listens on ``host:port`` (port 0 picks a free one; see :attr:`port`). Use as a context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, label_length_dots: int = 406) -> None:
        self.host = host
        self.port = port
        self.label_length_dots = label_length_dots
        self.printed: list[str] = []
        self.received: list[bytes] = []
        self._held: list[str] = []
        self._paused = self._media_out = self._head_open = False
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._clients: list[threading.Thread] = []
        self._stopping = threading.Event()

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> PrinterSimulator:
        listener = socket.create_server((self.host, self.port), reuse_port=False)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stopping.clear()
        self._thread = threading.Thread(target=self._accept_loop, name=f"printer-sim:{self.port}", daemon=True)
        self._thread.start()
        log.info("label printer simulator listening on %s:%d", self.host, self.port)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for client in self._clients:
            client.join(timeout=5)
        self._clients.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def __enter__(self) -> PrinterSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- knobs -------------------------------------------------------------------------------
    def set_offline(self, offline: bool) -> None:
        """Offline: stop listening (connections are refused); back online on the same port."""
        if offline and self._listener is not None:
            self.stop()
        elif not offline and self._listener is None:
            self.start()

    def set_paused(self, paused: bool) -> None:
        self._set_fault(paused=paused)

    def set_media_out(self, out: bool) -> None:
        self._set_fault(media_out=out)

    def set_head_open(self, head_open: bool) -> None:
        self._set_fault(head_open=head_open)

    def _set_fault(self, **flags: bool) -> None:
        with self._lock:
            self._paused = flags.get("paused", self._paused)
            self._media_out = flags.get("media_out", self._media_out)
            self._head_open = flags.get("head_open", self._head_open)
            self._flush_locked()

    @property
    def held(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._held)

    # --- protocol ----------------------------------------------------------------------------
    def host_status(self) -> bytes:
        """The ``~HS`` answer. Fields per Zebra's ZPL guide; values a simulator has no notion of are fixed."""
        with self._lock:
            line1 = (f"030,{int(self._media_out)},{int(self._paused)},{self.label_length_dots:04d},"
                     f"{len(self._held):03d},0,0,0,000,0,0,0")
            line2 = f"000,0,{int(self._head_open)},0,0,2,6,0,00000000,1,000"
        line3 = "1234,0"
        return "".join(f"{STX}{line}{ETX}\r\n" for line in (line1, line2, line3)).encode("ascii")

    def _flush_locked(self) -> None:
        if not (self._paused or self._media_out or self._head_open):
            self.printed.extend(self._held)
            self._held.clear()

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client = threading.Thread(target=self._serve, args=(conn,), name=f"printer-sim-client:{self.port}",
                                      daemon=True)
            self._clients = [c for c in self._clients if c.is_alive()]
            self._clients.append(client)
            client.start()

    def _serve(self, conn: socket.socket) -> None:
        buffer = ""
        with conn:
            conn.settimeout(0.1)
            while not self._stopping.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    break
                self.received.append(chunk)
                buffer += chunk.decode("utf-8", errors="replace")
                buffer = self._consume(buffer, conn)
        if buffer.strip():
            log.info("printer simulator dropped an unterminated format of %d characters", len(buffer))

    def _consume(self, buffer: str, conn: socket.socket) -> str:
        """Take whole formats and ~HS requests off the front of ``buffer``; return what is left."""
        while True:
            status_at = buffer.find("~HS")
            start = buffer.find("^XA")
            if status_at != -1 and (start == -1 or status_at < start):
                conn.sendall(self.host_status())
                buffer = buffer[status_at + 3:]
                continue
            if start == -1:
                return "" if not buffer.strip() else buffer
            end = buffer.find("^XZ", start)
            if end == -1:
                return buffer[start:]
            with self._lock:
                self._held.append(buffer[start:end + 3])
                self._flush_locked()
            buffer = buffer[end + 3:]
