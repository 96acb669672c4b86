"""JSON Schema of the data files, from the pydantic models, for editors (YAML language servers)."""

from __future__ import annotations

from typing import Any

from tsunagu.domain.descriptions import describe_models
from tsunagu.domain.errors import TsunaguError
from tsunagu.domain.models import Notice, Physician, Provider, Site


def json_schemas() -> dict[str, dict[str, Any]]:
    """One JSON Schema per kind of data file, with the Japanese description of every field."""
    describe_models()
    out = {}
    for name, model in (("site", Site), ("provider", Provider), ("physician", Physician), ("notice", Notice)):
        schema = model.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"tsunagu/{name}.schema.json"
        out[name] = schema
    return out


START, END = "<!-- fields:start (tsunagu schema --doc) -->", "<!-- fields:end -->"


def with_field_reference(text: str) -> str:
    """A Markdown text with its generated field tables (between START and END) brought up to date."""
    from tsunagu.domain.descriptions import field_reference

    if START not in text or END not in text:
        raise TsunaguError(f"the file has no {START} … {END} markers for the field tables")
    head, rest = text.split(START, 1)
    return f"{head}{START}\n{field_reference()}{END}{rest.split(END, 1)[1]}"
