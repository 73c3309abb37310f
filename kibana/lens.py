"""Lens visualisations of the dashboard, in the form Kibana saves them (one data layer each)."""

from collections.abc import Callable
from typing import Any

COUNT = "___records___"  # Lens' pseudo-field for "count of documents"


def count_column(label: str) -> dict[str, Any]:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "number",
        "operationType": "count",
        "isBucketed": False,
        "scale": "ratio",
        "sourceField": COUNT,
        "params": {"emptyAsNull": True},
    }


def date_column(field: str, label: str) -> dict[str, Any]:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "date",
        "operationType": "date_histogram",
        "isBucketed": True,
        "scale": "interval",
        "sourceField": field,
        "params": {"interval": "auto", "includeEmptyRows": True, "dropPartials": False},
    }


def terms_column(field: str, label: str, *, size: int, order_by: str) -> dict[str, Any]:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "string",
        "operationType": "terms",
        "isBucketed": True,
        "scale": "ordinal",
        "sourceField": field,
        "params": {
            "size": size,
            "orderBy": {"type": "column", "columnId": order_by},
            "orderDirection": "desc",
            "otherBucket": False,
            "missingBucket": False,
            "parentFormat": {"id": "terms"},
        },
    }


def lens_object(
    *,
    object_id: str,
    title: str,
    visualization_type: str,
    layer_id: str,
    columns: dict[str, dict[str, Any]],
    visualization: dict[str, Any],
    data_view_id: str,
    query: str = "",
) -> dict[str, Any]:
    """A `lens` saved object; its layer points to the data view through a named reference."""
    layer = {"columns": columns, "columnOrder": list(columns), "incompleteColumns": {}}
    return {
        "type": "lens",
        "id": object_id,
        "attributes": {
            "title": title,
            "description": "",
            "visualizationType": visualization_type,
            "state": {
                "datasourceStates": {"formBased": {"layers": {layer_id: layer}}},
                "visualization": visualization,
                "query": {"language": "kuery", "query": query},
                "filters": [],
                "internalReferences": [],
                "adHocDataViews": {},
            },
        },
        "references": [
            {
                "type": "index-pattern",
                "id": data_view_id,
                "name": f"indexpattern-datasource-layer-{layer_id}",
            }
        ],
    }


def over_time(object_id: str, title: str, data_view_id: str, time_field: str, top: int) -> Any:
    """Stacked bars: mentions per interval of the post's date, split by topic."""
    layer = "over-time"
    columns = {
        "date": date_column(time_field, "Date"),
        "topic": terms_column("topics", "Sujet", size=top, order_by="count"),
        "count": count_column("Mentions"),
    }
    visualization = {
        "preferredSeriesType": "bar_stacked",
        "legend": {"isVisible": True, "position": "right"},
        "valueLabels": "hide",
        "layers": [
            {
                "layerId": layer,
                "layerType": "data",
                "seriesType": "bar_stacked",
                "xAccessor": "date",
                "splitAccessor": "topic",
                "accessors": ["count"],
            }
        ],
    }
    return lens_object(
        object_id=object_id,
        title=title,
        visualization_type="lnsXY",
        layer_id=layer,
        columns=columns,
        visualization=visualization,
        data_view_id=data_view_id,
    )


def sentiment_split(object_id: str, title: str, data_view_id: str) -> Any:
    """Donut of negative / neutral / positive among relevant mentions."""
    layer = "sentiment"
    columns = {
        "sentiment": terms_column("sentiment", "Ton", size=3, order_by="count"),
        "count": count_column("Mentions"),
    }
    visualization = {
        "shape": "donut",
        "layers": [
            {
                "layerId": layer,
                "layerType": "data",
                "primaryGroups": ["sentiment"],
                "metrics": ["count"],
                "numberDisplay": "percent",
                "categoryDisplay": "default",
                "legendDisplay": "default",
            }
        ],
    }
    return lens_object(
        object_id=object_id,
        title=title,
        visualization_type="lnsPie",
        layer_id=layer,
        columns=columns,
        visualization=visualization,
        data_view_id=data_view_id,
        query="relevant:true",
    )


def complaints_heatmap(
    object_id: str, title: str, data_view_id: str, branches: int, topics: int
) -> Any:
    """Complaints counted per branch (columns) and topic (rows): where to act first."""
    layer = "heatmap"
    columns = {
        "branch": terms_column("branch", "Antenne", size=branches, order_by="count"),
        "topic": terms_column("topics", "Sujet", size=topics, order_by="count"),
        "count": count_column("Plaintes"),
    }
    visualization = {
        "shape": "heatmap",
        "layerId": layer,
        "layerType": "data",
        "xAccessor": "branch",
        "yAccessor": "topic",
        "valueAccessor": "count",
        "legend": {"isVisible": True, "position": "right", "type": "heatmap_legend"},
        "gridConfig": {
            "type": "heatmap_grid",
            "isCellLabelVisible": True,
            "isXAxisLabelVisible": True,
            "isYAxisLabelVisible": True,
            "isXAxisTitleVisible": False,
            "isYAxisTitleVisible": False,
        },
    }
    return lens_object(
        object_id=object_id,
        title=title,
        visualization_type="lnsHeatmap",
        layer_id=layer,
        columns=columns,
        visualization=visualization,
        data_view_id=data_view_id,
        query="complaint:true",
    )


