"""Access levels: anonymous requests see public initiatives; a valid API key also sees internal ones.

An API key is a random token sent as `Authorization: Bearer <key>`. The server keeps only SHA-256 hashes
of its keys (`OVERBLIK_API_KEYS`, `OVERBLIK_API_KEYS_FILE`), so a leaked settings file or keys file gives
no key away; a key is 32 random bytes, so a fast hash is enough (nothing to brute-force). A wrong key is a
401, never a silent downgrade to anonymous, so a client with a typo in its key notices.

Visibility is an ordinary filter field (initiative_index.vocabulary): an anonymous request gets the filter
`visibility=offentlig` forced onto it, so totals, facets, the overview and exports count only public
initiatives through the same machinery as any filter. Lookups by id (detail, documents, similar) check
`visible` themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from initiative_index.errors import ConfigurationError
from initiative_index.filters import SearchFilters
from initiative_index.settings import Settings
from initiative_index.vocabulary import PUBLIC, VISIBILITY_FIELD
from search_api.errors import BadRequest

KEY_BYTES = 32
CHALLENGE = {"WWW-Authenticate": "Bearer"}
_HEX = frozenset("0123456789abcdef")


def key_hash(key: str) -> str:
    """The hex SHA-256 of an API key, as settings and keys files hold it."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh API key and its hash."""
    key = secrets.token_urlsafe(KEY_BYTES)
    return key, key_hash(key)


def load_key_hashes(settings: Settings) -> frozenset[str]:
    """The hashes of the accepted keys, from the settings and the keys file (one hash per line)."""
    hashes = [h.strip().lower() for h in settings.api_keys]
    if settings.api_keys_file is not None:
        path = Path(settings.api_keys_file)
        if not path.is_file():
            raise ConfigurationError(f"OVERBLIK_API_KEYS_FILE {path} does not exist")
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                hashes.append(line.split()[0].lower())
    for value in hashes:
        if len(value) != 64 or not set(value) <= _HEX:
            # Never echo the value: it may be a key pasted where its hash belongs.
            raise ConfigurationError(
                "an API key entry is not a SHA-256 hash (64 hex digits): store hashes, not keys "
                "(`overblik key` prints both)"
            )
    return frozenset(hashes)


@dataclass(frozen=True)
class Access:
    """What the request may see."""

    internal: bool

    def visible(self, record: dict) -> bool:
        return self.internal or record.get(VISIBILITY_FIELD, PUBLIC) == PUBLIC

    def restrict(self, filters: SearchFilters, any_internal: bool) -> SearchFilters:
        """The filters this request may use: anonymous requests see only public initiatives.

        When the index holds no internal initiative the filter would change nothing, and it is left out:
        a filtered vector search costs more than an unfiltered one (see STACK-NOTES)."""
        if self.internal:
            return filters
        asked = filters.visibility
        if asked and PUBLIC not in asked:
            raise BadRequest(
                "Interne initiativer kan kun ses med en API-nøgle.", status_code=401, headers=CHALLENGE
            )
        if not any_internal:
            return filters
        return filters.model_copy(update={VISIBILITY_FIELD: [PUBLIC]})


ANONYMOUS = Access(internal=False)
KEYED = Access(internal=True)


async def get_access(request: Request) -> Access:
    """The request's access level from its `Authorization: Bearer` header (none: anonymous)."""
    header = request.headers.get("authorization")
    if not header:
        return ANONYMOUS
    scheme, _, key = header.partition(" ")
    hashes: frozenset[str] = request.app.state.key_hashes
    if scheme.lower() == "bearer" and key.strip():
        digest = key_hash(key.strip())
        if any(hmac.compare_digest(digest, known) for known in hashes):
            return KEYED
    raise BadRequest("API-nøglen er ugyldig.", status_code=401, headers=CHALLENGE)
