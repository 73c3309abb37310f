"""Each component on a blank pipeline, added by its factory name, on hard cases."""

from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.language import Language

from config.profile import Profile
from nlp.pipeline import add_components, components_config


def _blank(lang: str, profile: Profile, *names: str) -> Language:
    return add_components(spacy.blank(lang), profile, names)


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
        # Tables and desks as a place (« near the desks ») are not about seating.
        ("No sockets near the desks", {"power"}),
        ("The Wi-Fi keeps dropping", {"wifi"}),
        # « books » is generic: next to loans vocabulary the post is about loans.
        ("Fines for overdue books are steep", {"loans"}),
        ("Nothing in English apart from Harry Potter", {"collections"}),
        ("Lost my card, the password for the wifi is on it", {"wifi", "loans"}),
        ("That works fine for me", set()),
    ],
)
def test_topics_english(en: Language, text: str, topics: set[str]) -> None:
    assert _topics(en, text) == topics


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        # generic words yield to the specific topic (« livres » to loans, « BD » to events)
        ("Combien de livres on peut emprunter avec la carte famille ?", {"loans"}),
        ("Expo BD à la médiathèque samedi", {"events"}),
        ("La médiathèque a acheté la BD que j'avais suggérée", {"collections"}),
        # « œuvres » is not « ouvre »
        ("Vous avez les œuvres complètes de Camus ?", {"collections"}),
        # tables as a place, a mobile library's stops, an app's log-out, drinks
        ("Des prises près des tables ?", {"power"}),
        ("Nouveaux arrêts du bibliobus à partir de janvier", {"hours"}),
        ("L'appli me déconnecte à chaque fois", {"digital"}),
        ("Vin chaud et crêpes au marché de Noël", set()),
        ("Je dois rendre mes livres avant le 12", {"loans"}),
        ("Comment réserver sa place pendant les révisions ?", {"seating"}),
        ("Réserver une salle de groupe pour jeudi", {"seating"}),
        ("Tournoi de jeux de rôle sur réservation", {"events"}),
    ],
)
def test_topics_general_rules(fr: Language, text: str, topics: set[str]) -> None:
    assert _topics(fr, text) == topics


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
        # one typo away from a long name word
        ("Le wifi d'Archimde est mort", "archimede"),
        ("La BU Cité Scientifiqe est pleine", "cite-scientifique"),
    ],
)
def test_branch(fr: Language, text: str, branch: str | None) -> None:
    assert fr(text)._.branch == branch


@pytest.fixture(scope="module")
def valbrune() -> Language:
    from config.profile import load_profile

    profile = load_profile(Path(__file__).resolve().parents[1] / "data" / "nlp_profile2.yml")
    return _blank("fr", profile, *components_config(profile))


@pytest.mark.parametrize(
    ("text", "branch"),
    [
        # « au Phare » is « Le Phare », « aux Tanneries » « Les Tanneries »
        ("Tournoi annulé au Phare", "le-phare"),
        ("Soirée jeux aux Tanneries", "tanneries"),
        # a surname next to a library word; typos of long names
        ("Le wifi de la médiathèque Jaurès rame", "jaures"),
        ("Wifi HS à la Verrière… pardon, la Verrerie", "verrerie"),
        ("La Verreire est fermée", "verrerie"),
        # a library word alone is no branch name (« the campus library » is an alias)
        ("Why does the campus library close at 7pm?", "bu-combelaure"),
        ("La médiathèque ouvre à 10h", None),
    ],
)
def test_branch_names_in_use(valbrune: Language, text: str, branch: str | None) -> None:
    assert valbrune(text)._.branch == branch


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
        # library words all in another sense: about that other thing, topics or not
        ("Ma médiathèque iPhone a planté, plus de photos", False),
        ("Réunion de BU toute la matinée, mon chef veut des chiffres", False),
        ("La Média de ce matin titre sur la grève des dockers", False),
        ("Panne de courant, plus de chauffage à la maison", False),
    ],
)
def test_relevance_french(fr: Language, text: str, relevant: bool) -> None:
    assert fr(text)._.relevant is relevant


