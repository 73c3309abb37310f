"""The Doc attributes Murmure's components write (plain, msgpack-able values: they cross processes
when `nlp.pipe(n_process=2)` is used), and the text caches they share through `Doc.user_data`."""

from typing import Any

from spacy.tokens import Doc

from nlp.text import fold

_ATTRS: dict[str, Any] = {
    "topics": None,  # {topic id: [[start, end], ...]}
    "branch": None,  # branch id or None
    "branch_kind": None,  # "library" | "alias" | "core": how sure the name is a library's
    "places": None,  # [place, ...] of the profile's area
    "relevant": None,
    "library_cues": None,  # [[start, end], ...] of library words
    "sentiment": None,
    "sentiment_score": None,
    "problem": None,  # reports something going wrong, or blames the service on a topic
    "excused": None,  # blames the poster or something outside the library
    "complaint": None,
    "learned": None,  # {head: decision} of the learned heads, every head (not only the schema's)
}


def register() -> None:
    for name, default in _ATTRS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


def text_of(doc: Doc) -> str:
    """The text of `doc`, joined once per doc: `Doc.text` rebuilds it from the tokens each time."""
    value = doc.user_data.get("murmure_text")
    if value is None:
        value = doc.text
        doc.user_data["murmure_text"] = value
    return str(value)


def folded(doc: Doc) -> str:
    """The folded text of `doc`, computed once per doc."""
    value = doc.user_data.get("murmure_folded")
    if value is None:
        value = fold(text_of(doc))
        doc.user_data["murmure_folded"] = value
    return str(value)


register()
