"""The hub: the upstream service benches push their signed event streams to."""
