"""JSON Schema for the record kinds, generated from the models (`briefgen schema`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from briefgen.desk.gazetteer import Gazetteer
from briefgen.desk.models import BriefRecord, DistributionList, SourceRecord
from briefgen.desk.settings import Settings

SCHEMA_KINDS: dict[str, type[BaseModel]] = {
    "source": SourceRecord,
    "brief": BriefRecord,
    "list": DistributionList,
    "settings": Settings,
    "gazetteer": Gazetteer,
}
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(kind: str | None) -> dict[str, Any]:
    """The schema of one record kind, or (kind None) of any record file: source, brief or list."""
    if kind is not None:
        schema = SCHEMA_KINDS[kind].model_json_schema(by_alias=True)
        return {"$schema": _DIALECT, **schema}
    models: list[type[BaseModel]] = [SourceRecord, BriefRecord, DistributionList]
    refs, combined = models_json_schema([(m, "validation") for m in models], by_alias=True)
    return {
        "$schema": _DIALECT,
        "title": "briefgen record",
        "anyOf": [refs[(m, "validation")] for m in models],
        **combined,
    }
