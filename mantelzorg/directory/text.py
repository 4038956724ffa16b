"""Dutch full-text helpers: the same tokeniser and Snowball stemmer on the indexed text and
on the query, so that "mantelzorgers" finds "mantelzorger". See docs/directory-search.md.

The index holds every word twice where stemming changes it: its stem and its folded form
("lotgenoten" → ``lotnoot lotgenoten``). A query word matches when its stem starts an indexed
word, or when the word as typed (folded) does: a word still being typed ("demen") finds
"dementie" (the stemmer makes ``deem`` of it, which starts no stem of the full word), and
"lotgenoten" finds "lotgenotencontact" (stems ``lotnoot`` and ``lotnotencontac``). Query
words can have synonyms (``data/synonyms.json``): an entry matches a word or a synonym.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import unicodedata
from pathlib import Path

import snowballstemmer

WORD_RE = re.compile(r"[0-9a-z]+")
STOPWORDS = frozenset(
    "de het een en van in op voor met aan bij je jij jouw uw u is zijn of te om als door naar die dat er ook "
    "niet wel maar tot uit over dan".split()
)
MAX_QUERY_WORDS = 8
SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "synonyms.json"
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


def words(text: str) -> list[str]:
    """Folded words of ``text`` in order, without stop words and without duplicates."""
    return list(dict.fromkeys(w for w in WORD_RE.findall(fold(text)) if w not in STOPWORDS))


def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def stems(text: str) -> list[str]:
    """Stemmed tokens of ``text`` in order, without stop words and without duplicates."""
    seen: dict[str, None] = {}
    for found in _stemmer().stemWords(words(text)):
        if found:
            seen.setdefault(found, None)
    return list(seen)


def index_text(*parts: str) -> str:
    """The value stored in ``SearchEntry.text``: " stem1 stem2 … word1 word2 " (spaces on both
    ends): the stems, then the folded words whose stem differs from the word itself."""
    found = words(" ".join(p for p in parts if p))
    tokens = dict.fromkeys(s for s in _stemmer().stemWords(found) if s)
    tokens.update(dict.fromkeys(found))
    return " " + " ".join(tokens) + " "


@functools.cache
def synonyms() -> dict[str, tuple[str, ...]]:
    """Stem of a word → the words (folded, not stemmed) an entry may have instead
    (``data/synonyms.json``). They match as the start of an indexed word, which holds every
    word unstemmed too: "maatje" finds "maatjesproject" but not "maatschappelijk" (its stem
    ``maat`` would)."""
    data = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    table: dict[str, tuple[str, ...]] = {}
    for entry in data["synonyms"]:
        key = stem(fold(entry["word"]))
        also = [w for word in entry["also"] for w in words(word)]
        table[key] = tuple(dict.fromkeys(table.get(key, ()) + tuple(also)))
    return table


def query_terms(text: str) -> list[tuple[str, ...]]:
    """What a query asks for: per word (at most 8) the prefixes of which one must start a word
    of the entry (AND between words, OR within a word): the word's stem, the word as typed
    (folded: a word still being typed, "demen", and the first part of a compound,
    "lotgenoten" in "lotgenotencontact", whose stems differ) and its synonyms.
    One-letter words are left out."""
    typed = [w for w in words(text) if len(w) > 1][:MAX_QUERY_WORDS]  # not the "s" of "Alzheimer's"
    table = synonyms()
    terms = []
    for word in typed:
        own = stem(word) or word
        options = dict.fromkeys((own, word, *table.get(own, ())))
        # A prefix that starts with another option finds nothing more ("dementie" beside "dement").
        kept = [o for o in options if not any(o != other and o.startswith(other) for other in options)]
        terms.append(tuple(kept))
    return terms