def top_terms(object_id: str, title: str, data_view_id: str, size: int) -> Any:
    """Tag cloud of the lemmas of complaints: the words patrons use, French or English."""
    layer = "top-terms"
    columns = {
        "term": terms_column("lemmas", "Mot", size=size, order_by="count"),
        "count": count_column("Plaintes"),
    }
    visualization = {
        "layerId": layer,
        "layerType": "data",
        "tagAccessor": "term",
        "valueAccessor": "count",
        "maxFontSize": 72,
        "minFontSize": 14,
        "orientation": "single",
        "showLabel": True,
    }
    return lens_object(
        object_id=object_id,
        title=title,
        visualization_type="lnsTagcloud",
        layer_id=layer,
        columns=columns,
        visualization=visualization,
        data_view_id=data_view_id,
        query="complaint:true",
    )


ANSWERABLE = "(question:true or complaint:true) and not author.institution:true"
ANSWERED = "answered_at:*"
SECONDS_PER_HOUR = 3600


def _math(label: str, text: str, ast: dict[str, Any], parts: list[str]) -> dict[str, Any]:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "number",
        "operationType": "math",
        "isBucketed": False,
        "scale": "ratio",
        "params": {"tinymathAst": ast | {"location": {"min": 0, "max": len(text)}, "text": text}},
        "references": parts,
    }


def formula_columns(
    column_id: str,
    label: str,
    text: str,
    parts: list[dict[str, Any]],
    ast: Callable[[list[str]], dict[str, Any]],
    number_format: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """A Lens formula as Kibana persists it: the visible column, the hidden columns of its
    parts (`<id>X0`, `<id>X1`…) and the math column joining them, which the formula references.
    `ast` builds the formula's tinymath tree from the parts' column ids."""
    ids = [f"{column_id}X{index}" for index in range(len(parts) + 1)]
    hidden = f"Part of {label}"
    *part_ids, math_id = ids
    columns = {
        part_id: part | {"label": hidden} for part_id, part in zip(part_ids, parts, strict=True)
    }
    columns[math_id] = _math(hidden, text, ast(part_ids), part_ids)
    columns[column_id] = {
        "label": label,
        "customLabel": True,
        "dataType": "number",
        "operationType": "formula",
        "isBucketed": False,
        "scale": "ratio",
        "params": {"formula": text, "isFormulaBroken": False, "format": number_format},
        "references": [math_id],
    }
    return columns


def answered_share(column_id: str, label: str) -> dict[str, dict[str, Any]]:
    """Share of the rows' posts that have an answer, shown as a percentage."""
    answered = count_column("") | {
        "filter": {"query": ANSWERED, "language": "kuery"},
        "params": {"emptyAsNull": False},
    }
    every = count_column("") | {"params": {"emptyAsNull": False}}
    return formula_columns(
        column_id,
        label,
        f"count(kql='{ANSWERED}') / count()",
        [answered, every],
        lambda ids: {"type": "function", "name": "divide", "args": ids},
        {"id": "percent", "params": {"decimals": 0}},
    )


def median_delay_hours(column_id: str, label: str) -> dict[str, dict[str, Any]]:
    """Median delay of the answers, in hours (the index keeps seconds)."""
    median = {
        "label": "",
        "customLabel": True,
        "dataType": "number",
        "operationType": "median",
        "isBucketed": False,
        "scale": "ratio",
        "sourceField": "answer_delay_s",
        "params": {"emptyAsNull": True},
    }
    return formula_columns(
        column_id,
        label,
        f"median(answer_delay_s) / {SECONDS_PER_HOUR}",
        [median],
        lambda ids: {"type": "function", "name": "divide", "args": [*ids, SECONDS_PER_HOUR]},
        {"id": "number", "params": {"decimals": 1}},
    )


def answers_table(
    object_id: str, title: str, data_view_id: str, field: str, label: str, size: int
) -> Any:
    """Questions and complaints per value of `field` (branch, network): how many, the share
    the library's accounts answered, and the median delay of those answers in hours."""
    layer = f"answers-{field}"
    columns = {
        "group": terms_column(field, label, size=size, order_by="posts"),
        "posts": count_column("Questions et plaintes"),
        **answered_share("share", "Part répondue"),
        **median_delay_hours("delay", "Délai médian de réponse (h)"),
    }
    shown = ["group", "posts", "share", "delay"]  # the formulas' parts stay hidden
    visualization = {
        "layerId": layer,
        "layerType": "data",
        "columns": [{"columnId": column} for column in shown],
    }
    return lens_object(
        object_id=object_id,
        title=title,
        visualization_type="lnsDatatable",
        layer_id=layer,
        columns=columns,
        visualization=visualization,
        data_view_id=data_view_id,
        query=ANSWERABLE,
    )
