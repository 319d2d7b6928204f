"""A usbmuxd on a Unix socket serving simulated iPhones, so the real pymobiledevice3 client (and any
libusbmuxd tool pointed at it with ``USBMUXD_SOCKET_ADDRESS``) talks to them as to phones on USB.

The plist protocol: ``ReadBUID``, ``ListDevices``, ``Listen`` (Attached/Detached as phones come and
go), ``ReadPairRecord``/``SavePairRecord``/``DeletePairRecord`` and ``Connect``, after which the
socket carries the device port's traffic: lockdownd on 62078, or a service lockdownd started.
Phones are the ones plugged into a :class:`SimulatedLockdown`, so its ``plug``/``unplug``/``tap_trust``
drive both this socket and the service boundary::

    with SimulatedLockdown(records) as phones, UsbmuxdSimulator(phones, tmp / "usbmuxd") as mux:
        phones.plug("iphone13-trust")
        UsbmuxLockdown(records, usbmux_address=str(mux.path)).devices(5)
"""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

from drivers.sim.ios.lockdown import SimulatedLockdown
from drivers.sim.ios.lockdownd import LOCKDOWN_PORT, Session, WirePhone, serve_service
from drivers.sim.ios.wire import LinkClosed, recv_usbmux, send_usbmux

log = logging.getLogger(__name__)
APPLE_IPHONE_PRODUCT_ID = 0x12A8
RESULT_OK, RESULT_BADDEV, RESULT_CONNREFUSED = 0, 2, 3


class UsbmuxdSimulator:
    def __init__(self, phones: SimulatedLockdown, path: Path) -> None:
        self.phones = phones
        self.path = path
        self.buid = str(uuid.uuid4()).upper()
        self.records: dict[str, bytes] = {}
        self._wired: dict[str, WirePhone] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None

    def __enter__(self) -> UsbmuxdSimulator:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        self.path.unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.path))
        listener.listen(32)
        listener.settimeout(0.1)
        self._listener = listener
        self._spawn(self._accept_loop, "usbmuxd-accept")

    def stop(self) -> None:
        self._stopping.set()
        for thread in list(self._threads):
            thread.join()
        with self._lock:
            for sock in self._sockets:
                sock.close()
        if self._listener is not None:
            self._listener.close()
        self.path.unlink(missing_ok=True)

    def _spawn(self, target: Any, name: str, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _alive(self) -> bool:
        return not self._stopping.is_set()

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            client.settimeout(0.1)
            with self._lock:
                self._sockets.add(client)
            self._spawn(self._serve, "usbmuxd-client", client)

    def _wire(self, udid: str) -> WirePhone:
        with self._lock:
            if udid not in self._wired:
                self._wired[udid] = WirePhone.create(self.phones.phones[udid], len(self._wired) + 1)
            return self._wired[udid]

    def _listed(self) -> list[WirePhone]:
        return [self._wire(udid) for udid, phone in list(self.phones.phones.items()) if phone.listed]

    def _attached(self, wire: WirePhone) -> dict[str, Any]:
        return {"MessageType": "Attached", "DeviceID": wire.device_id,
                "Properties": {"ConnectionType": "USB", "DeviceID": wire.device_id, "LocationID": 0x14100000 +
                               wire.device_id, "ProductID": APPLE_IPHONE_PRODUCT_ID, "SerialNumber": wire.phone.udid,
                               "USBSerialNumber": wire.phone.udid.replace("-", ""), "ConnectionSpeed": 480000000}}

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                _version, tag, message = recv_usbmux(sock, self._alive)
                kind = message.get("MessageType")
                if kind == "Connect":
                    self._connect(sock, tag, message)
                    return
                if kind == "Listen":
                    send_usbmux(sock, tag, {"MessageType": "Result", "Number": RESULT_OK})
                    self._listen(sock)
                    return
                send_usbmux(sock, tag, self._answer(kind, message))
        except LinkClosed:
            pass
        finally:
            with self._lock:
                self._sockets.discard(sock)
            sock.close()

    def _answer(self, kind: Any, message: dict[str, Any]) -> dict[str, Any]:
        if kind == "ReadBUID":
            return {"BUID": self.buid}
        if kind == "ListDevices":
            return {"DeviceList": [self._attached(w) for w in self._listed()]}
        record_id = str(message.get("PairRecordID", ""))
        if kind == "ReadPairRecord":
            data = self.records.get(record_id)
            return {"PairRecordData": data} if data else {"MessageType": "Result", "Number": RESULT_BADDEV}
        if kind == "SavePairRecord" and isinstance(message.get("PairRecordData"), bytes):
            self.records[record_id] = message["PairRecordData"]
            return {"MessageType": "Result", "Number": RESULT_OK}
        if kind == "DeletePairRecord":
            self.records.pop(record_id, None)
            return {"MessageType": "Result", "Number": RESULT_OK}
        return {"MessageType": "Result", "Number": 1}

    def _listen(self, sock: socket.socket) -> None:
        shown: dict[int, WirePhone] = {}
        while not self._stopping.wait(0.1):
            now = {w.device_id: w for w in self._listed()}
            for device_id in shown.keys() - now.keys():
                send_usbmux(sock, 0, {"MessageType": "Detached", "DeviceID": device_id})
            for device_id in now.keys() - shown.keys():
                send_usbmux(sock, 0, self._attached(now[device_id]))
            shown = now

    def _connect(self, sock: socket.socket, tag: int, message: dict[str, Any]) -> None:
        wire = next((w for w in self._listed() if w.device_id == message.get("DeviceID")), None)
        port = socket.ntohs(int(message.get("PortNumber", 0)))
        if wire is None or (port != LOCKDOWN_PORT and port not in wire.services):
            send_usbmux(sock, tag, {"MessageType": "Result", "Number": RESULT_CONNREFUSED})
            return
        send_usbmux(sock, tag, {"MessageType": "Result", "Number": RESULT_OK})
        try:
            if port == LOCKDOWN_PORT:
                Session(wire, sock, self._stopping).serve()
            else:
                serve_service(wire, port, sock, self._stopping)
        except (LinkClosed, OSError) as exc:
            log.debug("link to %s port %d closed: %s", wire.phone.udid, port, exc)
