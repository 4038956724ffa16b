"""Dutch full-text helpers: the same tokeniser and Snowball stemmer on the indexed text and
on the query, so that "mantelzorgers" finds "mantelzorger". See docs/directory-search.md."""

from __future__ import annotations

import re
import threading
import unicodedata

import snowballstemmer

WORD_RE = re.compile(r"[0-9a-z]+")
STOPWORDS = frozenset(
    "de het een en van in op voor met aan bij je jij jouw uw u is zijn of te om als door naar die dat er ook "
    "niet wel maar tot uit over dan".split()
)
_local = threading.local()


def _stemmer():
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:  # Snowball stemmers keep state: one per thread
        stemmer = _local.stemmer = snowballstemmer.stemmer("dutch")
    return stemmer


def fold(text: str) -> str:
    """Lower case without accents: "Financiële" → "financiele"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def stems(text: str) -> list[str]:
    """Stemmed tokens of ``text`` in order, without stop words and without duplicates."""
    words = [w for w in WORD_RE.findall(fold(text)) if w not in STOPWORDS]
    seen: dict[str, None] = {}
    for stem in _stemmer().stemWords(words):
        if stem:
            seen.setdefault(stem, None)
    return list(seen)


def index_text(*parts: str) -> str:
    """The value stored in ``SearchEntry.text``: " stem1 stem2 " (spaces on both ends)."""
    return " " + " ".join(stems(" ".join(p for p in parts if p))) + " "
