"""The Certificate of Sanitization as a one-page A4 PDF, with the signed certificate inside it.

The page follows the sections of the sample certificate in NIST SP 800-88 Rev. 1 Appendix G
(person, media, sanitization details, destination, signature, validation) and names methods in
the Rev. 2 / IEEE 2883-2022 terms (Clear / Purge, overwrite). It shows only what the signed
``erasure.completed`` body holds: a field the body does not record is printed as "not recorded"
or "not reported", never guessed.

The printed text is a rendering, not the proof. What is signed is the certificate document (the
JSON written by the erase service), and that document travels inside the PDF as a standard PDF
file attachment (``<certificate id>.json``). A PDF whose visible text was edited but whose embedded
JSON was not *still verifies*, because the check never looks at the text. To verify a PDF, take
:func:`embedded_document` and pass it to :func:`app.core.certificate.check` with the trusted
station key; the QR code (``RBCERT:1:<certificate id>:<event hash>``) lets a reader match a paper
copy with the station's records.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from reportlab.lib.colors import Color  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.lib.utils import simpleSplit  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from app.core.certificate import SCHEMA, check
from app.reports.labels import qr

QR_PREFIX = "RBCERT:1"
PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
QR_SYMBOL = 38 * mm  # the code without its quiet zone: ~0.9 mm a module, read from a phone or a 100 dpi scan
QR_QUIET = 4         # modules of white around the code, as the QR standard asks
LABEL_W = 44 * mm    # label column; values wrap in the rest of the width
BODY_FONT, BOLD_FONT, MONO_FONT = "Helvetica", "Helvetica-Bold", "Courier"
BODY_SIZE, LEADING = 9.0, 11.5
MONO_SIZE = 7.5
ROW_GAP = 1.5        # air between rows, which matters most where values wrap
SQUEEZES = (1.0, 0.95, 0.9, 0.85, 0.8)  # line spacings tried in turn; at 0.8 lines of 9 pt text nearly touch
BOTTOM = MARGIN + 3  # the lowest baseline of the content; the footer sits in the margin below
MAX_LINES = 3        # a runaway value is cut, so the certificate always stays one page
GREY = Color(0.35, 0.35, 0.35)
BAND = Color(0.88, 0.88, 0.88)

# Rows are (label, value, style); style "mono" prints hex in a fixed-width font, "blank" a line to fill in,
# "brief" a value cut at two lines (findings whose whole text is in the attached signed data).
Row = tuple[str, str, str]


def render_certificate(doc: Mapping[str, Any]) -> bytes:
    """One A4 page for a *passed* erasure's certificate document; the same document gives the same bytes.

    Raises ValueError for anything that is not a signed certificate of a passed erasure: a failed or
    interrupted erasure never gets a document that looks like a certificate, and neither does a
    document whose signature does not match its own station key (it was edited after signing).
    """
    body, _ = _parts(doc)
    if body.get("outcome") != "passed":
        raise ValueError(f"erasure outcome is {body.get('outcome')!r}: only a passed erasure gets a certificate")
    cert_id = str(body.get("certificate_id") or "")
    if not cert_id:
        raise ValueError("the certificate has no certificate_id")
    return render_page(doc, cert_id, "NIST SP 800-88 media sanitization certificate", _sections)


Sections = Callable[[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]], list[tuple[str, list[Row]]]]


def render_page(doc: Mapping[str, Any], cert_id: str, subject: str, sections_of: Sections) -> bytes:
    """Verify the signed document, then draw it on one A4 page: header, its sections, footer, the
    document itself embedded. Drive and phone certificates differ only in subject and sections."""
    body, envelope = _parts(doc)
    checked = check(dict(doc))
    if not checked.ok:
        raise ValueError("the certificate does not verify: " + "; ".join(checked.problems))

    out = io.BytesIO()
    # invariant=1 fixes the creation date and the document ID, so equal input gives equal bytes.
    canvas = Canvas(out, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(f"Certificate of Sanitization {cert_id}")
    canvas.setAuthor(f"Refurb Bench station {_get(body, 'station', 'station_id')}")
    canvas.setSubject(subject)
    canvas.setCreator("Refurb Bench")
    embed_document(canvas, doc, cert_id)
    y = _header(canvas, body, envelope, cert_id)
    sections = sections_of(body, envelope, doc)
    # Try the layout on a scratch canvas first: when wrapped values make the page too tall, tighten the
    # line spacing (never the font size) so everything stays on one page, clear of the footer.
    squeeze = next((sq for sq in SQUEEZES if _draw_sections(Canvas(io.BytesIO()), y, sections, sq) >= BOTTOM),
                   SQUEEZES[-1])
    _draw_sections(canvas, y, sections, squeeze)
    _footer(canvas, body, cert_id)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def qr_payload(doc: Mapping[str, Any]) -> str:
    """The compact string in the QR code: ``RBCERT:1:<certificate id>:<event hash>``."""
    body, envelope = _parts(doc)
    return f"{QR_PREFIX}:{body.get('certificate_id', '')}:{envelope.get('hash', '')}"


# --- the embedded certificate --------------------------------------------------------------------------

# Why an attachment: it is the standard place for a file inside a PDF (ISO 32000 §7.11.4), so any viewer
# lists it and `pdfdetach` saves it as the very JSON `cert verify` already reads; and reportlab writes
# it as a plain object we control. Metadata fields (Subject, Keywords) are text strings that viewers
# and re-savers rewrite or truncate, and a trailing comment after %%EOF is not part of the PDF at all.
# The stream is left uncompressed (ASCII JSON), so the reader below needs no PDF library: it finds the
# /Type /EmbeddedFile stream and parses one JSON value from its first byte, which also copes with an
# edited copy whose /Length no longer fits (check() then names the edited field instead of giving up).

_EMBEDDED = re.compile(rb"/Type\s*/EmbeddedFile\b")
_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n)")


def embed_document(canvas: Canvas, doc: Mapping[str, Any], cert_id: str) -> None:
    """Attach ``doc`` to the PDF being drawn on ``canvas`` as ``<cert_id>.json`` (see above why)."""
    # Same text as the .json file the erase service writes (indent 2, sorted keys, ASCII only).
    text = json.dumps(dict(doc), indent=2, sort_keys=True, ensure_ascii=True) + "\n"
    # reportlab would escape the "/" of a MIME subtype name as it stands; bytes are written verbatim.
    stream = PDFStream(PDFDictionary({"Type": PDFName("EmbeddedFile"), "Subtype": b"/application#2Fjson"}),
                       content=text.encode("ascii"), filters=None)
    name = re.sub(r"[^A-Za-z0-9_-]", "_", cert_id) + ".json"
    spec = PDFDictionary({
        "Type": PDFName("Filespec"), "F": PDFString(name), "UF": PDFString(name),
        "Desc": PDFString("Signed certificate document; verify with: refurb-bench cert verify"),
        "AFRelationship": PDFName("Source"), "EF": PDFDictionary({"F": canvas._doc.Reference(stream)}),
    })
    spec_ref = canvas._doc.Reference(spec)
    canvas.setCatalogEntry("Names", {"EmbeddedFiles": PDFDictionary({"Names": PDFArray([PDFString(name), spec_ref])})})
    canvas.setCatalogEntry("AF", PDFArray([spec_ref]))  # PDF 2.0 / PDF/A-3 "associated file" of the document


def embedded_document(pdf: bytes, schemas: tuple[str, ...] = (SCHEMA,)) -> dict[str, Any] | None:
    """The certificate document embedded in ``pdf`` by :func:`render_certificate`, or None.

    None for anything else: not a PDF, a truncated file (no ``%%EOF`` at its end), no attachment,
    or an attachment that is not a certificate document of one of ``schemas`` (pass
    ``app.core.certificate.SCHEMAS`` to accept a lot certificate too). The result is *not* verified:
    pass it to :func:`app.core.certificate.check`.
    """
    if not isinstance(pdf, bytes | bytearray) or not pdf.startswith(b"%PDF-") or b"%%EOF" not in pdf[-1024:]:
        return None
    for found in _EMBEDDED.finditer(pdf):
        stream = _STREAM.search(pdf, found.end())
        if stream is None or b"endobj" in pdf[found.end():stream.start()]:
            continue  # a /Type /EmbeddedFile that is not the dictionary of a stream
        start = stream.end()
        try:
            # Parse one JSON value and stop where it ends, whatever /Length says. latin-1 maps each byte
            # to one character, so the end offset is a byte offset; the span is then read as the UTF-8 it is.
            _, end = json.JSONDecoder().raw_decode(pdf[start:].decode("latin-1"))
            value = json.loads(pdf[start:start + end])
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict) and value.get("schema") in schemas:
            return value
    return None


# --- content ------------------------------------------------------------------------------------------------

def _parts(doc: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    body, envelope = (doc.get("certificate"), doc.get("event")) if isinstance(doc, Mapping) else (None, None)
    if not isinstance(body, Mapping) or not isinstance(envelope, Mapping) or doc.get("schema") != SCHEMA:
        raise ValueError("not a Refurb Bench erasure certificate document")
    return body, envelope


def _get(body: Mapping[str, Any], section: str, key: str) -> Any:
    part = body.get(section)
    return part.get(key) if isinstance(part, Mapping) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any, missing: str = "not recorded") -> str:
    if value is None or value == "":
        return missing
    return " ".join(str(value).split())  # a newline in a recorded value must not break the layout


def _num(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else _text(value)


def _when(value: Any) -> str:
    """2026-11-22T07:07:19.438Z -> 2026-11-22 07:07:19.438 UTC (recorded times are UTC)."""
    text = _text(value)
    return text.replace("T", " ").removesuffix("Z") + " UTC" if text.endswith("Z") else text


def _sections(body: Mapping[str, Any], envelope: Mapping[str, Any], doc: Mapping[str, Any]) \
        -> list[tuple[str, list[Row]]]:
    dev: Mapping[str, Any] = body.get("device") or {}
    method: Mapping[str, Any] = body.get("method") or {}
    operator = body.get("operator")
    virtual = dev.get("transport") == "loop"

    if isinstance(operator, Mapping):
        person = [("Name", f"{_text(operator.get('name'))} (operator {_text(operator.get('id'))})", ""),
                  ("Title", _text(operator.get("role")), "")]
    else:
        person = [("Name", "not recorded (no operator was logged in for this erasure)", "")]
    bay = f"bay {dev['bay']}" if dev.get("bay") is not None else "no bay assigned"
    person += [("Organization", f"station {_text(_get(body, 'station', 'station_id'))}", ""),
               ("Location", f"{bay} (port {_text(dev.get('bay_key'))})", "")]

    serial, label = dev.get("serial"), dev.get("label_identifier")
    if serial:
        serial_text = f"{serial} (reported by the drive)" + (f"; label: {label}" if label and label != serial else "")
    else:
        serial_text = f"{label} (from the drive label, entered by the operator)" if label else "not reported"
    size = dev.get("size_bytes")
    capacity = (f"{size / 1e9:,.2f} GB ({size:,} bytes)" if isinstance(size, int) else _text(size)) + (
        f", {dev['logical_sector']}-byte sectors" if dev.get("logical_sector") else "")
    media = [
        ("Make / vendor", _text(dev.get("vendor"), "not reported by the device"), ""),
        ("Model", _text(dev.get("model"), "not reported by the device"), ""),
        ("Serial number", serial_text, ""),
        ("Media property number", f"unit {_text(envelope.get('unit_id'))}", ""),
        ("WWN", _text(dev.get("wwn"), "not reported"), ""),
        # the interface shares the media type's row: a page has no line to spare for it
        ("Media type", _text(dev.get("media_type")) + ("" if virtual else f", {_text(dev.get('transport'))} interface"),
         ""),
        ("Capacity", capacity, ""),
        ("Source", f"{_text(dev.get('path'))} in {bay}", ""),
    ]

    sanitization = (_firmware_rows if method.get("firmware") else _overwrite_rows)(body)

    sig = str(envelope.get("signature") or "")
    signature = [
        ("Attestation", "Signed with the station's Ed25519 key when the erasure was recorded. The signature "
         "covers the certificate data attached to this PDF, not the printed text; to check it, run "
         "refurb-bench cert verify on this file.", ""),
        ("Event hash (SHA-256)", _text(envelope.get("hash")), "mono"),
        ("Signature", sig[:64] + (" " + sig[64:] if len(sig) > 64 else ""), "mono"),
        ("Station public key", _text(doc.get("station_public_key")), "mono"),
        ("Event", f"seq {_num(envelope.get('seq'))} of stream {_text(envelope.get('stream_id'))}", ""),
    ]
    validation = [("Name", "Title", "blank"), ("Organization", "Location", "blank"), ("Signature", "Date", "blank")]
    override = body.get("override")
    if isinstance(override, Mapping):
        by = _mapping(override.get("by"))
        lifted = "; ".join(_text(r.get("text")) for r in override.get("refusals") or [] if isinstance(r, Mapping))
        # what was lifted comes before the reason, so a long reason is what gets cut on paper
        sanitization.append(("Interlock override", f"by {_text(by.get('name'))} ({_text(by.get('role'))}), lifting: "
                             f"{lifted or 'not recorded'}; reason: \u201c{_text(override.get('reason'))}\u201d",
                             "brief"))
    return [
        ("Person performing sanitization", person),
        ("Media information", media),
        ("Sanitization details", sanitization),
        ("Drive health (read before erasure) and hidden areas",
         smart_rows(body.get("smart"), virtual) + hidden_area_rows(body.get("hidden_areas"), virtual)),
        ("Media destination", [("Destination", _text(body.get("destination")).capitalize(), "")]),
        ("Signature", signature),
        ("Validation", validation),
    ]


def _overwrite_rows(body: Mapping[str, Any]) -> list[Row]:
    """Sanitization details of an overwrite by the bench."""
    method: Mapping[str, Any] = body.get("method") or {}
    ver: Mapping[str, Any] = body.get("verification") or {}
    result: Mapping[str, Any] = body.get("result") or {}
    passes = method.get("passes")
    details = f"pattern {_text(method.get('pattern'))}, {_num(passes)} pass{'' if passes == 1 else 'es'}"
    if isinstance(method.get("start_offset"), int) and method["start_offset"] > 0:
        details += f", resumed at byte {method['start_offset']:,}"
    if ver.get("method") == "full":
        vmethod = f"Full: every byte read back ({_num(ver.get('verified_bytes'))} bytes)"
    elif ver.get("method") == "sample":
        vmethod = (f"Quick sampling: {_num(ver.get('sample_ranges'))} ranges read back "
                   f"({_num(ver.get('verified_bytes'))} bytes, seed {_text(ver.get('sample_seed'))})")
    else:
        vmethod = _text(ver.get("method"))
    return [
        ("Method type", _text(method.get("category")), ""),
        ("Method used", _text(method.get("technique")) + f" ({_text(method.get('name'))})", ""),
        ("Method details", details, ""),
        ("Standard", _text(method.get("standard")), ""),
        ("Tool used", f"{_text(method.get('tool'))} {_text(method.get('tool_version'), '')}".strip(), ""),
        ("Verification method", vmethod, ""),
        ("Verification result", f"{_text(ver.get('result'))} ({_num(ver.get('mismatches'))} mismatching ranges)", ""),
        ("Written", f"{_num(result.get('written_bytes'))} bytes, {_num(result.get('bad_ranges'))} unwritable ranges",
         ""),
        ("Started / finished", f"{_when(body.get('started_at'))}  /  {_when(body.get('finished_at'))}", ""),
        ("Result", _text(result.get("summary")), ""),
    ]


def _clock(value: Any) -> str:
    """2026-11-22T07:07:19.438+00:00 -> 07:07:19.438 (the date is on the started / finished row)."""
    text = _text(value)
    return text[11:23] if len(text) >= 23 and text[10] == "T" else text


def _firmware_rows(body: Mapping[str, Any]) -> list[Row]:
    """Sanitization details of the drive's own sanitize: the command, the three claims with their
    times, and the sampled read-back."""
    method: Mapping[str, Any] = body.get("method") or {}
    ver: Mapping[str, Any] = body.get("verification") or {}
    result: Mapping[str, Any] = body.get("result") or {}
    firmware = _mapping(method.get("drive_firmware"))
    steps = "; ".join(f"{_text(st.get('name'))} {'✓' if st.get('ok') else '✗'} {_clock(st.get('at'))}"
                      for st in result.get("steps") or [] if isinstance(st, Mapping))
    commands = "; ".join(_text(c) for c in method.get("commands") or [])
    return [
        ("Method type", _text(method.get("category")), ""),
        ("Method used", f"{_text(method.get('technique'))} by the drive's firmware ({_text(method.get('label'))}, "
                        f"{_text(method.get('name'))})", ""),
        ("Method details", f"IEEE 2883: {_text(method.get('ieee2883'))}; command: {commands or 'not recorded'}",
         "brief"),
        ("Standard", _text(method.get("standard")), ""),
        ("Tool used", f"{_text(method.get('tool'))} {_text(method.get('tool_version'), '')}".strip()
         + (f"; drive firmware {_text(firmware.get('revision'))}" if firmware.get("revision") else ""), ""),
        ("Steps (UTC)", steps or "not recorded", ""),
        ("Verification method", f"Read-back of {_num(ver.get('sample_ranges'))} NIST-sampled ranges "
                                f"({_num(ver.get('verified_bytes'))} bytes, seed {_text(ver.get('sample_seed'))}): "
                                f"{_text(ver.get('read_back'))}", ""),
        ("Verification result", f"{_text(ver.get('result'))} ({_num(ver.get('mismatches'))} mismatching ranges)", ""),
        ("Started / finished", f"{_when(body.get('started_at'))}  /  {_when(body.get('finished_at'))}", ""),
        ("Result", _text(result.get("summary")), ""),
    ]


def smart_rows(smart: Any, virtual: bool) -> list[Row]:
    """The SMART summary as recorded, in two rows; an erasure recorded before health was read says so."""
    if not isinstance(smart, Mapping):
        return [("SMART verdict", "not recorded (this erasure predates health checks)", "")]
    reasons = "; ".join(_text(r.get("text")) for r in smart.get("reasons") or [] if isinstance(r, Mapping))
    tool = f"smartctl {smart['smartctl_version']}" if smart.get("smartctl_version") else "smartctl"
    if isinstance(smart.get("smartctl_exit_status"), int):
        tool += f", exit status {smart['smartctl_exit_status']}"
    verdict = _text(smart.get("verdict")).upper()
    verdict += f" (a virtual device has no SMART; {tool})" if verdict == "UNKNOWN" and virtual else f" ({tool})"
    rows: list[Row] = [("SMART verdict", f"{verdict}: {reasons or 'no reasons given'}", "brief")]
    figures = [f"{label} {smart[key]}" for label, key in (
        ("model", "model"), ("serial", "serial"), ("firmware", "firmware")) if smart.get(key)]
    figures += [f"{label} {_num(smart[key])}{unit}" for label, key, unit in (
        ("power-on", "power_on_hours", " h"), ("temperature", "temperature_c", " \u00b0C"),
        ("percentage used", "nvme_percentage_used", " %"), ("reallocated", "reallocated_sectors", ""),
        ("pending", "pending_sectors", ""), ("uncorrectable", "offline_uncorrectable", ""),
        ("grown defects", "scsi_grown_defects", ""), ("media errors", "nvme_media_errors", ""),
    ) if isinstance(smart.get(key), int)]
    if figures:
        rows.append(("SMART figures", ", ".join(figures), "brief"))
    return rows


def hidden_area_rows(hidden: Any, virtual: bool) -> list[Row]:
    """HPA and DCO before and after the erasure, one row each, then the sector counts and the probe's words."""
    if not isinstance(hidden, Mapping):
        return [("HPA / DCO", "not applicable (virtual device)" if virtual else "not checked", "")]
    before, after = _mapping(hidden.get("before")), _mapping(hidden.get("after"))

    def pair(key: str) -> str:
        return f"{key.upper()} {_text(before.get(key))} \u2192 {_text(after.get(key))}"

    rows: list[Row] = [("HPA / DCO", f"{pair('hpa')};  {pair('dco')}  (before \u2192 after erasure)", "")]
    sectors = ", ".join(f"{label} {_num(before[key])} sectors" for label, key in (
        ("visible", "visible_sectors"), ("native", "native_sectors"), ("DCO maximum", "dco_max_sectors"))
        if isinstance(before.get(key), int))
    notes = [sectors + " (before erasure)"] if sectors else []
    details = [_text(d.get("detail"), "") for d in (before, after)]
    notes += [details[0]] if details[0] == details[1] else [f"before: {details[0]}", f"after: {details[1]}"]
    notes = [n for n in notes if n and n not in ("before: ", "after: ")]
    if notes:
        rows.append(("HPA / DCO detail", "; ".join(notes), ""))
    return rows


