"""The planted incidents of the sample stream (samples/incidents.json) must reach the alerts:
each incident post relevant, with the incident's topic and branch, and a complaint; the
library's own announcements of the same incidents are information, not complaints."""

import json
from pathlib import Path

from config.profile import load_profile
from nlp.stage import build_stage

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_incident_posts_are_tagged_and_own_posts_are_not_complaints() -> None:
    profile = load_profile(SAMPLES / "profile.yml")
    stage = build_stage(profile)
    posts = [json.loads(line) for line in (SAMPLES / "stream.jsonl").open(encoding="utf-8")]
    by_id = {f"{p['source']}:{p['native_id']}": p for p in posts}
    incidents = json.loads((SAMPLES / "incidents.json").read_text(encoding="utf-8"))["incidents"]
    hits = total = 0
    for incident in incidents:
        ids = incident["mention_ids"]
        for analysis in stage.analyse([by_id[i]["text"] for i in ids]):
            total += 1
            hits += (
                analysis.relevant
                and incident["topic"] in analysis.topic_ids
                and analysis.branch == incident["branch"]
                and analysis.complaint
            )
    assert total >= 80
    assert hits / total >= 0.95

    own = {account.handle.lstrip("@").lower() for account in profile.accounts}
    texts = [p["text"] for p in posts if p["author_handle"].lstrip("@").lower() in own]
    complaints = sum(a.complaint for a in stage.analyse(texts))
    assert len(texts) >= 100
    assert complaints / len(texts) <= 0.02
