"""Builds Kibana's saved objects (NDJSON) from `objects.yml`; the committed file is its output.

`python -m kibana.build` rewrites `kibana/saved_objects.ndjson`; `--check` fails when it is stale.
"""

import json
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

from config.profile import Profile
from kibana import lens
from kibana.spec import DataViewSpec, ObjectsSpec, SearchSpec, ViewKey, objects_spec

NDJSON = Path(str(files("kibana").joinpath("saved_objects.ndjson")))
INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"
URL_FIELDS: dict[ViewKey, list[str]] = {"mentions": ["url"], "alerts": ["search_url"]}


def _dumps(value: object) -> str:
    """Canonical JSON, so the same spec always gives the same bytes."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _versioned(spec: ObjectsSpec, saved: dict[str, Any]) -> dict[str, Any]:
    return {
        **saved,
        "coreMigrationVersion": spec.core_migration_version,
        "typeMigrationVersion": spec.type_migration_versions[saved["type"]],
        "managed": False,
    }


def data_view(spec: ObjectsSpec, key: ViewKey, view: DataViewSpec) -> dict[str, Any]:
    labels = spec.field_labels.get(key, {})
    return {
        "type": "index-pattern",
        "id": view.id,
        "attributes": {
            "title": view.title,
            "name": view.name,
            "timeFieldName": view.time_field,
            "allowNoIndex": True,  # importable before the first mention or alert exists
            "fields": "[]",
            "fieldAttrs": _dumps(
                {field: {"customLabel": label} for field, label in labels.items()}
            ),
            "fieldFormatMap": _dumps({field: {"id": "url"} for field in URL_FIELDS[key]}),
            "runtimeFieldMap": "{}",
            "sourceFilters": "[]",
            "typeMeta": "{}",
        },
        "references": [],
    }


def saved_search(spec: ObjectsSpec, search: SearchSpec) -> dict[str, Any]:
    view = spec.data_views[search.data_view]
    columns = search.columns or spec.mention_columns
    sort = search.sort or [(view.time_field, "desc")]
    source = {
        "query": {"language": "kuery", "query": search.query},
        "filter": [],
        "indexRefName": INDEX_REF,
    }
    return {
        "type": "search",
        "id": search.id,
        "attributes": {
            "title": search.title,
            "description": search.description,
            "columns": columns,
            "sort": [list(pair) for pair in sort],
            "grid": {},
            "hideChart": False,
            "isTextBasedQuery": False,
            "timeRestore": True,
            "timeRange": {"from": search.time_from, "to": "now"},
            "refreshInterval": {"pause": True, "value": 60000},
            "kibanaSavedObjectMeta": {"searchSourceJSON": _dumps(source)},
        },
        "references": [{"type": "index-pattern", "id": view.id, "name": INDEX_REF}],
    }


def _panel(index: str, kind: str, x: int, y: int, w: int, h: int, title: str) -> dict[str, Any]:
    return {
        "type": kind,
        "panelIndex": index,
        "gridData": {"x": x, "y": y, "w": w, "h": h, "i": index},
        "embeddableConfig": {"enhancements": {}},
        "title": title,
        "panelRefName": f"panel_{index}",
    }


def dashboard_objects(spec: ObjectsSpec) -> list[dict[str, Any]]:
    """The « Voix des usagers » dashboard and the Lens visualisations it shows."""
    board = spec.dashboard
    titles = board.panel_titles
    mentions = spec.data_views["mentions"]
    visuals = [
        lens.over_time(
            f"{board.id}-over-time",
            titles["over_time"],
            mentions.id,
            mentions.time_field,
            board.top_topics,
        ),
        lens.sentiment_split(f"{board.id}-sentiment", titles["sentiment"], mentions.id),
        lens.complaints_heatmap(
            f"{board.id}-heatmap",
            titles["heatmap"],
            mentions.id,
            board.top_branches,
            board.top_topics,
        ),
        lens.top_terms(f"{board.id}-top-terms", titles["top_terms"], mentions.id, board.top_terms),
        lens.answers_table(
            f"{board.id}-answers-branch",
            titles["answers_by_branch"],
            mentions.id,
            "branch",
            "Antenne",
            board.top_branches,
        ),
        lens.answers_table(
            f"{board.id}-answers-source",
            titles["answers_by_source"],
            mentions.id,
            "source",
            "Réseau",
            board.top_branches,
        ),
    ]
    # A 48-column grid: four charts in two rows, the two tables full width, then the answers.
    layout = [
        ("1", "lens", visuals[0]["id"], 0, 0, 32, 14, titles["over_time"]),
        ("2", "lens", visuals[1]["id"], 32, 0, 16, 14, titles["sentiment"]),
        ("3", "lens", visuals[2]["id"], 0, 14, 28, 16, titles["heatmap"]),
        ("4", "lens", visuals[3]["id"], 28, 14, 20, 16, titles["top_terms"]),
        ("5", "search", board.latest_complaints, 0, 30, 48, 18, titles["latest_complaints"]),
        ("6", "search", board.alerts, 0, 48, 48, 12, titles["alerts"]),
        ("7", "lens", visuals[4]["id"], 0, 60, 24, 14, titles["answers_by_branch"]),
        ("8", "lens", visuals[5]["id"], 24, 60, 24, 14, titles["answers_by_source"]),
    ]
    panels = [_panel(i, kind, x, y, w, h, title) for i, kind, _, x, y, w, h, title in layout]
    references = [
        {"type": kind, "id": target, "name": f"panel_{i}"} for i, kind, target, *_ in layout
    ]
    dashboard = {
        "type": "dashboard",
        "id": board.id,
        "attributes": {
            "title": board.title,
            "description": board.description,
            "panelsJSON": _dumps(panels),
            "optionsJSON": _dumps(
                {"useMargins": True, "syncColors": True, "hidePanelTitles": False}
            ),
            "timeRestore": True,
            "timeFrom": board.time_from,
            "timeTo": "now",
            "refreshInterval": {"pause": True, "value": 60000},
            "version": 1,
            "kibanaSavedObjectMeta": {
                "searchSourceJSON": _dumps(
                    {"query": {"language": "kuery", "query": ""}, "filter": []}
                )
            },
        },
        "references": references,
    }
    return [*visuals, dashboard]


def build_objects(spec: ObjectsSpec | None = None) -> list[dict[str, Any]]:
    """Referenced objects come first, as in Kibana's own exports."""
    spec = spec or objects_spec()
    objects = [data_view(spec, key, view) for key, view in spec.data_views.items()]
    objects += [saved_search(spec, search) for search in spec.searches]
    objects += dashboard_objects(spec)
    return [_versioned(spec, saved) for saved in objects]


def branch_searches(profile: Profile, spec: ObjectsSpec | None = None) -> list[dict[str, Any]]:
    """One saved search per branch of the library's profile (added at import time)."""
    spec = spec or objects_spec()
    template = spec.branch_search
    searches = []
    for branch in profile.branches:
        values = {"branch_id": branch.id, "branch_name": branch.name}
        search = template.model_copy(
            update={
                "id": template.id.format(**values),
                "title": template.title.format(**values),
                "description": template.description.format(**values),
                "query": template.query.format(**values),
            }
        )
        searches.append(_versioned(spec, saved_search(spec, search)))
    return searches


def to_ndjson(objects: list[dict[str, Any]]) -> str:
    return "".join(_dumps(saved) + "\n" for saved in objects)


def main(argv: list[str]) -> int:
    built = to_ndjson(build_objects())
    if "--check" in argv:
        if NDJSON.read_text(encoding="utf-8") != built:
            print(f"{NDJSON} is stale: run python -m kibana.build", file=sys.stderr)
            return 1
        return 0
    NDJSON.write_text(built, encoding="utf-8")
    print(f"wrote {NDJSON}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
