"""The sample stream: deterministic, well-formed, and its planted incidents are where it says."""

import json
import re
import unicodedata
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from config.profile import load_profile
from tools.samplegen import DEFAULT_START, generate, write

SAMPLES = Path(__file__).parents[2] / "samples"
STREAM = SAMPLES / "stream.jsonl"
INCIDENTS = SAMPLES / "incidents.json"
FIELDS = {
    "source": str,
    "native_id": str,
    "url": str,
    "author_handle": str,
    "text": str,
    "created_at": str,
    "likes": int,
    "shares": int,
    "replies": int,
}
UTC_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
# Written independently of tools/samplegen/templates.yml, on accent-free lowercase text.
TOPIC_WORDS = {
    "wifi": re.compile(r"wi-?fi|eduroam|internet|connexion|reseau|connect"),
    "temperature": re.compile(
        r"chauffage|froid|gele|caille|glacial|degres|°|radiateur|manteau|"
        r"doudoune|polaire|cold|freezing|heating|chilly|fridge"
    ),
    "power": re.compile(r"prise|chargeur|batterie|socket|outlet|plug"),
}
# The documented first and last complaint of each incident (module docstring and README).
DOCUMENTED = {
    "wifi-lanvern": ("wifi", "lanvern", "2026-10-13T11:07:00Z", "2026-10-14T14:45:00Z"),
    "heating-centrale": ("temperature", "centrale", "2026-11-03T09:24:00Z", "2026-11-05T16:30:00Z"),
    "sockets-stang": ("power", "stang", "2026-11-09T13:12:00Z", "2026-11-18T18:40:00Z"),
}


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def posts() -> list[dict[str, Any]]:
    with STREAM.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(INCIDENTS.read_text(encoding="utf-8"))
    return data


def test_same_seed_same_bytes_other_seed_other_stream(tmp_path: Path) -> None:
    first, _ = write(tmp_path / "a" / "stream.jsonl", seed=7, weeks=2)
    again, _ = write(tmp_path / "b" / "stream.jsonl", seed=7, weeks=2)
    other, _ = write(tmp_path / "c" / "stream.jsonl", seed=8, weeks=2)
    assert first.read_bytes() == again.read_bytes()
    assert (tmp_path / "a" / "incidents.json").read_bytes() == (
        tmp_path / "b" / "incidents.json"
    ).read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_the_shipped_files_are_what_the_script_writes() -> None:
    generated, ground_truth = generate()
    expected = "".join(post.to_json() + "\n" for post in generated)
    assert STREAM.read_text(encoding="utf-8") == expected, "rerun: python -m tools.samplegen"
    shipped = json.loads(INCIDENTS.read_text(encoding="utf-8"))
    assert shipped == ground_truth, "rerun: python -m tools.samplegen"


def test_every_line_has_the_fields_with_the_right_types(posts: list[dict[str, Any]]) -> None:
    assert 2500 <= len(posts) <= 3500
    for post in posts:
        assert (
            {*FIELDS, "lang_hint"} <= set(post) <= {*FIELDS, "lang_hint", "in_reply_to", "thread"}
        )
        for name, kind in FIELDS.items():
            assert type(post[name]) is kind, (name, post)
        assert post["lang_hint"] is None or isinstance(post["lang_hint"], str)
        assert UTC_STAMP.match(post["created_at"]), post["created_at"]
        assert min(post["likes"], post["shares"], post["replies"]) >= 0
        assert post["text"].strip() and not re.search(r"\s", post["native_id"])
        assert post["url"].startswith("https://")
        assert not re.search(r"[{}\[\]\ue000\ue001]", post["text"]), post["text"]
    stamps = [stamp(post["created_at"]) for post in posts]
    assert stamps == sorted(stamps)


def test_ids_are_unique_per_source(posts: list[dict[str, Any]]) -> None:
    ids = Counter((post["source"], post["native_id"]) for post in posts)
    assert ids.most_common(1)[0][1] == 1


def test_posts_span_eight_iso_weeks_in_library_time(posts: list[dict[str, Any]]) -> None:
    paris = ZoneInfo("Europe/Paris")
    days = {stamp(post["created_at"]).astimezone(paris).date() for post in posts}
    assert min(days) == DEFAULT_START
    assert max(days) == DEFAULT_START + timedelta(days=55)
    assert len({day.isocalendar().week for day in days}) == 8
    weekly = Counter(
        day.isocalendar().week
        for day in (stamp(post["created_at"]).astimezone(paris).date() for post in posts)
    )
    assert min(weekly.values()) >= 250


