"""Errors of ingestion: a document that cannot be read is reported with a reason and skipped."""

import errno


class DocumentError(Exception):
    """One document cannot be used; `reason` says why in words an operator can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# How a full (or failing) disk shows: the OS's errors, SQLite's words as Chroma passes them on, and Chroma's
# own when writing its segments fails (its message then hides the I/O error: seen with a full disk).
_DISK_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO}
_DISK_WORDS = (
    "database or disk is full",
    "disk i/o error",
    "no space left on device",
    "file too large",
    "error in compaction",
)


def is_disk_failure(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) says the disk is full or cannot be written."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _DISK_ERRNOS:
            return True
        if any(words in str(current).lower() for words in _DISK_WORDS):
            return True
        current = current.__cause__ or current.__context__
    return False
