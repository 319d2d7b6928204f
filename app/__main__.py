"""`python -m app` and the `refurb-bench` command."""

from __future__ import annotations

import runpy
import sys

# Modules the app starts as child processes with ``sys.executable -m MODULE``. In the built package
# sys.executable is this program, not a Python interpreter, so it runs them itself.
CHILD_MODULES = frozenset({"app.services.erasure_child"})


def main() -> None:
    if getattr(sys, "frozen", False) and len(sys.argv) >= 3 and sys.argv[1] == "-m" and sys.argv[2] in CHILD_MODULES:
        module = sys.argv[2]
        sys.argv = [sys.argv[0], *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        sys.exit(0)
    from app.cli import main as cli_main

    sys.exit(cli_main())


if __name__ == "__main__":
    main()
