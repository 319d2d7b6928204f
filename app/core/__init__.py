"""Pure domain layer: no Qt, no I/O (enforced by import-linter contracts in pyproject.toml)."""
