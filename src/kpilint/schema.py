"""The JSON Schema of spec files, generated from the pydantic models."""

from __future__ import annotations

import json
from typing import Any

from kpilint.model import SpecDocument

SCHEMA_ID = "https://kpilint.dev/schemas/kpi-spec.schema.json"


def spec_schema() -> dict[str, Any]:
    """The schema for editors (completion, hover); kpilint's loader remains the authority."""
    schema = SpecDocument.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def spec_schema_text() -> str:
    """The schema as written to ``schemas/kpi-spec.schema.json``."""
    return json.dumps(spec_schema(), indent=2, ensure_ascii=False) + "\n"
