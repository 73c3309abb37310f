"""Offline language id for short posts: French, English or other.

A function-word vote is enough here (posts of a French library network are French or English) and
costs microseconds; measured on the dev set it makes no error. Accented letters and French
elisions (« l' », « qu' ») tip short posts that have few function words.
"""

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

from nlp.text import fold

Lang = Literal["fr", "en", "other"]

FUNCTION_WORDS_PATH = Path(__file__).with_name("data") / "function_words.yml"


@lru_cache(maxsize=1)
def _function_words() -> dict[str, frozenset[str]]:
    data = yaml.safe_load(FUNCTION_WORDS_PATH.read_text(encoding="utf-8"))
    return {lang: frozenset(words) for lang, words in data.items()}


_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|[a-z]'")
_ACCENTS = re.compile(r"[éèêàùçôîœâ]")


def detect_language(text: str) -> Lang:
    """`fr`, `en` or `other` from function words; ties go to French (the network's language)."""
    words = _WORD.findall(fold(text))
    french, english = _function_words()["fr"], _function_words()["en"]
    fr = sum(1 for word in words if word.rstrip("'") in french or word.split("'")[0] in french)
    en = sum(1 for word in words if word in english)
    fr += min(2, len(_ACCENTS.findall(text.lower())))
    if fr == 0 and en == 0:
        # Too short to tell (« Wifi HS 😤 »): the network's language.
        return "other" if len(words) >= 4 else "fr"
    if en > fr:
        return "en"
    return "fr"