# --- drawing ------------------------------------------------------------------------------------------------

def _header(canvas: Canvas, body: Mapping[str, Any], envelope: Mapping[str, Any], cert_id: str) -> float:
    """Title, certificate id, outcome and QR code; returns the y below them."""
    top = PAGE_H - MARGIN
    left_w = PAGE_W - 2 * MARGIN - QR_SYMBOL - 8 * mm
    canvas.setFont(BOLD_FONT, 21)
    canvas.drawString(MARGIN, top - 19, "Certificate of Sanitization")
    canvas.setFont(BODY_FONT, 8.5)
    canvas.setFillColor(GREY)
    subtitle = ("Record of media sanitization following NIST SP 800-88 Rev. 1 Appendix G; method terms per "
                "NIST SP 800-88 Rev. 2 / IEEE 2883-2022.")
    y = top - 33
    for line in simpleSplit(subtitle, BODY_FONT, 8.5, left_w):
        canvas.drawString(MARGIN, y, line)
        y -= 10.5
    canvas.drawString(MARGIN, y - 6, "CERTIFICATE ID")
    canvas.setFillColor(Color(0, 0, 0))
    canvas.setFont("Courier-Bold", 20)
    canvas.drawString(MARGIN, y - 26, cert_id)
    # The outcome in a heavy box, readable from across the bench and in black-and-white print.
    box_y = y - 70
    canvas.setLineWidth(2)
    canvas.rect(MARGIN, box_y, left_w, 34, stroke=1, fill=0)
    canvas.setFont(BOLD_FONT, 14)
    category = _text(_get(body, "method", "category"), "").upper()
    canvas.drawString(MARGIN + 8, box_y + 19, f"PASSED: SANITIZED ({category}) AND VERIFIED")
    canvas.setFont(BODY_FONT, 8.5)
    canvas.drawString(MARGIN + 8, box_y + 7, f"Erasure {_text(body.get('erasure_id'))}, finished "
                      f"{_when(body.get('finished_at'))}")
    canvas.setLineWidth(1)

    symbol = qr.encode(f"{QR_PREFIX}:{cert_id}:{envelope.get('hash', '')}".encode())
    module = QR_SYMBOL / symbol.size
    quiet = module * QR_QUIET
    # The symbol's edges line up with the title and the right margin; its white quiet zone may lie in the margin.
    # One filled path of horizontal runs of dark modules (module units, y downwards) instead of a shape per module.
    runs = " ".join(f"{x} {y} {length} 1 re" for y, x, length in symbol.dark_runs())
    canvas.setFillColor(Color(0, 0, 0))
    canvas.addLiteral(f"q {module:.4f} 0 0 {-module:.4f} {PAGE_W - MARGIN - QR_SYMBOL:.3f} {top:.3f} cm {runs} f Q")
    qr_y = top - QR_SYMBOL - quiet - 7  # the caption goes below the quiet zone, which must stay blank
    canvas.setFont(BODY_FONT, 6.5)
    canvas.setFillColor(GREY)
    canvas.drawCentredString(PAGE_W - MARGIN - QR_SYMBOL / 2, qr_y, "certificate id + event hash")
    canvas.setFillColor(Color(0, 0, 0))
    return float(min(box_y, qr_y - 2))


