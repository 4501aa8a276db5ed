"""TARA-as-code: the YAML file format, its JSON Schema, reading with located errors, and writing."""

from opencsms.engine.tara_as_code.io import dumps, load_file, parse
from opencsms.engine.tara_as_code.schema import json_schema

__all__ = ["dumps", "json_schema", "load_file", "parse"]
