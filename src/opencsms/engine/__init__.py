"""The OpenCSMS engine: pure Python, no Django. The ISO/SAE 21434 TARA method, its data and its reports,
and vulnerability monitoring (`sbom`, `advisories`, `matching`, `vex`).

The names below are loaded on first use (PEP 562), so importing one engine subpackage, e.g. for a
vulnerability scan, does not import the TARA method and its report libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from opencsms.engine.errors import CatalogueError, EngineError, ParseError, Problem, RuleViolation

if TYPE_CHECKING:
    from opencsms.engine.method import MethodProfile, load_profile
    from opencsms.engine.tara.evaluate import evaluate
    from opencsms.engine.tara.model import TaraModel
    from opencsms.engine.tara.result import TaraResult

_LAZY = {
    "MethodProfile": "opencsms.engine.method",
    "load_profile": "opencsms.engine.method",
    "evaluate": "opencsms.engine.tara.evaluate",
    "TaraModel": "opencsms.engine.tara.model",
    "TaraResult": "opencsms.engine.tara.result",
}

__all__ = [
    "CatalogueError",
    "EngineError",
    "MethodProfile",
    "ParseError",
    "Problem",
    "RuleViolation",
    "TaraModel",
    "TaraResult",
    "evaluate",
    "load_profile",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
