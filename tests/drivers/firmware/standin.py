#!/usr/bin/env python3
"""Stand-in for hdparm, nvme, sg_inq, sg_opcodes, sg_vpd, sg_sanitize and sg_requests in tests.

Installed under those names (symlinks) in a directory put first on PATH; replays the scenario JSON
named by $REFURB_FIRMWARE_SCENARIO through drivers.sim.firmware.replay, keeping call counts (and
the log of every call) in "<scenario>.state" under a lock, so a status that goes "in progress" ->
"done" over several calls behaves like a drive between separate processes. A reply can exit
non-zero, write to the scenario's device, or hang (the runner must kill it).
"""

import fcntl
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(os.path.realpath(__file__)).parents[3]))

from drivers.sim.firmware import apply_effect, replay


def main() -> int:
    scenario_path = Path(os.environ["REFURB_FIRMWARE_SCENARIO"])
    scenario = json.loads(scenario_path.read_text())
    state_path = scenario_path.with_suffix(".state")
    argv = [os.path.basename(sys.argv[0]), *sys.argv[1:]]
    with open(scenario_path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = json.loads(state_path.read_text()) if state_path.exists() else {}
        reply = replay(scenario, state, argv)
        state.setdefault("calls", []).append(argv)
        state_path.write_text(json.dumps(state))
    if reply["hang"]:
        sys.stdout.write("working...\n")
        sys.stdout.flush()
        time.sleep(3600)
    apply_effect(reply["effect"], scenario["device"])
    sys.stdout.write(reply["stdout"])
    sys.stderr.write(reply["stderr"])
    return int(reply["exit"])


if __name__ == "__main__":
    sys.exit(main())
