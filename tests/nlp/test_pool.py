"""The NLP processes tag exactly as the stage does in-process, in order, failing texts alone;
the enrich handler feeds them a batch it extends as it goes."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bus.kafka import make_producer
from bus.stage import Batch
from bus.topics import topic
from config.profile import Profile
from nlp.pool import Failed, NlpPool, start_pool
from nlp.stage import Stage
from nlp.worker import EnrichStage
from schemas import Analysis, EnrichedMention
from tests.factories import raw_mention
from tests.kafka import read_to_end


@pytest.fixture(scope="module")
def pool(profile: Profile) -> Iterator[NlpPool]:
    started = start_pool(profile, processes=1)
    yield started
    started.close()


def test_tags_like_the_stage_in_this_process(pool: NlpPool, stage: Stage) -> None:
    texts = ["Le wifi de la BU lettres est HS 😡", "The library is lovely", "J'ai trop bu"]
    tagged = pool.tag(texts).result(timeout=120)
    assert [Analysis.model_validate_json(t) for t in tagged if isinstance(t, str)] == (
        stage.analyse(texts)
    )
    assert pool.version == stage.version


def test_a_text_that_breaks_the_stage_fails_alone(pool: NlpPool) -> None:
    texts: list[Any] = ["La BU est fermée ?", None, "Imprimante en panne à la BU"]
    first, broken, last = pool.tag(texts).result(timeout=120)
    assert isinstance(broken, Failed) and broken.reason
    assert Analysis.model_validate_json(str(first)).relevant
    assert [t.topic for t in Analysis.model_validate_json(str(last)).topics] == ["printing"]


@dataclass
class Record:
    value: bytes
    offset: int
    topic: str = "mentions.raw"
    partition: int = 0


@pytest.mark.integration
def test_handler_extends_its_batch_and_produces_every_mention(pool: NlpPool, topics: None) -> None:
    mentions = [raw_mention(f"Le wifi de la BU est encore coupé, jour {n}") for n in range(9)]
    records: list[Any] = [Record(m.model_dump_json().encode(), n) for n, m in enumerate(mentions)]
    records.insert(4, Record(b"not json", 99))
    given, later = records[:3], records[3:]

    def poll_more(limit: int) -> list[Any]:
        taken = later[:limit]
        del later[:limit]
        return taken

    producer = make_producer()
    stage = EnrichStage(pool, producer, chunk_size=2, batch_size=8)
    batch = Batch(stage.validate, poll_more)
    batch.add(given)
    refused = stage.produce(stage.process(batch))
    failures = batch.failures + refused  # those the batch polled as it went included
    producer.close()

    assert len(batch.records) == 8 and len(later) == 2  # extended up to the batch size, no further
    assert [f.record.offset for f in failures] == [99]
    wanted = {m.id for m in mentions[:7]}
    seen: set[str] = set()
    for record in read_to_end(topic("enriched")):  # acknowledged before the handler returned
        if record.key and record.key.decode() in wanted:
            enriched = EnrichedMention.model_validate_json(record.value)
            assert enriched.topic_ids == ["wifi"] and enriched.pipeline_version == pool.version
            seen.add(enriched.id)
    assert seen == wanted
