"""lockdownd and the four services the bench uses, as one simulated iPhone answers them on the wire.

* lockdownd (port 62078): ``QueryType``, ``GetValue`` (public values without a session, everything
  within one), ``Pair`` (the Trust question: ``PairingDialogResponsePending`` until tapped, then the
  host's pair record is kept and an escrow bag returned), ``StartSession`` (TLS with the device
  certificate the host made at pairing and the phone's own key), ``StartService``.
* ``com.apple.mobile.diagnostics_relay``: ``IORegistry`` by entry class or name.
* ``com.apple.mobile.MCInstall``: ``GetCloudConfiguration``, ``GetProfileList``.
* ``com.apple.mobile.installation_proxy``: ``Lookup``.
* ``com.apple.mobilebackup2``: the DeviceLink version exchange, ``Hello``, ``EraseDevice``.

Services run TLS from their first byte. Faults come from the phone's profile: a hung request never
answers (the link stays open until the phone leaves), and a pulled cable closes every link.
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
import struct
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from drivers.ios.errors import DeviceGone, NotTrusted, ServiceFailure
from drivers.ios.service import PairingState
from drivers.sim.ios.device import SimulatedIPhone
from drivers.sim.ios.wire import POLL_SECONDS, LinkClosed, recv_plist, send_all, send_plist

log = logging.getLogger(__name__)
LOCKDOWN_PORT = 62078
DIAGNOSTICS = "com.apple.mobile.diagnostics_relay"
MCINSTALL = "com.apple.mobile.MCInstall"
INSTALLATION_PROXY = "com.apple.mobile.installation_proxy"
BACKUP = "com.apple.mobilebackup2"
SERVICES = (DIAGNOSTICS, MCINSTALL, INSTALLATION_PROXY, BACKUP)
HANDSHAKE_SECONDS = 5.0  # a TLS handshake the host never finishes ends the connection after this
_PAIRING_ERRORS = {PairingState.WAITING_FOR_TRUST: "PairingDialogResponsePending",
                   PairingState.PASSCODE_LOCKED: "PasswordProtected", PairingState.DENIED: "UserDeniedPairing"}


@dataclass
class WirePhone:
    """A simulated phone as the wire sees it: its key pair, the hosts it paired with, its started services."""

    phone: SimulatedIPhone
    device_id: int
    key: rsa.RSAPrivateKey
    certificates: dict[str, bytes] = field(default_factory=dict)  # host ID -> device certificate (PEM)
    services: dict[int, tuple[str, str]] = field(default_factory=dict)  # port -> (service name, host ID)
    next_port: int = 49152
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def create(cls, phone: SimulatedIPhone, device_id: int) -> WirePhone:
        return cls(phone, device_id, rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @property
    def public_key_pem(self) -> bytes:
        return self.key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)

    def start_service(self, name: str, host_id: str) -> int:
        with self.lock:
            port, self.next_port = self.next_port, self.next_port + 1
            self.services[port] = (name, host_id)
            return port

    def server_context(self, host_id: str) -> ssl.SSLContext:
        """TLS as the phone: the device certificate this host issued at pairing, with the phone's own key."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers("ALL:!aNULL:!eNULL:@SECLEVEL=0")
        key = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                     serialization.NoEncryption())
        handle, path = tempfile.mkstemp(prefix="sim-iphone-", suffix=".pem")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(self.certificates[host_id] + b"\n" + key)
            context.load_cert_chain(path)
        finally:
            os.unlink(path)
        return context

    def alive(self) -> bool:
        return self.phone.listed


