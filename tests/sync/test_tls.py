"""A hub address answered by a server the bench cannot trust (a self-signed certificate: a wrong
server or a man in the middle): the bench refuses to send, says why, and keeps every event."""

from __future__ import annotations

import datetime as dt
import json
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.hub.server import HubServer
from app.services.sync import SyncClient, SyncState
from tests.hub.helpers import RunningHub, hub_hashes, record_events


def _self_signed(folder: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                       serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


def test_an_untrusted_server_at_the_hub_address_gets_nothing(
    bench: Path, hub: RunningHub, tmp_path: Path
) -> None:
    record_events(bench, 20)
    with HubServer(hub.hub, "127.0.0.1", 0, tls=_self_signed(tmp_path), request_timeout=5) as impostor:
        assert impostor.url.startswith("https://")
        enrollment = json.loads((bench / "sync.json").read_text())
        (bench / "sync.json").write_text(json.dumps({**enrollment, "hub_url": impostor.url}))
        client = SyncClient(bench, timeout=5)
        try:
            status = client.sync_once()
        finally:
            client.close()
    assert status.state is SyncState.STOPPED
    assert "TLS certificate is not trusted" in status.last_error
    assert status.pending == 21, "every event is still here, waiting"
    assert hub_hashes(hub.storage) == {}, "nothing was sent"
