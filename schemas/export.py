"""Writes the JSON Schema of each contract under `schemas/json/`, for consumers outside Python.

Run `python -m schemas.export` after changing a model; a test fails while the files drift.
"""

import json
from pathlib import Path

from pydantic import BaseModel

from schemas.alert import Alert
from schemas.label import Correction
from schemas.mention import EnrichedMention, RawMention
from schemas.summary import WeeklySummary

CONTRACTS: dict[str, type[BaseModel]] = {
    "raw-mention": RawMention,
    "enriched-mention": EnrichedMention,
    "alert": Alert,
    "weekly-summary": WeeklySummary,
    "correction": Correction,
}
JSON_DIR = Path(__file__).parent / "json"


def render(model: type[BaseModel]) -> str:
    schema = model.model_json_schema(mode="serialization")
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> None:
    JSON_DIR.mkdir(exist_ok=True)
    for name, model in CONTRACTS.items():
        (JSON_DIR / f"{name}.schema.json").write_text(render(model), encoding="utf-8")


if __name__ == "__main__":
    main()
