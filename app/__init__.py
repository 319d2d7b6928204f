"""Refurb Bench: an offline-first test bench for electronics refurbishers and ITAD facilities."""

__version__ = "0.1.0"
APP_NAME = "Refurb Bench"
