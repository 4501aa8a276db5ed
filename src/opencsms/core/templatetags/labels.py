"""`{% load labels %}`: `{{ value|label }}` shows an engine value by its label (`very_low` -> "Very low"),
`{{ value|label:table }}` with the table of the TARA's method profile (`selectors.workspace.label_table`).
The words come from `engine.labels`, the one place that knows them."""

from __future__ import annotations

from django import template

from opencsms.engine.labels import label as engine_label

register = template.Library()


@register.filter
def label(value: object, table: dict[str, str] | None = None) -> str:
    return engine_label(value, table or None)
