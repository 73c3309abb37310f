"""Static checks of the saved objects: Kibana cannot run here, so check what it would check."""

import json
from typing import Any

import pytest

from config.profile import load_profile
from kibana.build import NDJSON, branch_searches, build_objects, to_ndjson
from tests.kibana.fields import field_uses, kql_fields

KNOWN_TYPES = {"index-pattern", "search", "lens", "dashboard"}
LINES = NDJSON.read_text(encoding="utf-8").splitlines()


def _objects() -> list[dict[str, Any]]:
    return [json.loads(line) for line in LINES]


def test_committed_file_is_the_builders_output() -> None:
    assert NDJSON.read_text(encoding="utf-8") == to_ndjson(build_objects()), (
        "kibana/saved_objects.ndjson is stale: run `python -m kibana.build`"
    )


@pytest.mark.parametrize("number", range(len(LINES)))
def test_every_line_is_a_saved_object(number: int) -> None:
    saved = json.loads(LINES[number])
    assert isinstance(saved, dict)
    assert saved["type"] in KNOWN_TYPES
    assert isinstance(saved["id"], str) and saved["id"]
    assert isinstance(saved["attributes"], dict) and saved["attributes"]["title"]
    assert saved["coreMigrationVersion"] and saved["typeMigrationVersion"]
    for reference in saved["references"]:
        assert set(reference) == {"type", "id", "name"}, reference
    # Attributes Kibana keeps as JSON strings must parse.
    attributes = saved["attributes"]
    for key in ("fieldAttrs", "fieldFormatMap", "fields", "runtimeFieldMap", "panelsJSON"):
        if key in attributes:
            json.loads(attributes[key])
    if "kibanaSavedObjectMeta" in attributes:
        json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])


def test_ids_are_unique() -> None:
    keys = [(saved["type"], saved["id"]) for saved in _objects()]
    assert len(keys) == len(set(keys))


def test_every_reference_resolves_inside_the_export() -> None:
    objects = _objects()
    present = {(saved["type"], saved["id"]) for saved in objects}
    for saved in objects:
        for reference in saved["references"]:
            assert (reference["type"], reference["id"]) in present, (saved["id"], reference)


def test_every_reference_name_is_used_and_every_use_has_a_reference() -> None:
    for saved in _objects():
        names = {reference["name"] for reference in saved["references"]}
        attributes = saved["attributes"]
        used: set[str] = set()
        if saved["type"] == "search":
            source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
            used.add(source["indexRefName"])
        elif saved["type"] == "lens":
            layers = attributes["state"]["datasourceStates"]["formBased"]["layers"]
            used |= {f"indexpattern-datasource-layer-{layer}" for layer in layers}
        elif saved["type"] == "dashboard":
            used |= {panel["panelRefName"] for panel in json.loads(attributes["panelsJSON"])}
        assert used == names, saved["id"]


def test_lens_accessors_name_columns_of_their_layer() -> None:
    for saved in (s for s in _objects() if s["type"] == "lens"):
        state = saved["attributes"]["state"]
        layers = state["datasourceStates"]["formBased"]["layers"]
        columns = {column for layer in layers.values() for column in layer["columns"]}
        for layer in layers.values():
            assert sorted(layer["columnOrder"]) == sorted(layer["columns"])
        text = json.dumps(state["visualization"])
        accessors = {
            value
            for key, value in _walk(state["visualization"])
            if key.endswith("Accessor")
            or key in {"accessors", "primaryGroups", "metrics", "columnId"}  # columnId: tables
        }
        assert accessors and accessors <= columns, (saved["id"], accessors - columns, text)