def _draw_sections(canvas: Canvas, y: float, sections: list[tuple[str, list[Row]]], squeeze: float) -> float:
    for title, rows in sections:
        y = _section(canvas, y, title, rows, squeeze)
    return y


def _section(canvas: Canvas, y: float, title: str, rows: list[Row], squeeze: float) -> float:
    """A grey title band and label/value rows below ``y``, spaced by ``squeeze`` (<= 1).

    ``y`` is, before and after, the baseline of the lowest thing drawn so far.
    """
    leading = LEADING * squeeze
    width = PAGE_W - 2 * MARGIN
    y -= 8 * squeeze  # clear of the descenders above, plus air between sections
    canvas.setFillColor(BAND)
    canvas.rect(MARGIN, y - 14, width, 14, stroke=0, fill=1)
    canvas.setFillColor(Color(0, 0, 0))
    canvas.setFont(BOLD_FONT, 10)
    canvas.drawString(MARGIN + 4, y - 10.5, title)
    y -= 14
    value_x = MARGIN + LABEL_W
    value_w = width - LABEL_W - 4
    for label, value, style in rows:
        y -= leading * (1.7 if style == "blank" else 1.0) + ROW_GAP * squeeze
        canvas.setFont(BOLD_FONT, BODY_SIZE)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN + 4, y, label)
        canvas.setFillColor(Color(0, 0, 0))
        if style == "blank":
            # Room to write by hand, as on the paper form; a value names a second field on the same line.
            canvas.setLineWidth(0.5)
            half = (MARGIN + width - 4 - value_x) / 2
            canvas.line(value_x, y - 3, value_x + half - 8 if value else MARGIN + width - 4, y - 3)
            if value:
                canvas.setFillColor(GREY)
                canvas.drawString(value_x + half, y, value)
                canvas.setFillColor(Color(0, 0, 0))
                start = value_x + half + canvas.stringWidth(value, BOLD_FONT, BODY_SIZE) + 6
                canvas.line(start, y - 3, MARGIN + width - 4, y - 3)
            continue
        # Hex is smaller and set tighter; the next row's label still keeps a full line of distance.
        font, size, step = (MONO_FONT, MONO_SIZE, MONO_SIZE + 2) if style == "mono" else (BODY_FONT, BODY_SIZE,
                                                                                         leading)
        lines = simpleSplit(value, font, size, value_w) or [""]
        most = 2 if style == "brief" else MAX_LINES
        if len(lines) > most:
            lines = [*lines[:most - 1], lines[most - 1][:-1] + "…"]
        canvas.setFont(font, size)
        for i, line in enumerate(lines):
            canvas.drawString(value_x, y - i * step, line)
        y -= step * (len(lines) - 1)
    return y


def _footer(canvas: Canvas, body: Mapping[str, Any], cert_id: str) -> None:
    canvas.setFont(BODY_FONT, 7)
    canvas.setFillColor(GREY)
    canvas.drawString(MARGIN, MARGIN - 12, f"Certificate {cert_id} · page 1 of 1 · Refurb Bench "
                      f"{_text(_get(body, 'method', 'tool_version'), '')}".rstrip())
    canvas.drawRightString(PAGE_W - MARGIN, MARGIN - 12, "The attached signed data, not this printout, is the record.")
