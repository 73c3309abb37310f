import pytest

from nlp.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Le wifi de la BU ne marche plus depuis ce matin", "fr"),
        ("trop chaud à la bib", "fr"),
        ("The library is freezing again, is the heating broken?", "en"),
        ("Is it open on Sundays?", "en"),
        ("Wifi HS 😤", "fr"),
        ("Die Bibliothek ist heute geschlossen", "other"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang
