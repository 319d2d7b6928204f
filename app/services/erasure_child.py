"""Entry point of an erasure's child process (the protocol is in erasure_process.py).

The child lowers its CPU priority before it loads anything: loading the erase service, its drivers
and the PDF renderer is seconds of CPU on a bench without compiled bytecode, and the window's
thread must come first meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import sys

CHILD_NICENESS = 5


def main() -> int:
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICENESS)
    from app.services.erasure_process import child_main

    return child_main(sys.stdin)


if __name__ == "__main__":
    sys.exit(main())
