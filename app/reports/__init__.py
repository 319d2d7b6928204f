"""Printable reports built from the station's signed records (pure data in, PDF bytes out)."""