class Session:
    """One connection to lockdownd."""

    def __init__(self, wire: WirePhone, sock: socket.socket, stopping: threading.Event) -> None:
        self.wire = wire
        self.phone = wire.phone
        self.sock: socket.socket = sock
        self.stopping = stopping
        self.host_id: str | None = None

    def alive(self) -> bool:
        return self.wire.alive() and not self.stopping.is_set()

    def serve(self) -> None:
        raw = self.sock
        try:
            self._serve()
        finally:
            if self.sock is not raw:
                self.sock.close()

    def _serve(self) -> None:
        while True:
            request = recv_plist(self.sock, self.alive)
            if not isinstance(request, dict):
                raise LinkClosed("not a lockdown request")
            name = str(request.get("Request", ""))
            reply = self._answer(name, request)
            send_plist(self.sock, {"Request": name, **reply})
            if name == "StartSession" and "Error" not in reply:
                self.sock = secure(self.wire.server_context(str(self.host_id)), self.sock)

    def _answer(self, name: str, request: dict[str, Any]) -> dict[str, Any]:
        domain = request.get("Domain") or None
        what = {"Pair": "pair", "GetValue": "values" if domain is None else f"values:{domain}"}.get(name, name)
        hang_if_faulted(self.phone, what, self.alive)
        if name == "QueryType":
            return {"Type": "com.apple.mobile.lockdown"}
        if name == "GetValue":
            return self._get_value(domain, request.get("Key") or None)
        if name == "Pair":
            return self._pair(request.get("PairRecord", {}))
        if name == "StartSession":
            host_id = str(request.get("HostID", ""))
            if not self.phone.trusts(host_id) or host_id not in self.wire.certificates:
                return {"Error": "InvalidHostID"}
            self.host_id = host_id
            return {"SessionID": str(uuid.uuid4()).upper(), "EnableSessionSSL": True}
        if name == "StopSession":
            return {"Result": "Success"}
        if name == "StartService":
            service = str(request.get("Service", ""))
            if self.host_id is None:
                return {"Error": "InvalidConnection"}
            if service not in SERVICES:
                return {"Error": "InvalidService"}
            return {"Service": service, "Port": self.wire.start_service(service, self.host_id),
                    "EnableServiceSSL": True}
        return {"Error": "InvalidRequest"}

    def _get_value(self, domain: str | None, key: str | None) -> dict[str, Any]:
        paired = self.host_id is not None
        try:
            values = self.phone.values(domain, paired)
        except NotTrusted:
            return {"Error": "GetProhibited"}
        except ServiceFailure:
            return {"Error": "MissingValue"}
        if domain is None:
            values["DevicePublicKey"] = self.wire.public_key_pem
        if key is None:
            return {"Value": values} if domain is None else {"Domain": domain, "Value": values}
        if key not in values:
            return {"Error": "MissingValue"}
        return {"Key": key, "Value": values[key]}

    def _pair(self, record: dict[str, Any]) -> dict[str, Any]:
        host_id = str(record.get("HostID", ""))
        certificate = record.get("DeviceCertificate")
        if not host_id or not isinstance(certificate, bytes):
            return {"Error": "InvalidPairRecord"}
        state = self.phone.pairing_answer(host_id)
        if state is not PairingState.PAIRED:
            return {"Error": _PAIRING_ERRORS[state]}
        self.wire.certificates[host_id] = certificate
        log.info("simulated iPhone %s paired with host %s", self.phone.udid, host_id)
        return {"EscrowBag": os.urandom(32)}


def secure(context: ssl.SSLContext, sock: socket.socket) -> ssl.SSLSocket:
    """TLS as the phone, then reads in short slices again. The handshake gets a phone's patience, not one
    read slice: a host that waits for a CPU a little longer than a slice before its half of the handshake
    is still the host the phone paired with, and cutting it off would tell it the phone no longer trusts it."""
    sock.settimeout(HANDSHAKE_SECONDS)
    tls = context.wrap_socket(sock, server_side=True)
    tls.settimeout(POLL_SECONDS)
    return tls


def serve_service(wire: WirePhone, port: int, sock: socket.socket, stopping: threading.Event) -> None:
    """One connection to a started service, TLS from the first byte."""
    name, host_id = wire.services.pop(port)
    tls = secure(wire.server_context(host_id), sock)

    def alive() -> bool:
        return wire.alive() and not stopping.is_set()

    handler = {DIAGNOSTICS: _diagnostics, MCINSTALL: _mcinstall, INSTALLATION_PROXY: _installation_proxy,
               BACKUP: _backup}[name]
    try:
        handler(wire.phone, tls, alive)
    finally:
        tls.close()


