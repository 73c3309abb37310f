"""`murmure_question`: questions the library's staff can answer, precision before recall.

The labelled sets (tests/data, `question`) hold 69 such questions among 443 posts; the cues were
written alongside them, so their scores are development figures (README, « Questions »).
Thresholds sit a little below the measured scores, so a regression fails."""

import json
from pathlib import Path

import pytest

from config.profile import load_profile
from nlp.stage import Stage, build_stage

from .conftest import DATA

SETS = [
    ("nlp_dev2_brest.jsonl", "nlp_profile_brest.yml"),
    ("nlp_dev2_other.jsonl", "nlp_profile2.yml"),
    ("nlp_heldout.jsonl", "nlp_profile.yml"),
]


def _counts(data: Path, profile: Path) -> tuple[int, int, int]:
    gold = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line]
    predicted = build_stage(load_profile(profile)).analyse([post["text"] for post in gold])
    pairs = [
        (bool(post["question"]), found.question)
        for post, found in zip(gold, predicted, strict=True)
    ]
    tp = sum(g and p for g, p in pairs)
    return tp, sum(p and not g for g, p in pairs), sum(g and not p for g, p in pairs)


def test_precision_and_recall_on_the_labelled_sets() -> None:
    counts = [_counts(DATA / data, DATA / profile) for data, profile in SETS]
    tp, fp, fn = (sum(column) for column in zip(*counts, strict=True))
    assert tp + fn >= 60
    assert tp / (tp + fp) >= 0.97
    assert tp / (tp + fn) >= 0.90


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("La médiathèque est ouverte le dimanche ?", True),
        ("Bonjour, je voudrais savoir si je peux prolonger mes livres à la médiathèque", True),
        ("Is the library open on Sundays?", True),
        ("Quelqu'un sait si la médiathèque est ouverte dimanche ?", False),  # to other patrons
        ("Anyone know if the library is open on Sunday?", False),
        ("C'est normal que le wifi de la médiathèque ne marche jamais ?", False),  # rhetorical
        ("Pourquoi la médiathèque ferme à 18 h ?", False),
        ("La médiathèque fermée dimanche ?? Sérieux", False),
        ("Une affiche « avez-vous pensé à réserver ? » à la médiathèque, très drôle", False),
        ("La médiathèque est ouverte le dimanche.", False),  # says, does not ask
        ("Tu viens au cinéma dimanche ? Il ouvre à 14 h", False),  # not about the library
        (
            "Superbe médiathèque. Personnel accueillant. Belles collections. Calme. "
            "Mais où sont passés les fauteuils ?",
            False,  # deep in a review: rhetorical
        ),
    ],
)
def test_questions_to_the_library_and_not(stage: Stage, text: str, question: bool) -> None:
    assert stage.analyse_one(text).question is question
