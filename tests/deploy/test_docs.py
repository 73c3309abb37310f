"""The guides exist in both languages, their links and pictures resolve, the KQL is there."""

import re
from pathlib import Path

import pytest

from tests.deploy.compose import ROOT

DOCS = ROOT / "docs"
GUIDES = {
    "staff": ("fr/personnel.md", "en/staff.md"),
    "managers": ("fr/direction.md", "en/managers.md"),
    "it": ("fr/informatique.md", "en/it.md"),
}
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _all() -> list[Path]:
    return [DOCS / name for pair in GUIDES.values() for name in pair] + [DOCS / "README.md"]


@pytest.mark.parametrize("guide", _all(), ids=lambda p: p.name)
def test_every_link_and_picture_resolves(guide: Path) -> None:
    text = guide.read_text(encoding="utf-8")
    for target in _LINK.findall(text):
        if target.startswith("http"):
            continue
        assert (guide.parent / target).exists(), f"{guide.name}: {target}"


def test_staff_guides_show_the_kql_and_every_topic() -> None:
    import yaml

    topics = yaml.safe_load((ROOT / "config" / "taxonomy.yml").read_text(encoding="utf-8"))[
        "topics"
    ]
    for name in GUIDES["staff"]:
        text = (DOCS / name).read_text(encoding="utf-8")
        assert "topics:wifi and sentiment:negative and branch:lilliad" in text
        for topic in topics:
            assert f"`{topic}`" in text, (name, topic)


def test_guides_show_the_screenshots() -> None:
    for name in (*GUIDES["it"], *GUIDES["managers"]):
        assert "../img/" in (DOCS / name).read_text(encoding="utf-8"), name
    for name in GUIDES["managers"]:
        assert "weekly-summary.png" in (DOCS / name).read_text(encoding="utf-8")


def test_it_guides_cover_what_the_issue_lists() -> None:
    for name, words in (
        (
            "fr/informatique.md",
            [
                "RGPD",
                "registre",
                "pseudonym",
                "murmure forget",
                "_snapshot",
                "Mises à jour",
                "Dimensionnement",
                "Secrets",
            ],
        ),
        (
            "en/it.md",
            [
                "GDPR",
                "register",
                "pseudonym",
                "murmure forget",
                "_snapshot",
                "Upgrades",
                "Sizing",
                "Secrets",
            ],
        ),
    ):
        text = (DOCS / name).read_text(encoding="utf-8")
        missing = [word for word in words if word not in text]
        assert not missing, (name, missing)