@pytest.mark.parametrize(
    ("text", "relevant"),
    [
        ("The library printer is broken again", True),
        ("Sorted my Spotify library", False),
        ("My Spotify library is a mess, need to clean it up", False),
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
        # before the asking clause of a question, reports count; rhetorical questions complain
        ("Plus une chaise de libre à la BU, on fait comment ?", "negative", True),
        ("C'est normal que le wifi de la BU ne marche jamais ?", "negative", True),
        ("Pourquoi la BU ferme à 18h en semaine ?", "negative", True),
        ("La salle silencieuse de la BU, c'est au 1er ?", "neutral", False),
        ("Quelqu'un peut m'expliquer comment réserver une salle ?", "neutral", False),
        # verbs of functioning, negated, in any person; recurrences; removals
        ("Trois prises sur six ne fonctionnent plus à la BU", "negative", True),
        ("Le wifi saute toutes les 5 min", "negative", True),
        ("Ils ont retiré la moitié des tables de la BU", "negative", True),
        ("12 degrés en salle de lecture, manteau et écharpe", "negative", True),
        ("50 personnes pour 8 prises à la BU :(", "negative", True),
        # absence of a nuisance is praise; a negated problem is a relief
        ("Aucun bruit ce matin à la BU, le paradis", "positive", False),
        ("Pas de pénalité pour mon retard, la bibliothécaire a été cool", "positive", False),
        ("Il n'y a jamais de déchets qui traînent à la BU, appréciable", "positive", False),
        ("Pas impossible de trouver une place un samedi", "positive", False),
        ("Pas une seule prise qui marche au 2e étage", "negative", True),
        ("Aucune prise dispo à la BU", "negative", True),
        # « plus » compares after « bien », negates otherwise; « moins bon »
        ("La BU est bien plus calme que l'an dernier", "positive", False),
        (
            "Le wifi de la BU est moins bon que celui de la fac, ça mériterait une mise à niveau",
            "negative",
            True,
        ),
        # suggestions phrased positively are complaints; requests are not thanks
        ("Ce serait top d'avoir plus de prises à la BU", "negative", True),
        ("Wifi HS toute la journée, merci de réparer", "negative", True),
        # irony standing alone after a problem; what follows « mais » counts
        ("Tournoi annulé, on l'a appris sur place, merci l'info", "negative", True),
        ("J'adore la BU mais pourquoi il fait si froid ?", "negative", True),
        # self-blame and feelings are negative, not complaints
        ("J'ai laissé ma carte chez moi, je suis trop tête en l'air", "negative", False),
        ("Trop triste, je peux pas aller à l'atelier de la BU, je bosse", "negative", False),
        # announcements and fixed problems are information; endings of nuisances are good news
        (
            "Coupure du wifi mardi pour une intervention technique, merci de votre compréhension",
            "neutral",
            False,
        ),
        ("Le wifi est en panne. Nos équipes sont mobilisées.", "neutral", False),
        ("Concert samedi à 15h. Gratuit, dans la limite des places.", "neutral", False),
        ("Fin des pénalités de retard : rendez vos documents sans stress.", "positive", False),
        ("Le wifi n'est toujours pas rétabli depuis lundi", "negative", True),
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
        ("Not a single bad experience with the librarians", "positive", False),
        ("The wifi keeps dropping, had to tether all afternoon", "negative", True),
        ("Is the wifi at the library down for everyone or just me? 💀", "negative", True),
        ("Why does the library close at 7pm on Fridays?", "negative", True),
        ("Could really use some new titles in the English section", "negative", True),
        ("Printer ate my pages, twice", "negative", True),
        ("Lost my library card on the bus, totally my fault", "negative", False),
    ],
)
def test_sentiment_and_complaint_english(
    en: Language, text: str, sentiment: str, complaint: bool
) -> None:
    assert _feel(en, text) == (sentiment, complaint)
