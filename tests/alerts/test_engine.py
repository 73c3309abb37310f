"""Rule semantics on crafted streams: each, count, spike, cooldown, grouping, resolution."""

import math
import random
from datetime import timedelta
from typing import Any

import pytest

from alerts.facts import Facts
from alerts.poisson import tail, threshold
from tests.alerts.streams import T0, engine, fact, minutes, opened, run

COUNT: dict[str, Any] = {
    "id": "wifi",
    "filter": {"topics_any": ["wifi"], "complaint": True},
    "condition": {"type": "count", "min_count": 3, "window": "1h"},
    "cooldown": "2h",
}


def test_count_fires_once_on_the_mention_that_makes_it_true() -> None:
    stream = [fact(i, T0 + minutes(20 * i)) for i in range(3)]
    notices = run(engine([COUNT]), stream)
    assert [n.status for n in notices] == ["open"]
    alert = notices[0]
    assert alert.trigger_mention_id == "mastodon:2"
    assert alert.raised_at == stream[2].created_at
    assert (alert.count, alert.branch, alert.topic) == (3, "lanvern", "wifi")
    assert [m.id for m in alert.mentions] == [f.id for f in stream]
    assert "complaint%3Atrue" in (alert.search_url or "") or "complaint:true" in (
        alert.search_url or ""
    )


def test_count_spread_over_more_than_the_window_stays_quiet() -> None:
    stream = [fact(i, T0 + minutes(40 * i)) for i in range(6)]  # never 3 within an hour
    assert run(engine([COUNT]), stream) == []


def test_non_matching_mentions_do_not_count() -> None:
    stream = [
        fact(1, T0),
        fact(2, T0 + minutes(5), complaint=False),
        fact(3, T0 + minutes(10), topics=("noise",)),
        fact(4, T0 + minutes(15), institution=True),  # the library's own notice
    ]
    assert run(engine([COUNT]), stream) == []


def test_a_mention_delivered_twice_counts_once() -> None:
    first, second = fact(1, T0), fact(2, T0 + minutes(5))
    assert run(engine([COUNT]), [first, second, first, second, first]) == []


def test_one_alert_while_it_holds_updates_when_it_grows_then_resolves() -> None:
    stream = [fact(i, T0 + minutes(5 * i)) for i in range(11)]  # 11 in 50 minutes
    after = fact(99, T0 + timedelta(hours=6), topics=("noise",))  # time passes
    notices = run(engine([COUNT], clock_quorum=1), [*stream, after])
    assert [n.status for n in notices] == ["open", "update", "resolved"]
    assert len({n.id for n in notices}) == 1
    assert [n.sequence for n in notices] == [0, 1, 2]
    assert notices[1].total == 6  # doubled since the opening notice (3)
    resolved = notices[-1]
    # Holds until the window no longer has 3 of them, then the 2h cooldown.
    assert resolved.resolved_at == stream[-3].created_at + timedelta(hours=1, minutes=120)


def test_a_mention_posted_after_the_episode_ended_is_not_counted_in_it() -> None:
    burst = [fact(i, T0 + minutes(10 * i)) for i in range(4)]
    # Six hours later, two mentions: the first alone does not move the clock (quorum of two).
    later = [fact(90 + i, T0 + timedelta(hours=6, minutes=i)) for i in range(2)]
    notices = run(engine([COUNT], clock_quorum=2), [*burst, *later])
    assert [n.status for n in notices] == ["open", "resolved"]
    assert notices[-1].total == 4


def test_a_gap_shorter_than_the_cooldown_continues_the_same_alert() -> None:
    burst = [fact(i, T0 + minutes(i)) for i in range(3)]
    later = [fact(10 + i, T0 + timedelta(hours=2) + minutes(i)) for i in range(3)]
    notices = run(engine([COUNT]), burst + later)
    assert len(opened(notices)) == 1
    assert all(n.status != "resolved" for n in notices)


def test_after_resolution_a_new_episode_is_a_new_alert() -> None:
    burst = [fact(i, T0 + minutes(i)) for i in range(3)]
    later = [fact(10 + i, T0 + timedelta(hours=8) + minutes(i)) for i in range(3)]
    notices = run(engine([COUNT]), burst + later)
    assert [n.status for n in notices] == ["open", "resolved", "open"]
    assert notices[0].id != notices[2].id


