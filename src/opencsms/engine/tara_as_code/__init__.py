"""TARA-as-code: the YAML file format, its JSON Schema, reading with located errors, and writing."""

from opencsms.engine.tara_as_code.io import (
    Parsed,
    dump_data,
    dumps,
    load_file,
    parse,
    parse_data,
    parse_state,
    read_document,
)
from opencsms.engine.tara_as_code.schema import json_schema

__all__ = [
    "Parsed",
    "dump_data",
    "dumps",
    "json_schema",
    "load_file",
    "parse",
    "parse_data",
    "parse_state",
    "read_document",
]
