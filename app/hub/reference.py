"""Reference data the hub publishes to benches: grading rulesets, price tables, test plans and the
operator list, as numbered versions.

A version is one manifest: every file's path, kind, SHA-256 and text, signed by the hub's key. The
hub checks every file with the same loaders the bench grades and tests with before it publishes;
the bench checks the signature, the digests and the files again before it keeps a version. Shared
by the hub (publishing) and the bench (app/services/reference_data.py); no I/O beyond reading the
folder being published and a scratch folder for the loaders.
"""

from __future__ import annotations

import base64
import hashlib
import json
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.core.canonical import canonical_json
from app.core.errors import OperatorError
from app.core.grading.loader import load_ruleset
from app.core.grading.prices import load_price_table

# Folder of a published set -> kind of its files.
FOLDERS = {"rulesets": "ruleset", "prices": "price_table", "testplans": "test_plan"}
OPERATORS_FILE = "operators.json"
ROLES = frozenset({"technician", "supervisor", "admin"})
_OPERATOR_FIELDS = ("operator_id", "name", "badge", "role", "pin_hash")


class ReferenceError(OperatorError):
    """A reference file that cannot be published or kept, with its path and why."""


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_file(path: str, kind: str, text: str) -> None:
    """Raise ReferenceError unless ``text`` is a usable file of ``kind`` (the bench's own loaders decide)."""
    if kind == "operators":
        check_operators(path, text)
        return
    if kind == "test_plan":
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ReferenceError(f"{path}: TOML syntax: {exc}", hint="Correct the file and publish again") from None
        return
    loader = {"ruleset": load_ruleset, "price_table": load_price_table}.get(kind)
    if loader is None:
        raise ReferenceError(f"{path}: unknown kind {kind!r}", hint="Publish rulesets, prices, testplans, operators")
    with tempfile.TemporaryDirectory(prefix="refcheck-") as scratch:
        copy = Path(scratch) / Path(path).name
        copy.write_text(text, encoding="utf-8")
        try:
            loader(copy)
        except OperatorError as exc:
            raise ReferenceError(exc.message.replace(str(copy), path), hint="Correct the file and publish again") \
                from None


def check_operators(path: str, text: str) -> list[dict[str, str]]:
    """The operator list, or ReferenceError naming the first entry that does not hold."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ReferenceError(f"{path}: not JSON ({exc})", hint="Correct the file and publish again") from None
    if not isinstance(data, list):
        raise ReferenceError(f"{path}: must be a list of operators", hint="[{\"operator_id\": ..., ...}]")
    badges: set[str] = set()
    for index, entry in enumerate(data):
        if not isinstance(entry, dict) or any(not isinstance(entry.get(f), str) or not entry[f] for f in
                                              _OPERATOR_FIELDS):
            raise ReferenceError(f"{path}: operator {index + 1} needs {', '.join(_OPERATOR_FIELDS)} as text",
                                 hint="Correct the file and publish again")
        if entry["role"] not in ROLES:
            raise ReferenceError(f"{path}: operator {index + 1} has an unknown role {entry['role']!r}",
                                 hint=f"Roles: {', '.join(sorted(ROLES))}")
        if entry["badge"].upper() in badges:
            raise ReferenceError(f"{path}: badge {entry['badge']} is listed twice", hint="Badges must differ")
        badges.add(entry["badge"].upper())
    return data


def collect(folder: Path) -> list[dict[str, str]]:
    """Every reference file under ``folder`` (rulesets/, prices/, testplans/, operators.json), checked."""
    files: list[dict[str, str]] = []
    for name, kind in FOLDERS.items():
        for path in sorted((folder / name).rglob("*.toml")) if (folder / name).is_dir() else []:
            files.append({"path": path.relative_to(folder).as_posix(), "kind": kind})
    if (folder / OPERATORS_FILE).is_file():
        files.append({"path": OPERATORS_FILE, "kind": "operators"})
    if not files:
        raise ReferenceError(f"{folder} holds no reference data",
                             hint="Put rulesets/, prices/, testplans/ (TOML) and/or operators.json in it")
    for entry in files:
        try:
            text = (folder / entry["path"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ReferenceError(f"{entry['path']}: cannot be read ({exc})", hint="Check the file") from None
        check_file(entry["path"], entry["kind"], text)
        entry.update(sha256=_sha(text), content=text)
    return files


def manifest(version: int, published_at: str, files: list[dict[str, str]]) -> dict[str, Any]:
    return {"version": version, "published_at": published_at, "files": files}


def sign(document: dict[str, Any], key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.sign(canonical_json(document).encode("utf-8"))).decode("ascii")


def verify(document: Any, signature: str, hub_key: Ed25519PublicKey) -> list[dict[str, str]]:
    """The files of a signed manifest after checking signature, digests and every file; else ReferenceError."""
    try:
        hub_key.verify(base64.b64decode(signature, validate=True), canonical_json(document).encode("utf-8"))
    except (InvalidSignature, ValueError, TypeError):
        raise ReferenceError("the reference data is not signed by the hub this bench enrolled with",
                             hint="Nothing was changed; tell the hub's admin") from None
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, list):
        raise ReferenceError("the reference data has no file list", hint="Tell the hub's admin")
    for entry in files:
        path, content = str(entry.get("path", "")), entry.get("content")
        if not isinstance(content, str) or _sha(content) != entry.get("sha256"):
            raise ReferenceError(f"{path}: its content does not match its digest", hint="Tell the hub's admin")
        if path.startswith("/") or ".." in Path(path).parts:
            raise ReferenceError(f"{path}: not a path inside the reference folder", hint="Tell the hub's admin")
        check_file(path, str(entry.get("kind")), content)
    return files
