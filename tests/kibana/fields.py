"""Which fields each saved object uses, per data view: what the mapping must offer."""

import json
import re
from dataclasses import dataclass
from typing import Any

# A field name before a KQL operator: `topics:wifi`, `indexed_at >= "now-24h"`.
_KQL_FIELD = re.compile(r"(?<![\w.\"])([A-Za-z_][\w.]*)\s*(?::|>=|<=|>|<)")
# Metric operations that read a value (count reads none).
_VALUE_METRICS = {"sum", "average", "min", "max", "median", "unique_count", "percentile"}


@dataclass(frozen=True)
class FieldUse:
    data_view: str
    field: str
    aggregated: bool  # a Lens bucket or metric: the field must be aggregatable
    where: str


def kql_fields(query: str) -> set[str]:
    return set(_KQL_FIELD.findall(query))


def _index_ref(saved: dict[str, Any], name: str) -> str:
    return str(next(ref["id"] for ref in saved["references"] if ref["name"] == name))


def field_uses(objects: list[dict[str, Any]]) -> list[FieldUse]:
    uses: list[FieldUse] = []
    for saved in objects:
        where = f"{saved['type']}/{saved['id']}"
        attributes = saved["attributes"]
        if saved["type"] == "index-pattern":
            uses.append(FieldUse(saved["id"], attributes["timeFieldName"], True, where))
            for field in json.loads(attributes["fieldFormatMap"]):
                uses.append(FieldUse(saved["id"], field, False, where))
        elif saved["type"] == "search":
            source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
            view = _index_ref(saved, source["indexRefName"])
            for field in attributes["columns"]:
                uses.append(FieldUse(view, field, False, where))
            for field, _ in attributes["sort"]:
                uses.append(FieldUse(view, field, True, where))
            for field in kql_fields(source["query"]["query"]):
                uses.append(FieldUse(view, field, False, where))
        elif saved["type"] == "lens":
            state = attributes["state"]
            for layer_id, layer in state["datasourceStates"]["formBased"]["layers"].items():
                view = _index_ref(saved, f"indexpattern-datasource-layer-{layer_id}")
                for column in layer["columns"].values():
                    operation = column["operationType"]
                    if column["isBucketed"] or operation in _VALUE_METRICS:
                        uses.append(FieldUse(view, column["sourceField"], True, where))
                    if "filter" in column:  # a formula's `count(kql=…)` part
                        for field in kql_fields(column["filter"]["query"]):
                            uses.append(FieldUse(view, field, False, where))
                for field in kql_fields(state["query"]["query"]):
                    uses.append(FieldUse(view, field, False, where))
    return uses
