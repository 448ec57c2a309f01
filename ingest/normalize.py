"""Text normalisation applied to every extracted page before chunking."""

from __future__ import annotations

import re
import unicodedata

# Typographic ligatures PDF producers emit; NFKC would expand them too, but would also rewrite ½, ², ™ etc.
_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st", "Ꜳ": "AA", "ꜳ": "aa"}
)
# Invisible characters that break words apart or glue them together.
_INVISIBLE = str.maketrans(
    {"\u00ad": "", "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "", "\u2060": ""}
)
_HYPHENATED_BREAK = re.compile(r"(\w+)-[ \t]*\n[ \t]*(?=[a-zæøåäöü])")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_SPACE_AROUND_NEWLINE = re.compile(r" *\n *")
_MANY_NEWLINES = re.compile(r"\n{3,}")
# Dot leaders of tables of contents ("Indledning ........ 3") cost tokens and carry nothing.
_LEADERS = re.compile(r"(?:\.\s?){4,}|…{2,}|_{4,}|-{4,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize_text(text: str) -> str:
    """NFC, ligatures expanded, words hyphenated across line breaks rejoined, whitespace collapsed.

    Paragraph breaks (blank lines) are kept because the chunker splits on them first.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_LIGATURES).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text)
    text = _LEADERS.sub(" … ", text)
    text = _HYPHENATED_BREAK.sub(_rejoin, text)
    text = _HORIZONTAL_SPACE.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


def _rejoin(match: re.Match[str]) -> str:
    """Rejoin a word broken at a line end: "behand-\nling" -> "behandling".

    After an abbreviation or a number the hyphen is part of the word: "KOL-\npatienter" -> "KOL-patienter".
    A capital after the break ("KOL-\nPatienter") is never matched, so that hyphen and line break stay.
    """
    head = match.group(1)
    if head.isupper() or any(char.isdigit() for char in head):
        return head + "-"
    return head
