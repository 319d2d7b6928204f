"""One Android phone on the bench, through an adb server.

Plain blocking calls, safe to run on a job thread per phone; each shell command has its own
timeout, so every method returns or raises within a bounded time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from drivers.android.adb_client import AdbClient, ShellResult
from drivers.android.battery import read_battery
from drivers.android.blockers import read_blockers
from drivers.android.checks import run_automatic_checks
from drivers.android.identity import read_identity
from drivers.android.models import BatteryReport, BlockerReport, CheckResult, PhoneIdentity
from drivers.android.parsing import parse_int
from drivers.android.reset import ResetPhase, ResetReport, factory_reset
from drivers.android.tradein import TradeInStatus, read_trade_in_status


@dataclass(frozen=True)
class Timeouts:
    command: float = 8.0  # one shell command
    reset_return: float = 180.0  # from the phone going down to it answering again


class AndroidPhone:
    def __init__(self, client: AdbClient, serial: str, timeouts: Timeouts | None = None) -> None:
        self.client = client
        self.serial = serial
        self.timeouts = timeouts or Timeouts()

    def sh(self, command: str, timeout: float | None = None) -> ShellResult:
        return self.client.shell(self.serial, command, timeout or self.timeouts.command)

    def _trade_in(self) -> TradeInStatus:
        return read_trade_in_status(self.sh, parse_int(self.sh("getprop ro.build.version.sdk").stdout))

    def identity(self) -> PhoneIdentity:
        return read_identity(self.sh, self.serial)

    def battery(self) -> BatteryReport:
        return read_battery(self.sh, self._trade_in())

    def blockers(self) -> BlockerReport:
        return read_blockers(self.sh, self._trade_in())

    def automatic_checks(self, names: Iterable[str] | None = None,
                         on_result: Callable[[CheckResult], None] | None = None) -> tuple[CheckResult, ...]:
        """The checks in ``names`` (default all); each result also goes to ``on_result`` as it is known."""
        return run_automatic_checks(self.sh, names, on_result)

    def factory_reset(self, on_phase: Callable[[ResetPhase], None] | None = None,
                      cancelled: Callable[[], bool] | None = None) -> ResetReport:
        """Reset, wait for the phone at its setup screen and verify it; ``cancelled`` ends the wait early."""
        return factory_reset(self.client, self.serial, self.sh, self.blockers(),
                             return_timeout=self.timeouts.reset_return, on_phase=on_phase, cancelled=cancelled)
