"""Event-time order across the partitions of `mentions.enriched`, with the real Kafka: eight
weeks spread over three partitions and produced partition by partition (all of partition 0,
then 1, then 2) give exactly the alerts of the same mentions run in time order; and a restart
while mentions wait for a partition neither misses nor repeats an alert."""

import itertools
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from alerts.engine import Engine
from alerts.facts import Facts
from alerts.lag import GroupLag, start_at_end
from alerts.reorder import Reordering
from alerts.run import run_alerts
from bus.kafka import make_producer
from bus.topics import topic
from bus.worker import Backoff
from config.profile import Profile
from schemas import EnrichedMention
from tests.alerts.sample import notice_key, read_notices
from tests.alerts.test_worker import PROFILE, _mention
from tests.pipeline.workers import eventually

pytestmark = pytest.mark.integration

FAST = Backoff(first=0.2, factor=2.0, ceiling=2.0)
# Before the 2031 mentions of test_worker.py, whose groups read the topic from its start.
_STARTS = itertools.count()
BURSTS = (timedelta(days=10), timedelta(days=33), timedelta(days=47))  # weeks 2, 5 and 7


def _start() -> datetime:
    return datetime(2030, 1, 7, 8, 0, tzinfo=UTC) + timedelta(days=70 * next(_STARTS))


def _profile(token: str) -> Profile:
    from config.profile import load_profile

    base = load_profile(PROFILE)
    alerts = {
        "rules": [
            {
                "id": "wifi-order",
                "filter": {"keywords": [token], "complaint": True, "topics_any": ["wifi"]},
                "condition": {"type": "count", "min_count": 3, "window": "1h"},
                "cooldown": "2h",
            }
        ],
        "late_after": "6h",
    }
    data = base.model_dump(mode="json") | {
        "library": base.library.model_dump() | {"id": f"lib-{token}"},
        "alerts": alerts,
    }
    return Profile.model_validate(data)


def _stream(token: str, start: datetime) -> list[EnrichedMention]:
    """A complaint every six hours for eight weeks (never three in an hour), and three bursts
    of four in half an hour, each spread over the three partitions."""
    times = [start + timedelta(hours=6 * n) for n in range(8 * 7 * 4)]
    for burst in BURSTS:
        times += [start + burst + timedelta(hours=3, minutes=10 * k) for k in range(4)]
    return [_mention(token, n, at) for n, at in enumerate(sorted(times))]


def _produce(items: list[tuple[int, EnrichedMention]]) -> None:
    producer = make_producer()
    for partition, mention in items:
        producer.send(
            topic("enriched"),
            key=mention.id.encode(),
            value=mention.model_dump_json().encode(),
            partition=partition,
        )
    producer.flush()
    producer.close()


def _expected(profile: Profile, stream: list[EnrichedMention]) -> list[tuple[Any, ...]]:
    engine = Engine(profile.alerts, library_id=profile.library.id)
    return [notice_key(n) for m in stream for n in engine.process(Facts.of(m))]


@contextmanager
def _worker(
    profile: Profile, group: str, upstream_busy: Callable[[], bool] | None = None
) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_alerts,
        args=(profile,),
        kwargs={
            "group": group,
            "batch_size": 20,
            "stop": stop,
            "notifiers": {},
            "backoff": FAST,
            "upstream_busy": upstream_busy,
            "reordering": Reordering(idle_after_s=600),
        },
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=120)
        assert not thread.is_alive()


def _committed(group: str) -> dict[int, int]:
    lag = GroupLag("enriched")
    try:
        return {tp.partition: offset for tp, offset in lag.committed(group).items()}
    finally:
        lag.close()


def _ends() -> dict[int, int]:
    lag = GroupLag("enriched")
    try:
        return {tp.partition: end for tp, end in lag.ends().items()}
    finally:
        lag.close()


def _by_partition(stream: list[EnrichedMention]) -> list[list[tuple[int, EnrichedMention]]]:
    return [[(p, m) for n, m in enumerate(stream) if n % 3 == p] for p in range(3)]


def test_partitions_produced_weeks_apart_give_the_alerts_of_the_time_ordered_run(
    topics: None,
) -> None:
    token = uuid.uuid4().hex[:10]
    profile, group = _profile(token), f"order-{token}"
    stream = _stream(token, _start())
    expected = _expected(profile, stream)
    assert [k[1] for k in expected].count("open") == len(BURSTS)
    start_at_end(group, "enriched")
    _produce([item for chunk in _by_partition(stream) for item in chunk])  # 0, then 1, then 2
    with _worker(profile, group):
        eventually(
            lambda: len(read_notices(profile.library.id)) >= len(expected), 300, "all the notices"
        )
    assert [notice_key(n) for n in read_notices(profile.library.id)] == expected


def test_a_restart_while_mentions_wait_neither_misses_nor_repeats(topics: None) -> None:
    token = uuid.uuid4().hex[:10]
    profile, group = _profile(token), f"order-{token}"
    stream = _stream(token, _start())
    expected = _expected(profile, stream)
    p0, p1, p2 = _by_partition(stream)
    half = len(p2) // 2
    start_at_end(group, "enriched")
    before = _committed(group)
    _produce(p0 + p1 + p2[:half])
    ends = _ends()
    upstream = threading.Event()
    upstream.set()  # the NLP stage still has partition 2's second half to pass on
    with _worker(profile, group, upstream_busy=upstream.is_set):
        eventually(lambda: _committed(group).get(2) == ends[2], 300, "partition 2 processed")
    committed = _committed(group)
    assert before[0] < committed[0] < ends[0] and committed[1] < ends[1]  # waiting, uncommitted
    first = [notice_key(n) for n in read_notices(profile.library.id)]
    assert first == expected[: len(first)] and first, "only what came before the cut"
    assert len(first) < len(expected)
    _produce(p2[half:])
    with _worker(profile, group):
        eventually(
            lambda: len(read_notices(profile.library.id)) >= len(expected), 300, "all the notices"
        )
    assert [notice_key(n) for n in read_notices(profile.library.id)] == expected


def test_what_the_nlp_stage_passes_on_as_it_says_it_is_done_still_goes_in_time_order(
    topics: None,
) -> None:
    token = uuid.uuid4().hex[:10]
    profile, group = _profile(token), f"order-{token}"
    start = _start()
    first, middle, last = [_mention(token, n, start + timedelta(minutes=10 * n)) for n in range(3)]
    expected = _expected(profile, [first, middle, last])
    assert [k[1] for k in expected] == ["open"] and expected[0][-1] == last.id
    start_at_end(group, "enriched")
    _produce([(0, first), (0, last)])
    passed_on = threading.Event()

    def upstream_busy() -> bool:
        """The NLP stage passes the middle mention on just before it reports nothing left: after
        the worker's first look at Kafka, before its answer."""
        if not passed_on.is_set():
            passed_on.set()
            _produce([(1, middle)])
        return False

    with _worker(profile, group, upstream_busy=upstream_busy):
        eventually(lambda: len(read_notices(profile.library.id)) >= 1, 300, "the notice")
    assert passed_on.is_set()
    assert [notice_key(n) for n in read_notices(profile.library.id)] == expected