def test_grouping_by_branch_and_topic() -> None:
    rule = COUNT | {"filter": {"complaint": True}}
    stream = []
    for i in range(3):
        stream.append(fact(i, T0 + minutes(i), branch="lanvern"))
        stream.append(fact(10 + i, T0 + minutes(i), branch="stang"))
        stream.append(fact(20 + i, T0 + minutes(i), branch="stang", topics=("power",)))
    groups = {(n.branch, n.topic) for n in opened(run(engine([rule]), stream))}
    assert groups == {("lanvern", "wifi"), ("stang", "wifi"), ("stang", "power")}
    network = rule | {
        "group_by": [],
        "condition": {"type": "count", "min_count": 9, "window": "1h"},
    }
    alerts = opened(run(engine([network]), stream))
    assert [(a.branch, a.topic, a.count) for a in alerts] == [(None, None, 9)]


def test_each_notifies_every_mention_and_groups_within_the_cooldown() -> None:
    rule = {
        "id": "access",
        "filter": {"topics_any": ["accessibility"], "complaint": True},
        "condition": {"type": "each"},
        "cooldown": "10m",
        "update_growth": 1,
    }
    stream = [
        fact(1, T0, topics=("accessibility",)),
        fact(2, T0 + minutes(5), topics=("accessibility",)),
        fact(3, T0 + minutes(60), topics=("accessibility",)),
        fact(4, T0 + minutes(120), topics=("noise",)),
    ]
    notices = run(engine([rule], clock_quorum=1), stream)
    assert [(n.status, n.trigger_mention_id) for n in notices] == [
        ("open", "mastodon:1"),
        ("update", "mastodon:1"),
        ("resolved", "mastodon:1"),
        ("open", "mastodon:3"),
        ("resolved", "mastodon:3"),
    ]
    assert notices[1].total == 2


