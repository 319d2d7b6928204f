"""A phone's Certificate of Sanitization: the drive certificate's page, with a phone's facts.

Same document format, header, QR code (``RBCERT:1:<certificate id>:<event hash>``), signature block,
footer and embedded signed JSON as :mod:`app.reports.certificate_pdf`; the media section names the
phone (make, model and model number, serial, IMEIs, OS before and after), the sanitisation section the
factory reset as a cryptographic erase and how it was verified, and a section lists the locks that
were checked before the reset. ``refurb-bench cert verify`` checks the PDF exactly as a drive's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.reports.certificate_pdf import (
    Row,
    _get,
    _mapping,
    _num,
    _parts,
    _text,
    _when,
    render_page,
)

_LOCK_NAMES = {"frp": "Google FRP", "mdm": "Device management", "carrier_lock": "Carrier lock", "root": "Root signs",
               "activation_lock": "Activation Lock", "jailbreak": "Jailbreak signs"}


def render_phone_certificate(doc: Mapping[str, Any]) -> bytes:
    """One A4 page for a passed phone reset's certificate document; ValueError for anything else."""
    body, _ = _parts(doc)
    device = _mapping(body.get("device"))
    if device.get("kind") != "phone":
        raise ValueError("not a phone's certificate (render a drive's with render_certificate)")
    if body.get("outcome") != "passed" or not body.get("certificate_id"):
        raise ValueError(f"reset outcome is {body.get('outcome')!r}: only a verified cryptographic erase gets a "
                         "certificate")
    return render_page(doc, str(body["certificate_id"]), "NIST SP 800-88 media sanitization certificate (phone)",
                       _sections)


def _sections(body: Mapping[str, Any], envelope: Mapping[str, Any], doc: Mapping[str, Any]) \
        -> list[tuple[str, list[Row]]]:
    dev, method = _mapping(body.get("device")), _mapping(body.get("method"))
    ver, result = _mapping(body.get("verification")), _mapping(body.get("result"))
    operator = body.get("operator")
    if isinstance(operator, Mapping):
        person = [("Name", f"{_text(operator.get('name'))} (operator {_text(operator.get('id'))})", ""),
                  ("Title", _text(operator.get("role")), "")]
    else:
        person = [("Name", "not recorded (no operator was logged in for this reset)", "")]
    bay = f"bay {dev['bay']}" if dev.get("bay") is not None else "no bay assigned"
    person += [("Organization", f"station {_text(_get(body, 'station', 'station_id'))}", ""),
               ("Location", f"{bay} (port {_text(dev.get('bay_key'))})", "")]

    after = _mapping(result.get("identity_after"))
    size = dev.get("size_bytes")
    model = _text(dev.get("model"), "not reported by the phone") + (
        f" ({dev['model_number']})" if dev.get("model_number") else "")
    media = [
        ("Make / model", f"{_text(dev.get('vendor'), 'make not reported')} {model}", ""),
        ("Serial number", f"{_text(dev.get('serial'), 'not reported')} (reported by the phone)", ""),
        ("IMEI", ", ".join(str(i) for i in dev.get("imeis") or []) or "none (no telephony, or not readable)", ""),
        ("Media property number", f"unit {_text(envelope.get('unit_id'))}", ""),
        ("Operating system", f"{_text(dev.get('os_version'))} before; {_text(after.get('os_version'))} after", ""),
        ("Media type", f"{_text(dev.get('media_type'))}, {_text(dev.get('platform'))} over "
                       f"{_text(dev.get('transport'))}", ""),
        ("Capacity", f"{size / 1e9:,.0f} GB" if isinstance(size, int) and size > 0 else "not reported", ""),
    ]
    phases = ", ".join(f"{_text(p.get('phase')).replace('_', ' ')} at {_num(p.get('at_ms'))} ms"
                       for p in result.get("phases") or [] if isinstance(p, Mapping))
    sanitization = [
        ("Method type", _text(method.get("category")), ""),
        ("Method used", f"{_text(method.get('technique'))} ({_text(method.get('name'))}: "
                        f"{_text(method.get('trigger'))})", ""),
        ("Standard", _text(method.get("standard")), ""),
        ("Tool used", f"{_text(method.get('tool'))} {_text(method.get('tool_version'), '')}".strip(), ""),
        ("Verification method", _text(ver.get("method")), ""),
        ("Verification result", f"{_text(ver.get('result'))}: " + "; ".join(
            str(c).removeprefix("ok: ") for c in ver.get("checks") or []), "brief"),
        ("Steps", phases or "not recorded", "brief"),
        ("Started / finished", f"{_when(body.get('started_at'))}  /  {_when(body.get('finished_at'))}", ""),
        ("Result", _text(result.get("summary")), ""),
    ]
    locks = [(_LOCK_NAMES.get(str(b.get("kind")), _text(b.get("kind"))),
              f"{_text(b.get('status'))}: {_text(b.get('evidence'))}", "brief")
             for b in body.get("blockers") or [] if isinstance(b, Mapping)] or [("Locks", "not recorded", "")]
    sig = str(envelope.get("signature") or "")
    signature = [
        ("Attestation", "Signed with the station's Ed25519 key when the reset was recorded. The signature covers "
         "the certificate data attached to this PDF, not the printed text; to check it, run refurb-bench cert "
         "verify on this file.", ""),
        ("Event hash (SHA-256)", _text(envelope.get("hash")), "mono"),
        ("Signature", sig[:64] + (" " + sig[64:] if len(sig) > 64 else ""), "mono"),
        ("Station public key", _text(doc.get("station_public_key")), "mono"),
        ("Event", f"seq {_num(envelope.get('seq'))} of stream {_text(envelope.get('stream_id'))}", ""),
    ]
    validation = [("Name", "Title", "blank"), ("Organization", "Location", "blank"), ("Signature", "Date", "blank")]
    return [
        ("Person performing sanitization", person),
        ("Media information", media),
        ("Sanitization details", sanitization),
        ("Locks checked before the reset", locks),
        ("Media destination", [("Destination", _text(body.get("destination")).capitalize(), "")]),
        ("Signature", signature),
        ("Validation", validation),
    ]
