"""Simulators that ship in the product: demos, end-to-end tests and bug reproductions run on them."""