def test_the_mix_looks_like_a_library_network(posts: list[dict[str, Any]]) -> None:
    sources = Counter(post["source"] for post in posts)
    assert set(sources) == {"x", "mastodon", "bluesky", "rss", "reddit"}
    assert sources["x"] > sources["mastodon"] > sources["reddit"] > sources["rss"]
    own = {
        fold(account.handle.lstrip("@"))
        for account in load_profile(SAMPLES / "profile.yml").accounts
    }
    from_library = [post for post in posts if fold(post["author_handle"]) in own]
    assert 0.05 < len(from_library) / len(posts) < 0.15
    english = sum(1 for post in posts if post["lang_hint"] == "en")
    assert 0.08 < english / len(posts) < 0.2
    # The library's replies are formulaic, as a desk's are; the patrons' posts are not.
    patrons = [post for post in posts if "in_reply_to" not in post]
    assert len({post["text"] for post in patrons}) > 0.9 * len(patrons)


def test_threads_the_library_answers_some_questions_and_complaints(
    posts: list[dict[str, Any]],
) -> None:
    own = {fold(a.handle.lstrip("@")) for a in load_profile(SAMPLES / "profile.yml").accounts}
    by_id = {(post["source"], post["native_id"]): post for post in posts}
    replies = [post for post in posts if "in_reply_to" in post]
    assert 100 <= len(replies) <= 0.1 * len(posts)
    delays = []
    for reply in replies:
        parent = by_id[(reply["source"], reply["in_reply_to"])]
        assert fold(reply["author_handle"]) in own and fold(parent["author_handle"]) not in own
        assert reply.get("thread") in (None, parent["native_id"])
        delays.append(stamp(reply["created_at"]) - stamp(parent["created_at"]))
    assert min(delays) > timedelta(0) and max(delays) > timedelta(hours=24)
    asked = [p for p in posts if "?" in p["text"] and fold(p["author_handle"]) not in own]
    assert len(asked) > 2 * len(replies)  # many are never answered


def test_incidents_match_the_posts(posts: list[dict[str, Any]], truth: dict[str, Any]) -> None:
    profile = yaml.safe_load((SAMPLES / "profile.yml").read_text(encoding="utf-8"))
    names = {b["id"]: [fold(n) for n in [b["name"], *b["aliases"]]] for b in profile["branches"]}
    by_id = {f"{post['source']}:{post['native_id']}": post for post in posts}
    assert {incident["id"] for incident in truth["incidents"]} == set(DOCUMENTED)
    for incident in truth["incidents"]:
        topic, branch, first, last = DOCUMENTED[incident["id"]]
        assert (incident["topic"], incident["branch"]) == (topic, branch)
        assert (incident["first_post"], incident["last_post"]) == (first, last)
        assert 20 <= incident["count"] == len(incident["mention_ids"]) <= 40
        assert [m.split(":", 1)[1] for m in incident["mention_ids"]] == incident["native_ids"]
        found = [by_id[mention] for mention in incident["mention_ids"]]
        times = [stamp(post["created_at"]) for post in found]
        assert min(times) == stamp(first) and max(times) == stamp(last)
        for post in found:
            text = fold(post["text"])
            assert TOPIC_WORDS[topic].search(text), post["text"]
            assert any(name in text for name in names[branch]), post["text"]
        assert all(mention in by_id for mention in incident["related_mention_ids"])


def test_wifi_outage_starts_as_a_burst(posts: list[dict[str, Any]], truth: dict[str, Any]) -> None:
    wifi = next(i for i in truth["incidents"] if i["id"] == "wifi-lanvern")
    start = stamp(wifi["first_post"])
    by_id = {f"{post['source']}:{post['native_id']}": post for post in posts}
    early = [
        m for m in wifi["mention_ids"] if stamp(by_id[m]["created_at"]) < start + timedelta(hours=2)
    ]
    assert len(early) >= 5  # enough for the profile's "4 in 2h" rule to fire


def test_the_stream_stays_small() -> None:
    assert STREAM.stat().st_size < 1_500_000


def test_the_profile_loads_and_replays_the_stream() -> None:
    profile = load_profile(SAMPLES / "profile.yml")
    replay = [source for source in profile.sources if source.type == "replay"]
    assert [source.path for source in replay] == ["samples/stream.jsonl"]
    watched = {branch for rule in profile.alerts.rules for branch in rule.filter.branches}
    assert {"lanvern", "centrale", "stang"} <= watched
    assert any(rule.condition.type == "each" for rule in profile.alerts.rules)


def test_a_stream_must_start_on_a_monday() -> None:
    with pytest.raises(ValueError, match="Monday"):
        generate(start=date(2026, 9, 29), weeks=1)
