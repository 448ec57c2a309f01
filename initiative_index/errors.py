"""Typed errors, each with a message a person can act on."""


class OverblikError(Exception):
    """Base of every error Overblik raises on purpose."""


class ConfigurationError(OverblikError):
    """A setting is wrong or something it needs is missing."""


class IndexMismatchError(OverblikError):
    """The index on disk was built with another model or prompt than the settings ask for."""


class IndexNotFoundError(OverblikError):
    """No index has been built yet (run `overblik ingest`)."""


class StoreUnavailableError(OverblikError):
    """The Chroma store cannot be opened or reached."""
