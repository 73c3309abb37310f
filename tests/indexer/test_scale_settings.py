"""Shards and replicas of the mention indices come from the settings, not from code."""

import pytest
from elasticsearch import Elasticsearch

from config.settings import get_settings
from indexer.layout import layout
from indexer.setup import ensure_templates

pytestmark = pytest.mark.integration


def test_new_monthly_indices_take_the_shards_and_replicas_settings(
    es: Elasticsearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = layout().mentions.index_prefix + "2098.01"
    es.indices.delete(index=name, ignore_unavailable=True)
    monkeypatch.setenv("MURMURE_ES_SHARDS", "2")
    monkeypatch.setenv("MURMURE_ES_REPLICAS", "1")
    get_settings.cache_clear()
    try:
        ensure_templates(es)
        es.indices.create(index=name)
        settings = es.indices.get_settings(index=name)[name]["settings"]["index"]
        assert (settings["number_of_shards"], settings["number_of_replicas"]) == ("2", "1")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        ensure_templates(es)  # back to the defaults for the other tests
    settings = es.indices.get_settings(index=name)[name]["settings"]["index"]
    assert settings["number_of_replicas"] == "0"  # replicas follow the setting on every month
    es.indices.delete(index=name)
