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
_HYPHENATED_BREAK = re.compile(r"(\w)-[ \t]*\n[ \t]*(?=[a-zæøåäöü])")
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
    # "behand-\nling" -> "behandling"; "KOL-\nPatienter" keeps its hyphen (capital: a real compound hyphen).
    text = _HYPHENATED_BREAK.sub(r"\1", text)
    text = _HORIZONTAL_SPACE.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()
