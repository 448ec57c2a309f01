"""The query syntax people know from web search: "quoted phrases" and -excluded words.

    demens "tidlig opsporing" -Hjørring

A quoted phrase must occur as written (case and spacing aside) in an initiative's text; a word or quoted
phrase after a minus keeps out every initiative that has it. Everything else is searched as usual. A minus
inside a word ("IV-behandling") or alone is just text. Typographic quotes („…“, “…”, «…») work too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_QUOTES = str.maketrans({"„": '"', "“": '"', "”": '"', "«": '"', "»": '"'})
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+(?:-\w+)*")


@dataclass(frozen=True)
class QuerySyntax:
    words: list[str]  # words to search, as typed, in order (phrase words included)
    phrases: list[tuple[str, ...]] = field(default_factory=list)  # required phrases, lower-cased words
    excluded: list[tuple[str, ...]] = field(default_factory=list)  # excluded words or phrases, lower-cased

    @property
    def text(self) -> str:
        return " ".join(self.words)


def parse_syntax(query: str) -> QuerySyntax:
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    for match in _TOKEN.finditer(query.translate(_QUOTES)):
        minus, quoted, plain = match.group(1), match.group(2), match.group(3)
        if quoted is not None:
            tokens = _WORD.findall(quoted)
            if not tokens:
                continue
            if minus:
                excluded.append(tuple(t.lower() for t in tokens))
            else:
                phrases.append(tuple(t.lower() for t in tokens))
                words += tokens
        elif plain.startswith("-") and len(plain) > 1 and _WORD.match(plain[1:]):
            excluded.append(tuple(t.lower() for t in _WORD.findall(plain[1:])))
        else:
            words += _WORD.findall(plain)
    return QuerySyntax(words, phrases, excluded)
