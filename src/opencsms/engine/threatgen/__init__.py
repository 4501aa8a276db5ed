"""Threat generation from the architecture: rules as data, matching, and regeneration that keeps decisions."""

from opencsms.engine.threatgen.duplicates import Duplicate, likely_duplicates
from opencsms.engine.threatgen.first_paths import first_paths
from opencsms.engine.threatgen.match import Proposal, propose
from opencsms.engine.threatgen.plan import GenerationPlan, plan_generation, proposal_data, summary
from opencsms.engine.threatgen.rules import RuleSet, load_rules, read_rule_file

__all__ = [
    "Duplicate",
    "GenerationPlan",
    "Proposal",
    "RuleSet",
    "first_paths",
    "likely_duplicates",
    "load_rules",
    "plan_generation",
    "proposal_data",
    "propose",
    "read_rule_file",
    "summary",
]
