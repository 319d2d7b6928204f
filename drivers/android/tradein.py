"""Android 16 trade-in mode status (``tradeinmode getstatus``): one JSON object with battery cycle
count and health %, storage capacity, FRP state, IMEIs and serial, straight from the platform. Phones
before Android 16 do not have the command, so it is not even tried there; a phone whose trade-in
service hangs is read from its other sources instead."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from drivers.android.adb_client import ShellResult
from drivers.android.errors import ShellTimeout
from drivers.android.parsing import parse_json_object

TRADE_IN_MIN_SDK = 36

Run = Callable[[str], ShellResult]


@dataclass(frozen=True)
class TradeInStatus:
    """The parsed JSON, or why there is none (``status`` is then None)."""

    status: Mapping[str, Any] | None
    reason: str

    def section(self, name: str) -> Mapping[str, Any]:
        value = (self.status or {}).get(name)
        return value if isinstance(value, Mapping) else {}


def read_trade_in_status(run: Run, sdk: int | None) -> TradeInStatus:
    if sdk is None or sdk < TRADE_IN_MIN_SDK:
        return TradeInStatus(None, f"trade-in mode needs Android 16 (API {TRADE_IN_MIN_SDK}); phone has API {sdk}")
    try:
        result = run("tradeinmode getstatus")
    except ShellTimeout as exc:
        # A wedged trade-in service must not stop the phone being read from its other sources.
        return TradeInStatus(None, f"tradeinmode getstatus did not answer within {exc.timeout:g} s")
    if not result.ok:
        return TradeInStatus(None, f"tradeinmode getstatus failed (exit {result.exit_code}): "
                                   f"{result.stderr.strip()[:120]}")
    status = parse_json_object(result.stdout)
    if status is None:
        return TradeInStatus(None, f"tradeinmode getstatus printed no JSON object: {result.stdout.strip()[:80]!r}")
    return TradeInStatus(status, "tradeinmode getstatus")
