"""Block devices: identity, health, sanitisation."""
