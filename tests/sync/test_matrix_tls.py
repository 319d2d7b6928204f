"""Failure matrix row 23 beyond the self-signed impostor (tests/sync/test_tls.py), and the hub's
TLS options end to end: `hub serve --tls-cert --tls-key` with a certificate from the facility's CA
is trusted by a bench that trusts that CA; a server at the hub's address with a certificate from
another CA, or from the right CA but for another name, gets nothing; and a server whose receipts are
not signed by the key the bench enrolled with proves nothing delivered."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import signal
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from app.cli import main as cli_main
from app.hub.server import HubServer
from app.hub.service import Hub
from app.services.sync import SyncClient, SyncState, SyncStatus
from app.store import sync_state
from app.store.store import Store
from tests.hub.helpers import RunningHub, bench_hashes, free_env, hub_hashes, record_events

ROOT = Path(__file__).resolve().parents[2]


class Authority:
    """A certificate authority of the test's own, writing PEM files into ``folder``."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.name = subject
        now = dt.datetime.now(dt.UTC)
        self.cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - dt.timedelta(minutes=1)).not_valid_after(now + dt.timedelta(days=1))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                  content_commitment=False, key_encipherment=False,
                                                  data_encipherment=False, key_agreement=False,
                                                  encipher_only=False, decipher_only=False), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.pem = folder / "ca.pem"
        self.pem.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def issue(self, stem: str, names: list[x509.GeneralName]) -> tuple[Path, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, stem)])).issuer_name(self.name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=1)).not_valid_after(now + dt.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName(names), critical=False)
                .sign(self.key, hashes.SHA256()))
        cert_path, key_path = self.folder / f"{stem}.pem", self.folder / f"{stem}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        return cert_path, key_path


LOOPBACK: list[x509.GeneralName] = [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def _sync_through(bench: Path, url: str) -> SyncStatus:
    enrollment = json.loads((bench / "sync.json").read_text())
    (bench / "sync.json").write_text(json.dumps({**enrollment, "hub_url": url}))
    client = SyncClient(bench, timeout=5)
    try:
        return client.sync_once()
    finally:
        client.close()


@pytest.mark.parametrize("impostor", ["another_ca", "another_name"])
def test_only_the_certificate_the_bench_trusts_gets_its_events(
    bench: Path, hub: RunningHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, impostor: str
) -> None:
    facility = Authority(tmp_path / "facility-ca", "Facility CA")
    monkeypatch.setenv("SSL_CERT_FILE", str(facility.pem))  # the bench trusts the facility's CA, and only it
    record_events(bench, 20)
    if impostor == "another_ca":
        cert, key = Authority(tmp_path / "other-ca", "Other CA").issue("impostor", LOOPBACK)
    else:
        cert, key = facility.issue("elsewhere", [x509.DNSName("hub.elsewhere.example")])
    with HubServer(hub.hub, "127.0.0.1", 0, tls=_server_context(cert, key), request_timeout=5) as wrong:
        refused = _sync_through(bench, wrong.url)
    assert refused.state is SyncState.STOPPED
    assert "TLS certificate is not trusted" in refused.last_error
    assert refused.pending == 21
    assert hub_hashes(hub.storage) == {}, "nothing went to the server the bench does not trust"

    cert, key = facility.issue("hub", LOOPBACK)
    with HubServer(hub.hub, "127.0.0.1", 0, tls=_server_context(cert, key), request_timeout=5) as genuine:
        status = _sync_through(bench, genuine.url)
    assert status.state is SyncState.IDLE, status.last_error
    assert hub_hashes(hub.storage) == bench_hashes(bench)


def test_cli_hub_serves_tls_with_the_given_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    facility = Authority(tmp_path / "ca", "Facility CA")
    cert, key = facility.issue("hub", LOOPBACK)
    monkeypatch.setenv("SSL_CERT_FILE", str(facility.pem))
    hub_dir, bench = tmp_path / "hub", tmp_path / "bench"
    server = subprocess.Popen([sys.executable, "-m", "app", "hub", "serve", "--data-dir", str(hub_dir), "--port", "0",
                               "--tls-cert", str(cert), "--tls-key", str(key)],
                              cwd=ROOT, env=free_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("hub listening on https://127.0.0.1:"), line
        url = line.split()[-1]
        assert cli_main(["hub", "enroll-code", "--data-dir", str(hub_dir), "--bench-name", "Bench T"]) == 0
        code = capsys.readouterr().out.strip()
        assert cli_main(["--data-dir", str(bench), "sync", "enroll", "--hub", url, "--code", code]) == 0
        record_events(bench, 12)
        capsys.readouterr()
        assert cli_main(["--data-dir", str(bench), "sync", "--once", "--json"]) == 0
        status = json.loads(capsys.readouterr().out)
        assert (status["state"], status["pending"], status["hub_hwm"]) == ("idle", 0, 13)
        assert status["hub_url"] == url
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        for stream in (server.stdout, server.stderr):
            if stream:
                stream.close()


def test_cli_refuses_half_a_tls_configuration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cert, _ = Authority(tmp_path / "ca", "Facility CA").issue("hub", LOOPBACK)
    assert cli_main(["hub", "serve", "--data-dir", str(tmp_path / "hub"), "--port", "0", "--tls-cert", str(cert)]) == 2
    said = capsys.readouterr().err
    assert "--tls-cert and --tls-key go together" in said
    assert "Give both, or neither" in said


def test_receipts_signed_by_another_key_stop_the_bench_and_prove_nothing(
    bench: Path, hub: RunningHub, log_warnings: list[Any]
) -> None:
    """A server that holds the hub's database but not its key (a wrong or rebuilt hub at the address):
    its receipts do not verify with the key the bench enrolled with, so the bench records nothing as
    delivered and stops, saying why."""
    record_events(bench, 15)
    stranger = Hub(hub.storage, Ed25519PrivateKey.generate())
    with HubServer(stranger, "127.0.0.1", 0, request_timeout=5) as wrong:
        status = _sync_through(bench, wrong.url)
    assert status.state is SyncState.STOPPED
    assert status.last_error.startswith("the hub's answer does not hold: the receipt is not signed by the hub")
    assert (status.hub_hwm, status.pending) == (0, 16), "nothing counts as delivered on an unverified receipt"
    assert status.last_success is None
    with Store(bench) as store:
        assert sync_state.latest_receipt(store.db, store.stream_id) is None
    status = _sync_through(bench, hub.url)  # the genuine hub: delivered, with a receipt that verifies
    assert status.state is SyncState.IDLE, status.last_error
    assert (status.hub_hwm, status.pending) == (16, 0)
    assert hub_hashes(hub.storage) == bench_hashes(bench)
