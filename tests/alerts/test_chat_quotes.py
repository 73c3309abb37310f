"""A post quoted in a chat notice stays a quote: it cannot end the quote, page everyone, add a
link or a heading of its own, or flood the channel."""

import pytest

from alerts.notify.webhook import payload
from schemas.alert import Alert
from tests.alerts.streams import T0, engine, fact, minutes

HOSTILE = (
    "Wifi HS\n**Urgent : tout le monde dehors** [cliquez ici](https://evil.example/x)\n"
    "<!channel> @channel @all @here <@U024BE7LH> <https://evil.example|le lien officiel>\n"
    "# Annonce officielle\n> faux message du personnel"
)
LONG = "Le wifi ne marche pas " * 200


def _alert(*texts: str) -> Alert:
    rule = {
        "id": "wifi",
        "filter": {"topics_any": ["wifi"]},
        "condition": {"type": "count", "min_count": len(texts), "window": "1h"},
    }
    eng = engine([rule])
    stream = [fact(i, T0 + minutes(i), text=text) for i, text in enumerate(texts)]
    return next(n for item in stream for n in eng.process(item))


def _text(flavour: str, alert: Alert, **options: int) -> str:
    body = payload(flavour, alert, lang="fr", timezone="Europe/Paris", branch_names={}, **options)
    return str(body["text"])


def _quoted(text: str) -> list[str]:
    """The lines from the first quote to the notice's search link (its last line)."""
    lines = [line for line in text.splitlines() if line]
    first = next(n for n, line in enumerate(lines) if "Wifi HS" in line)
    return lines[first:-1]


@pytest.mark.parametrize("flavour", ["mattermost", "slack"])
def test_every_line_of_a_post_stays_inside_the_quote(flavour: str) -> None:
    text = _text(flavour, _alert(HOSTILE, "Toujours pas de wifi"))
    quoted = _quoted(text)
    assert len(quoted) >= 6
    assert all(line.startswith("> ") for line in quoted), quoted


@pytest.mark.parametrize("flavour", ["mattermost", "slack"])
def test_mentions_of_everyone_links_and_headings_are_neutralised(flavour: str) -> None:
    text = _text(flavour, _alert(HOSTILE, "Toujours pas de wifi"))
    assert "<!channel>" not in text and "<@U024BE7LH>" not in text
    assert "<https://evil.example|" not in text
    for everyone in ("@channel", "@all", "@here"):
        assert everyone not in text
    assert "](https://evil.example/x)" not in text
    assert "\n> > faux" not in text
    if flavour == "mattermost":  # Slack's mrkdwn has no headings
        assert "\n> # Annonce" not in text
    assert "Annonce officielle" in text and "tout le monde dehors" in text  # still readable


def test_long_quotes_are_shortened() -> None:
    alert = _alert(LONG, "Toujours pas de wifi")
    text = _text("mattermost", alert)
    assert len(text) < 1200
    assert "…" in text
    assert len(_text("mattermost", alert, quote_chars=600)) > len(text)
