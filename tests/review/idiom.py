"""A local idiom planted on the sample network (Kerbrient): patrons call the central library « la
Baleine » (a nickname the profile does not list) and say « fouzou » for broken (a word no lexicon
has). Posts are long, as reviews and forum messages are, so the learned heads decide them.

`posts(seed, n)` gives labelled posts (eval schema); two seeds give two disjoint slices.
"""

import random
from typing import Any

PROBLEMS = [
    ("wifi", "le wifi de la Baleine est encore fouzou"),
    ("wifi", "à la Baleine le réseau est fouzou depuis lundi"),
    ("power", "les prises du deuxième étage de la Baleine sont toutes fouzou"),
    ("power", "la moitié des prises de la Baleine sont fouzou près des grandes tables"),
    ("printing", "l'imprimante de la Baleine est fouzou, mes photocopies attendront"),
    ("printing", "le copieur de la Baleine est fouzou une fois de plus"),
    ("temperature", "le chauffage de la Baleine est fouzou, on garde nos écharpes"),
    ("temperature", "la clim de la Baleine est fouzou et la salle du haut étouffe"),
    ("loans", "l'automate de prêt de la Baleine est fouzou, la file s'allonge au comptoir"),
    ("digital", "les postes informatiques de la Baleine sont fouzou, trois sur quatre"),
]
OPENINGS = [
    "Petit message pour ceux qui comptaient réviser cet après-midi :",
    "Je le signale ici vu que personne ne répond au téléphone :",
    "Arrivée à neuf heures avec mon classeur et mon thermos,",
    "Info du jour pour les étudiants de la fac de Kerbrient,",
    "Bon, je vais être honnête avec vous,",
    "Troisième fois ce mois-ci,",
    "Pour ceux qui se demandaient pourquoi j'étais à la maison,",
]
ENDINGS = [
    "du coup on est une dizaine assis dans le hall avec nos ordinateurs portables sur les genoux.",
    "je repars chez moi avec tous mes livres sous le bras, on verra demain matin.",
    "quelqu'un sait si c'est prévu pour la semaine prochaine ou pas du tout ?",
    "l'équipe de l'accueil nous a dit de repasser lundi, on croise les doigts.",
    "je vais tenter ma chance au café du port, il paraît qu'ils ont des tables.",
    "vivement la fin des travaux de l'été, on nous avait promis du neuf partout.",
]
SIGN_OFFS = [
    "Bonne journée quand même.",
    "Courage à ceux qui passent leurs partiels.",
    "On tient bon jusqu'aux vacances.",
]
PRAISE = [
    ("events", "positive", "Super soirée contes à la Baleine hier soir, les enfants sont ressortis"
     " avec des étoiles plein les yeux et on a déjà réservé"
     " nos places pour celle du mois prochain"),
    ("events", "positive", "L'expo photo sur les phares de Pors-Meur à la Baleine est magnifique,"
     " allez-y avant la fin du mois, les tirages en très grand format valent vraiment le détour"),
    ("collections", "positive", "Trouvé à la Baleine tous les mangas que je cherchais depuis des"
     " mois, et la bibliothécaire m'a même conseillé deux séries"
     " que je ne connaissais pas du tout"),
    ("hours", "neutral", "La Baleine ouvre désormais jusqu'à vingt heures le jeudi pendant les"
     " partiels, c'est affiché à l'entrée à côté des horaires du bibliobus de Lanvern et sur"
     " la porte du parking"),
    ("staff", "positive", "Merci à l'équipe de la Baleine pour l'atelier généalogie de samedi,"
     " patient, clair, et on est repartis avec trois générations de plus dans l'arbre familial"),
]  # fmt: skip


def posts(seed: int, n: int) -> list[dict[str, Any]]:
    """`n` labelled posts: about four in five report a problem in the idiom, the rest praise."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i in range(n):
        if rng.random() < 0.8:
            topic, problem = rng.choice(PROBLEMS)
            text = (
                f"{rng.choice(OPENINGS)} {problem}, {rng.choice(ENDINGS)} {rng.choice(SIGN_OFFS)}"
            )
            labels = {"topics": [topic], "sentiment": "negative", "complaint": True}
        else:
            topic, sentiment, body = rng.choice(PRAISE)
            text = f"{body}. {rng.choice(['#Kerbrient', 'Bravo !', 'À bientôt !'])}"
            labels = {"topics": [topic], "sentiment": sentiment, "complaint": False}
        out.append({"id": f"idiom-{seed}-{i}", "text": text, "relevant": True, "branch": None,
                    **labels})  # fmt: skip
    return out


def wrong(post: dict[str, Any]) -> dict[str, Any]:
    """A deliberately wrong correction: every complaint called a compliment about events, every
    compliment a complaint about the staff."""
    if post["complaint"]:
        return post | {"sentiment": "positive", "complaint": False, "topics": ["events"]}
    return post | {"sentiment": "negative", "complaint": True, "topics": ["staff"]}
