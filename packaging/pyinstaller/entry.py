"""The built package's entry point: the same `main` as the `refurb-bench` console script."""

from app.__main__ import main

main()