def _daily(per_day: list[int]) -> list[Facts]:
    stream = []
    n = 0
    for day, count in enumerate(per_day):
        for k in range(count):
            at = T0 + timedelta(days=day) + timedelta(minutes=(k * 600) // max(count, 1))
            stream.append(fact(n, at))
            n += 1
    return stream


SPIKE: dict[str, Any] = {
    "id": "spike",
    "filter": {"complaint": True},
    "group_by": [],
    "condition": {
        "type": "spike",
        "window": "1d",
        "baseline_windows": 7,
        "min_count": 5,
        "p_value": 0.01,
    },
    "cooldown": "1d",
}


def test_spike_at_low_volume_needs_the_minimum_count() -> None:
    quiet_week = [0, 0, 0, 1, 0, 0, 0, 0]
    two_after_quiet = _daily([*quiet_week, 2])
    assert run(engine([SPIKE]), two_after_quiet) == []  # p is small, but 2 < min_count
    five = _daily([*quiet_week, 5])
    alerts = opened(run(engine([SPIKE]), five))
    assert len(alerts) == 1 and alerts[0].count == 5
    assert alerts[0].baseline is not None and alerts[0].baseline < 1


def test_spike_at_high_volume_ignores_ordinary_noise_and_catches_a_real_surge() -> None:
    rng = random.Random(7)
    ordinary = [rng.randint(40, 60) for _ in range(9)]
    assert run(engine([SPIKE]), _daily(ordinary)) == []
    surge = opened(run(engine([SPIKE]), _daily([*ordinary, 95])))
    assert len(surge) == 1
    assert surge[0].baseline is not None and 40 <= surge[0].baseline <= 60
    assert surge[0].p_value is not None and surge[0].p_value < 0.01


def test_spike_does_not_fire_before_it_has_a_baseline() -> None:
    assert run(engine([SPIKE]), _daily([30])) == []


def test_restart_mid_window_neither_misses_nor_repeats() -> None:
    stream = [fact(i, T0 + minutes(10 * i)) for i in range(8)]
    stream += [fact(50, T0 + timedelta(hours=9), topics=("noise",))]
    straight = run(engine([COUNT]), stream)
    first = engine([COUNT])
    before = run(first, stream[:2])  # mid-window: 2 of the 3
    saved = first.dump()
    second = engine([COUNT])
    second.load({k: v for k, v in saved.items() if v is not None})
    redone = run(second, stream[1:])  # the uncommitted mention comes again
    assert before == []
    assert [(n.status, n.id, n.sequence) for n in redone] == [
        (n.status, n.id, n.sequence) for n in straight
    ]


def test_late_mentions_beyond_the_allowance_are_not_alerted_on() -> None:
    eng = engine([COUNT], late_after="1h", clock_quorum=1)
    run(eng, [fact(100, T0 + timedelta(hours=5), topics=("noise",))])
    assert run(eng, [fact(i, T0 + minutes(i)) for i in range(3)]) == []
    assert eng.late == 3


def test_slightly_out_of_order_mentions_still_count() -> None:
    stream = [fact(2, T0 + minutes(20)), fact(1, T0 + minutes(10)), fact(3, T0 + minutes(5))]
    alerts = opened(run(engine([COUNT]), stream))
    assert len(alerts) == 1 and alerts[0].count == 3


def test_filters_keywords_regex_sources_languages_and_excluded_branches() -> None:
    rule = COUNT | {
        "condition": {"type": "count", "min_count": 1, "window": "1h"},
        "filter": {
            "keywords": ["borne"],
            "regex": r"\bhs\b",
            "sources": ["mastodon"],
            "exclude_branches": ["stang"],
        },
    }
    hits = [
        fact(1, T0, text="La BORNE de prêt est HS"),
        fact(2, T0, text="la bôrne est hs"),  # accents folded for keywords
    ]
    misses = [
        fact(3, T0, text="la borne marche"),
        fact(4, T0, text="la borne est HS", source="x"),
        fact(5, T0, text="la borne est HS", branch="stang"),
        fact(6, T0, text="les bornes sont hs"),  # whole words only
    ]
    eng = engine([rule])
    assert {n.trigger_mention_id for n in opened(run(eng, hits + misses))} == {"mastodon:1"}
    eng = engine([rule])
    assert len(opened(run(eng, [hits[1]]))) == 1


def test_keywords_fold_as_the_nlp_stage_folds_terms() -> None:
    """A typographic apostrophe is the keyboard's: « L’accueil » is « l'accueil »."""
    rule = COUNT | {
        "condition": {"type": "count", "min_count": 1, "window": "1h"},
        "filter": {"keywords": ["l'accueil"]},
    }
    notices = run(engine([rule]), [fact(1, T0, text="Personne à L’accueil ce matin")])
    assert len(opened(notices)) == 1


def test_quiet_hours_hold_the_notice_until_they_end_in_local_time() -> None:
    rule = COUNT | {"quiet_hours": {"start": "22:00", "end": "07:00"}}
    night = T0.replace(hour=22, minute=30)  # 23:30 in Paris (UTC+1 in November)
    notices = run(engine([rule]), [fact(i, night + minutes(i)) for i in range(3)])
    assert notices[0].notify_after == T0.replace(hour=6, minute=0) + timedelta(days=1)
    day = run(engine([rule]), [fact(i, T0 + timedelta(hours=4) + minutes(i)) for i in range(3)])
    assert day[0].notify_after is None


def test_poisson_tail_matches_closed_forms() -> None:
    assert tail(0, 3.0) == 1.0
    assert tail(1, 2.0) == pytest.approx(1 - math.exp(-2.0))
    assert tail(3, 1.0) == pytest.approx(1 - math.exp(-1) * (1 + 1 + 0.5))
    assert tail(300, 100.0) < 1e-40
    assert threshold(10.0, 0.01, 3) == 19  # P(X>=19 | 10) ~ 0.007, P(X>=18) ~ 0.014


def test_poisson_threshold_is_the_first_count_the_tail_falls_below() -> None:
    for mean in (0.2, 1.0, 3.7, 10.0, 55.5, 430.0, 2_600.0):
        for p_value, floor in ((0.001, 1), (0.01, 3), (0.05, 50), (0.6, 1)):
            count = max(floor, 1, int(mean) if p_value < 0.5 else 0)
            while tail(count, mean) >= p_value:  # the definition, one count at a time
                count += 1
            assert threshold(mean, p_value, floor) == count, (mean, p_value, floor)
