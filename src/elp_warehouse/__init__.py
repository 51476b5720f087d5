"""ELP warehouse tooling."""
