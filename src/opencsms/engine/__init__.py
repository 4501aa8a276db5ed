"""The OpenCSMS engine: pure Python, no Django. The ISO/SAE 21434 TARA method, its data and its reports."""

from opencsms.engine.errors import CatalogueError, EngineError, ParseError, Problem, RuleViolation
from opencsms.engine.method import MethodProfile, load_profile
from opencsms.engine.tara.evaluate import evaluate
from opencsms.engine.tara.model import TaraModel
from opencsms.engine.tara.result import TaraResult

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