def _walk(value: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                found.append((key, item))
            elif isinstance(item, list) and all(isinstance(v, str) for v in item):
                found.extend((key, v) for v in item)
            else:
                found.extend(_walk(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_walk(item))
    return found


def test_the_dashboard_shows_what_the_issue_asks() -> None:
    objects = {saved["id"]: saved for saved in _objects()}
    board = objects["murmure-voix-des-usagers"]
    assert board["attributes"]["title"] == "Voix des usagers"
    targets = [objects[reference["id"]] for reference in board["references"]]
    kinds = sorted(saved["attributes"].get("visualizationType", saved["type"]) for saved in targets)
    assert kinds == sorted(
        ["lnsXY", "lnsPie", "lnsHeatmap", "lnsTagcloud", "search", "search", *["lnsDatatable"] * 2]
    )
    answers = [saved for saved in targets if saved["id"].endswith(("-branch", "-source"))]
    for table in answers:  # share answered and median delay, by branch and by network
        columns = next(
            iter(table["attributes"]["state"]["datasourceStates"]["formBased"]["layers"].values())
        )["columns"]
        share, delay = columns["share"], columns["delay"]
        assert share["params"]["formula"] == "count(kql='answered_at:*') / count()"
        assert share["params"]["format"]["id"] == "percent"
        assert delay["params"]["formula"] == "median(answer_delay_s) / 3600"
        shown = [c["columnId"] for c in table["attributes"]["state"]["visualization"]["columns"]]
        assert shown == ["group", "posts", "share", "delay"]
    assert sorted(
        t["attributes"]["state"]["datasourceStates"]["formBased"]["layers"].popitem()[1]["columns"][
            "group"
        ]["sourceField"]
        for t in answers
    ) == ["branch", "source"]
    searches = [saved for saved in targets if saved["type"] == "search"]
    assert any("evidence" in saved["attributes"]["columns"] for saved in searches)
    assert any(ref["id"] == "murmure-alerts" for s in searches for ref in s["references"])


def test_formulas_are_persisted_with_their_parts() -> None:
    """Kibana runs a saved formula from its math column and parts, not from its text."""
    formulas = 0
    for saved in (s for s in _objects() if s["type"] == "lens"):
        layers = saved["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
        for layer in layers.values():
            columns = layer["columns"]
            for column_id, column in columns.items():
                if column["operationType"] != "formula":
                    continue
                formulas += 1
                assert not column["params"]["isFormulaBroken"]
                (math_id,) = column["references"]
                math = columns[math_id]
                assert math["operationType"] == "math", (saved["id"], column_id)
                assert math["params"]["tinymathAst"]["text"] == column["params"]["formula"]
                parts = math["references"]
                assert parts == [f"{column_id}X{i}" for i in range(len(parts))]
                assert math_id == f"{column_id}X{len(parts)}"
                args = math["params"]["tinymathAst"]["args"]
                assert {arg for arg in args if isinstance(arg, str)} == set(parts)
                for part in parts:
                    assert columns[part]["operationType"] in {"count", "median"}
    assert formulas == 4  # share answered and median delay, by branch and by network


def test_a_formulas_kql_part_counts_as_a_field_use() -> None:
    uses = {(use.field, use.where) for use in field_uses(_objects())}
    assert ("answered_at", "lens/murmure-voix-des-usagers-answers-branch") in uses


def test_data_views_use_the_post_date_and_the_alerts_index() -> None:
    views = {s["id"]: s["attributes"] for s in _objects() if s["type"] == "index-pattern"}
    assert views["murmure-mentions"]["title"] == "murmure-mentions"
    assert views["murmure-mentions"]["timeFieldName"] == "created_at"
    assert views["murmure-alerts"]["title"] == "murmure-alerts"


def test_the_daily_searches_exist() -> None:
    queries = {
        saved["attributes"]["title"]: json.loads(
            saved["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"]
        )["query"]["query"]
        for saved in _objects()
        if saved["type"] == "search"
    }
    assert "complaint:true" in queries["Plaintes de la semaine"]
    for topic in ("wifi", "temperature", "power"):
        assert any(f"topics:{topic}" == query for query in queries.values()), topic
    assert any("branch" in kql_fields(query) for query in queries.values())
    waiting = queries["En attente de réponse"]
    assert {"question", "complaint", "answered_at", "author.institution"} <= kql_fields(waiting)
    assert any("sentiment:negative" in query for query in queries.values())


def test_branch_searches_follow_the_profile() -> None:
    profile = load_profile("samples/profile.yml")
    searches = branch_searches(profile)
    assert [s["id"] for s in searches] == [f"murmure-branch-{b.id}" for b in profile.branches]
    for saved, branch in zip(searches, profile.branches, strict=True):
        source = json.loads(saved["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        assert source["query"]["query"] == f"branch:{branch.id}"
        assert branch.name in saved["attributes"]["title"]
        assert saved["references"][0]["id"] == "murmure-mentions"


def test_field_uses_cover_queries_columns_and_lens() -> None:
    uses = {(use.field, use.aggregated) for use in field_uses(_objects())}
    assert ("created_at", True) in uses
    assert ("lemmas", True) in uses
    assert ("indexed_at", False) in uses  # from a KQL query
    assert ("evidence", False) in uses


def test_kql_fields_finds_every_field_of_a_query() -> None:
    query = 'topics:wifi and not author.institution:true and indexed_at >= "now-24h"'
    assert kql_fields(query) == {"topics", "author.institution", "indexed_at"}
