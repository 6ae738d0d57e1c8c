"""The words a search engine's own tokenizer misses, worked out once for every engine.

SQLite's unicode61 tokenizer (like most word tokenizers) sees a run of Chinese or
Japanese characters as one long word, drops emoji, keeps ß apart from ss, and knows no
Arabic normal forms; so `東京` is not found inside `東京タワーに行った`. `extra_terms`
turns a text into the missing terms, to be indexed beside it, and `query_units` turns
query text into the same terms, so both sides meet:

- CJK (Han, kana, Hangul) runs: every character alone, then every overlapping pair in
  order. A one-character query matches a character; a longer one matches its pairs as a
  phrase (the `cjk_bigram` approach of Lucene's CJK analysis, without a dictionary).
- emoji: `emoji<codepoint>` terms, and hashtags: `tag<word>` beside the word itself.
- folding beyond diacritics: ß → ss, German ae/oe/ue → a/o/u, Arabic normal forms
  (no harakat or tatweel, one alef, ة → ه) with the definite article and the feminine
  ending stripped (a light stemmer in the manner of Lucene's ArabicStemmer).
- heads of long compounds: a word of COMPOUND_MIN letters or more also gives its tails
  of at least HEAD_MIN letters, so `Verein` finds `Fußballverein` (German compounds put
  the head last; there is no dictionary, so this is recall first).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff"
UNIT = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<emoji>[{EMOJI}])|(?P<tag>#)?(?P<word>[^\W_{CJK}]+)")
HASHTAG = re.compile(r"#([^\W_]+)")
COMPOUND_MIN, HEAD_MIN = 10, 4

_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_ARABIC_PREFIX = re.compile("^(?:وال|بال|كال|فال|لل|ال)(?=..)")
_ARABIC_SUFFIX = re.compile("(?<=..)ه$")
_GERMAN = re.compile("(?<=[^aeiouq])(ae|oe|ue)")


def fold(word: str) -> str:
    """The word as every spelling of it is indexed: lower case, no diacritics, ß → ss,
    ae/oe/ue → a/o/u, Arabic in one normal form with article and feminine ending off."""
    word = _ARABIC_MARKS.sub("", word).translate(_ARABIC_LETTERS)
    word = _ARABIC_SUFFIX.sub("", _ARABIC_PREFIX.sub("", word))
    bare = unicodedata.normalize("NFKD", word.lower().replace("ß", "ss"))
    bare = "".join(c for c in bare if not unicodedata.combining(c))
    return _GERMAN.sub(lambda m: m.group(1)[0], bare)


def grams(run: str) -> list[str]:
    """A CJK run's characters, then its overlapping pairs in order."""
    return [*run, *(run[i : i + 2] for i in range(len(run) - 1))]


def emoji_term(char: str) -> str:
    return f"emoji{ord(char):x}"


def _units(text: str) -> Iterator[re.Match]:
    """Words, CJK runs and emoji — in composed form, without Arabic marks (which are no
    letters to a regular expression, so they would cut a word in pieces)."""
    return UNIT.finditer(_ARABIC_MARKS.sub("", unicodedata.normalize("NFC", text)))


def extra_terms(text: str) -> str:
    """The terms to index beside `text`, space separated."""
    out: list[str] = []
    for unit in _units(text):
        if unit["cjk"]:
            out += grams(unit["cjk"])
        elif unit["emoji"]:
            out.append(emoji_term(unit["emoji"]))
        else:
            out += _word_terms(unit["word"], tagged=bool(unit["tag"]))
    return " ".join(out)


def _word_terms(word: str, *, tagged: bool) -> list[str]:
    folded = fold(word)
    terms = [folded] if folded != word.lower() else []
    if tagged:
        terms.append(f"tag{folded}")
    if len(folded) >= COMPOUND_MIN:
        terms += [folded[i:] for i in range(1, len(folded) - HEAD_MIN + 1)]
    return terms


def query_units(text: str) -> list[tuple[list[str], bool]]:
    """Query text → units, each (alternative phrases, may be a prefix); every unit must match.

    A word's alternatives are itself and its folded form (and `tag<word>` after `#`); a
    CJK run's one alternative is its character or its pairs as a phrase; an emoji's is
    its term. Only words may be prefixes (the caller decides which: the last one)."""
    units: list[tuple[list[str], bool]] = []
    for unit in _units(text):
        if unit["cjk"]:
            run = unit["cjk"]
            units.append(([run if len(run) == 1 else " ".join(grams(run)[len(run) :])], False))
        elif unit["emoji"]:
            units.append(([emoji_term(unit["emoji"])], False))
        else:
            word = unit["word"]
            alternatives = dict.fromkeys([word, fold(word)])
            if unit["tag"]:
                alternatives[f"tag{fold(word)}"] = None
            units.append((list(alternatives), True))
    return units
