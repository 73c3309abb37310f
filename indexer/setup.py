"""Creates the index templates and aliases; detects what the cluster offers instead of assuming."""

import logging
from dataclasses import dataclass

from elasticsearch import ApiError, Elasticsearch

from config.settings import get_settings
from indexer.layout import layout
from indexer.mappings import mention_mappings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClusterFeatures:
    """The test distribution lacks analysis-common, reindex, painless and ingest."""

    text_analyzer: str
    delete_by_query: bool


def detect_features(es: Elasticsearch) -> ClusterFeatures:
    wanted = layout().text_analyzer
    try:
        es.indices.analyze(analyzer=wanted, text="bibliothèques")
        analyzer = wanted
    except ApiError:
        analyzer = "standard"
        log.warning(
            "analyzer %r not available on this cluster (no analysis-common module): full text "
            "uses 'standard', French search relies on the spaCy lemmas field",
            wanted,
        )
    modules = {
        module["name"]
        for node in es.nodes.info(metric="modules")["nodes"].values()
        for module in node.get("modules", [])
    }
    return ClusterFeatures(text_analyzer=analyzer, delete_by_query="reindex" in modules)


def ensure_templates(es: Elasticsearch) -> ClusterFeatures:
    """Idempotent: run by `murmure setup` and by every worker at start."""
    features = detect_features(es)
    mentions = layout().mentions
    settings = get_settings()
    mappings = mention_mappings(features.text_analyzer)
    es.indices.put_index_template(
        name=mentions.alias,
        index_patterns=[mentions.pattern],
        priority=100,
        template={
            "settings": {
                "number_of_shards": settings.es_shards,
                "number_of_replicas": settings.es_replicas,
            },
            "mappings": mappings,
            "aliases": {mentions.alias: {}},
        },
        meta={"managed_by": "murmure"},
    )
    # Monthly indices made by an older template get the fields added since (additive only)
    # and the replicas set now (shards stay: a month keeps the shards it was created with).
    es.indices.put_mapping(
        index=mentions.pattern, properties=mappings["properties"], allow_no_indices=True
    )
    es.indices.put_settings(
        index=mentions.pattern,
        settings={"number_of_replicas": settings.es_replicas},
        allow_no_indices=True,
    )
    return features
