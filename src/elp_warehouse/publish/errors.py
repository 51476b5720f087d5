"""Raised when a publish fails; the previous snapshot then stays in place."""

from __future__ import annotations


class PublishError(RuntimeError):
    """The snapshot was not replaced: the previous one is still in place."""