def hang_if_faulted(phone: SimulatedIPhone, what: str, alive: Callable[[], bool]) -> None:
    """Count the request against the phone's faults; a hung one never answers (until the phone leaves)."""
    try:
        phone.count_request(what)
    except DeviceGone as exc:
        raise LinkClosed(str(exc)) from exc
    if phone.hangs(what):
        while alive():
            phone.wait_gone(0.1)
        raise LinkClosed(f"{what} hung until the phone left")


def reply(phone: SimulatedIPhone, sock: socket.socket, what: str, value: Any) -> None:
    """Send a service's answer, or, where a fault says so, a frame of bytes that is no property list."""
    if phone.garbles(what):
        garbage = b"\x00\x01not a property list"
        send_all(sock, struct.pack(">I", len(garbage)) + garbage)
    else:
        send_plist(sock, value)


def _diagnostics(phone: SimulatedIPhone, sock: socket.socket, alive: Callable[[], bool]) -> None:
    while True:
        request = recv_plist(sock, alive)
        kind = request.get("Request") if isinstance(request, dict) else None
        if kind == "Goodbye":
            send_plist(sock, {"Status": "Success"})
            return
        if kind != "IORegistry":
            send_plist(sock, {"Status": "UnknownRequest"})
            continue
        entry_class, entry_name = request.get("EntryClass"), request.get("EntryName")
        hang_if_faulted(phone, f"ioregistry:{entry_class or entry_name}", alive)
        entry = phone.ioregistry_entry(entry_class, entry_name)
        reply(phone, sock, f"ioregistry:{entry_class or entry_name}",
              {"Status": "Success", "Diagnostics": {} if entry is None else {"IORegistry": entry}})


def _mcinstall(phone: SimulatedIPhone, sock: socket.socket, alive: Callable[[], bool]) -> None:
    while True:
        request = recv_plist(sock, alive)
        kind = str(request.get("RequestType", "")) if isinstance(request, dict) else ""
        hang_if_faulted(phone, f"mobile_config:{kind}", alive)
        try:
            reply(phone, sock, f"mobile_config:{kind}", phone.mobile_config_answer(kind))
        except ServiceFailure as exc:
            chain = [{"ErrorCode": 1001, "ErrorDomain": "MCInstallationErrorDomain", "LocalizedDescription": str(exc)}]
            send_plist(sock, {"Status": "Error", "ErrorChain": chain})


def _installation_proxy(phone: SimulatedIPhone, sock: socket.socket, alive: Callable[[], bool]) -> None:
    while True:
        request = recv_plist(sock, alive)
        if not isinstance(request, dict) or request.get("Command") != "Lookup":
            send_plist(sock, {"Error": "UnknownCommand"})
            continue
        hang_if_faulted(phone, "installed_apps", alive)
        apps = {bundle: {"CFBundleIdentifier": bundle,
                         "ApplicationType": "System" if bundle.startswith("com.apple.") else "User"}
                for bundle in phone.installed_apps()}
        reply(phone, sock, "installed_apps", {"LookupResult": apps, "Status": "Complete"})


def _backup(phone: SimulatedIPhone, sock: socket.socket, alive: Callable[[], bool]) -> None:
    send_plist(sock, ["DLMessageVersionExchange", 300, 0])
    if recv_plist(sock, alive)[:2] != ["DLMessageVersionExchange", "DLVersionsOk"]:
        raise LinkClosed("DeviceLink versions refused")
    send_plist(sock, ["DLMessageDeviceReady"])
    while True:
        message = recv_plist(sock, alive)
        if not isinstance(message, list) or not message:
            raise LinkClosed("not a DeviceLink message")
        if message[0] == "DLMessageDisconnect":
            return
        body = message[1] if len(message) > 1 and isinstance(message[1], dict) else {}
        if body.get("MessageName") == "Hello":
            send_plist(sock, ["DLMessageProcessMessage", {"ErrorCode": 0, "ProtocolVersion": 2.1}])
        elif body.get("MessageName") == "EraseDevice":
            hang_if_faulted(phone, "erase", alive)
            try:
                phone.begin_erase()
            except DeviceGone as exc:
                raise LinkClosed(str(exc)) from exc
            raise LinkClosed("erasing")  # the phone drops the link as it starts
        else:
            send_plist(sock, ["DLMessageProcessMessage", {"ErrorCode": 1, "ErrorDescription": "unsupported"}])
