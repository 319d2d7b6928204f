"""`python -m app` and the `refurb-bench` command."""

from __future__ import annotations

import sys


def main() -> None:
    from app.cli import main as cli_main

    sys.exit(cli_main())


if __name__ == "__main__":
    main()
