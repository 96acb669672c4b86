"""JSON Schema of the data files, from the pydantic models, for editors (YAML language servers)."""

from __future__ import annotations

from typing import Any

from tsunagu.domain.models import Notice, Physician, Provider, Site


def json_schemas() -> dict[str, dict[str, Any]]:
    """One JSON Schema per kind of data file."""
    out = {}
    for name, model in (("site", Site), ("provider", Provider), ("physician", Physician), ("notice", Notice)):
        schema = model.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"tsunagu/{name}.schema.json"
        out[name] = schema
    return out
