"""Errors of ingestion: a document that cannot be read is reported with a reason and skipped."""

from initiative_index.errors import OverblikError


class IngestError(OverblikError):
    """A fatal problem for the whole run (e.g. the store is unreachable)."""


class DocumentError(Exception):
    """One document cannot be used; `reason` says why in words an operator can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
