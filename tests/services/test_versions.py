"""docker-compose.yml (production) and services/stack.yml (local) must run the same versions."""

from pathlib import Path

import yaml

from services.settings import load_spec, raw_spec

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def _images() -> dict[str, str]:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return {name: svc["image"] for name, svc in compose["services"].items() if "image" in svc}


def test_compose_pins_the_stack_versions() -> None:
    spec = load_spec(env={})
    images = _images()
    assert images["kafka"] == f"apache/kafka:{spec.kafka.version}"
    assert images["elasticsearch"] == (
        f"docker.elastic.co/elasticsearch/elasticsearch:{spec.elasticsearch.version}"
    )
    assert images["kibana"] == f"docker.elastic.co/kibana/kibana:{spec.elasticsearch.version}"


def test_stack_yml_is_the_only_place_versions_live() -> None:
    raw = raw_spec()
    for section in ("kafka", "elasticsearch"):
        for coordinate in raw[section]["artifacts"]:
            assert raw[section]["version"] not in coordinate, coordinate


def test_every_elastic_image_matches_elasticsearch() -> None:
    version = load_spec(env={}).elasticsearch.version
    elastic = [image for image in _images().values() if image.startswith("docker.elastic.co/")]
    assert elastic and all(image.endswith(f":{version}") for image in elastic), elastic
