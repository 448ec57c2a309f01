"""Errors of ingestion: a document that cannot be read is reported with a reason and skipped."""


class DocumentError(Exception):
    """One document cannot be used; `reason` says why in words an operator can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
