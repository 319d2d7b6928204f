"""Barcode scanners: keyboard-wedge burst detection (and, later, serial scanners)."""
