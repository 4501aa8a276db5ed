"""TARA-as-code: the YAML file format, its JSON Schema, reading with located errors, and writing."""

from opencsms.engine.tara_as_code.io import dump_data, dumps, load_file, parse, parse_data, read_document
from opencsms.engine.tara_as_code.schema import json_schema

__all__ = ["dump_data", "dumps", "json_schema", "load_file", "parse", "parse_data", "read_document"]
