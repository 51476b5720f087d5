"""Deterministic builders for the committed dbt seeds (see docs/seeds.md)."""
