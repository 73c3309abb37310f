"""Each component on a blank pipeline, added by its factory name, on hard cases."""

from typing import Any

import pytest
import spacy
from spacy.language import Language

import nlp.pipeline  # noqa: F401  (registers the factories)
from config.profile import Profile
from nlp.pipeline import components_config


def _blank(lang: str, profile: Profile, *names: str) -> Language:
    nlp = spacy.blank(lang)
    configs = components_config(profile)
    for name in names:
        nlp.add_pipe(name, config=configs[name])
    return nlp


@pytest.fixture(scope="module")
def fr(profile: Profile) -> Language:
    return _blank("fr", profile, *components_config(profile))


@pytest.fixture(scope="module")
def en(profile: Profile) -> Language:
    return _blank("en", profile, *components_config(profile))


def _topics(nlp: Language, text: str) -> set[str]:
    return set(nlp(text)._.topics)


# --- topics -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("Plus une prise de libre au 2e étage, et mon PC est à 5%", {"power"}),
        ("Prise de sang ce matin puis révisions", set()),
        ("Quelle prise de tête ces horaires !", {"hours"}),
        ("J'ai l'impression que personne ne range les livres", {"collections"}),
        ("L'imprimante du rez-de-chaussée bourre encore", {"printing"}),
        ("Les chaises sont bancales et il fait un froid glacial", {"seating", "temperature"}),
        ("Accueil glacial ce matin", {"staff"}),
        ("Elle a rapporté son propre café", set()),
        ("Le site plante quand je veux prolonger mes prêts", {"digital", "loans"}),
    ],
)
def test_topics_french(fr: Language, text: str, topics: set[str]) -> None:
    assert _topics(fr, text) == topics


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("No sockets near the desks", {"power", "seating"}),
        ("The Wi-Fi keeps dropping", {"wifi"}),
        ("Fines for overdue books are steep", {"loans", "collections"}),
        ("That works fine for me", set()),
    ],
)
def test_topics_english(en: Language, text: str, topics: set[str]) -> None:
    assert _topics(en, text) == topics


def test_evidence_spans_point_at_the_words(fr: Language) -> None:
    doc = fr("Le WIFI et la clim, bof")
    spans = doc._.topics
    assert [doc.text[s:e] for s, e in spans["wifi"]] == ["WIFI"]
    assert [doc.text[s:e] for s, e in spans["temperature"]] == ["clim"]


def test_profile_extra_topic_is_tagged(fr: Language) -> None:
    assert "theses" in _topics(fr, "Où se fait le dépôt de thèse ?")


# --- branches -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "branch"),
    [
        ("Trop de monde à la BU Pont de Bois", "pont-de-bois"),
        ("bu pont-de-bois encore pleine", "pont-de-bois"),
        ("BU PONT DE BOIS fermée ?", "pont-de-bois"),
        ("La BU Cite scientifique est top", "cite-scientifique"),
        ("À la bibliothèque de santé on gèle", "sante"),
        ("Archimède est calme le matin", "archimede"),
        ("J'habite à Moulins mais je bosse à Archimède", "archimede"),
        ("Le wifi de la BU est nul", None),
    ],
)
def test_branch(fr: Language, text: str, branch: str | None) -> None:
    assert fr(text)._.branch == branch


def test_area_places_are_listed(fr: Language) -> None:
    assert fr("Bibliobus de Roubaix à Hellemmes")._.places == ["Roubaix", "Hellemmes"]


# --- relevance ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "relevant"),
    [
        ("La BU est fermée ce midi ?", True),
        ("@BU_ValDeMarque merci pour la réponse", True),
        ("Les prises de la salle de lecture ne marchent pas", True),
        ("J'ai trop bu hier", False),
        ("Ma bibliothèque Python ne compile plus", False),
        ("La médiathèque de mon téléphone a effacé mes photos", False),
        ("La bibliothèque de Rennes est magnifique", False),
        ("Monté ma bibliothèque Ikea ce week-end", False),
        ("Pas de wifi à l'hôtel, vacances gâchées", False),
        ("Victoire 2-0 au stade de Villeneuve-d'Ascq", False),
    ],
)
def test_relevance_french(fr: Language, text: str, relevant: bool) -> None:
    assert fr(text)._.relevant is relevant


@pytest.mark.parametrize(
    ("text", "relevant"),
    [
        ("The library printer is broken again", True),
        ("Sorted my Spotify library", False),
        ("The public library in Manchester is gorgeous", False),
        ("Great librarians at Pont-de-Bois", True),
    ],
)
def test_relevance_english(en: Language, text: str, relevant: bool) -> None:
    assert en(text)._.relevant is relevant


# --- sentiment and complaint --------------------------------------------------------------
def _feel(nlp: Language, text: str) -> tuple[Any, Any]:
    doc = nlp(text)
    return doc._.sentiment, doc._.complaint


@pytest.mark.parametrize(
    ("text", "sentiment", "complaint"),
    [
        ("Pas de wifi depuis lundi à la BU", "negative", True),
        ("Wifi rapide, prises partout, rien à redire", "positive", False),
        ("Pas de souci pour imprimer, c'est rapide", "positive", False),
        ("La salle n'est pas propre du tout", "negative", True),
        ("La BU est très agréable le soir", "positive", False),
        ("La BU ouvre à quelle heure samedi ?", "neutral", False),
        ("Fermée à 17h un mardi ?! sérieux", "negative", True),
        ("Imprimante en panne. Génial.", "negative", True),
        ("Bravo pour le chauffage, on est en doudoune 🙃", "negative", True),
        ("Atelier d'écriture jeudi à 18h à la BU, inscription à l'accueil", "neutral", False),
        ("J'ai oublié mon chargeur, 3h à la BU sans batterie, quel boulet", "negative", False),
        ("Je déteste réviser le dimanche", "negative", False),
        ("Les bibliothécaires n'y peuvent rien mais on gèle", "negative", False),
    ],
)
def test_sentiment_and_complaint_french(
    fr: Language, text: str, sentiment: str, complaint: bool
) -> None:
    assert _feel(fr, text) == (sentiment, complaint)


@pytest.mark.parametrize(
    ("text", "sentiment", "complaint"),
    [
        ("The library wifi is not working again", "negative", True),
        ("Not bad at all, quiet and clean", "positive", False),
        ("Lovely staff, so helpful", "positive", False),
        ("Does the library have a scanner?", "neutral", False),
        ("Wonderful, the heating is off again 🙄", "negative", True),
        ("Noisy today but not their fault, there's a fire drill", "negative", False),
    ],
)
def test_sentiment_and_complaint_english(
    en: Language, text: str, sentiment: str, complaint: bool
) -> None:
    assert _feel(en, text) == (sentiment, complaint)
