"""Simulated serial rigs on pty pairs: SCPI instruments, an AT modem, a set-top-box console and a
serial barcode scanner, with fault knobs. ``python -m drivers.sim.rigs --profile NAME`` serves one
bench and prints its pty paths; ``start_bench`` does the same for tests."""
