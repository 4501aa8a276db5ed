"""The shared part of building a model from a TARA document: problems, ids, references and ratings."""

from __future__ import annotations

import re
from collections.abc import Iterable

from opencsms.engine.catalogue import annex5
from opencsms.engine.errors import Problem
from opencsms.engine.method.profile import MethodProfile
from opencsms.engine.tara import model as m
from opencsms.engine.tara_as_code import schema as s
from opencsms.engine.yamlsafe import Document, Path

LATE_KIND = "attack step"  # declared while the threat scenarios are built, after every other id
_CVSS = re.compile(r"^AV:([NALP])/AC:([LH])/PR:([NLH])/UI:([NR])(?:/S:([UC]))?$")


class BuilderBase:
    """Collects problems (with positions) instead of raising, so a user sees all of them in one run."""

    def __init__(
        self,
        method: s.MethodDoc,
        source: Document,
        profile: MethodProfile,
        generating: bool = False,
        declared: tuple[dict[str, str], dict[str, tuple[int, int]]] | None = None,
    ) -> None:
        """`declared`: the ids already declared (id -> kind, id -> position), taken over, not copied."""
        self.generating = generating
        self.source, self.profile = source, profile
        self.problems: list[Problem] = []
        self.kinds: dict[str, str] = declared[0] if declared else {}  # id -> collection it belongs to
        self.locations: dict[str, tuple[int, int]] = declared[1] if declared else {}
        self.unresolved: set[str] = set()  # ids referred to leniently but not declared (obsolete threats)
        self.declared_here: list[str] = []  # the ids this builder declared, in order
        self.late_references = False  # a reference named an attack step (declared while building)
        self.default_method = m.FeasibilityMethod(method.feasibility)
        catalogue = annex5()
        self.annex5_ids = catalogue.threat_ids()
        self.mitigation_ids = {mit.id for mit in catalogue.mitigations}

    def problem(self, path: Path, rule: str, message: str) -> None:
        self.problems.append(self.source.problem(path, rule, message))

    def declare(self, element_id: str, kind: str, path: Path) -> None:
        if element_id in self.kinds:
            line, column = self.locations[element_id]
            self.problem(
                path, "duplicate-id", f"id {element_id!r} is already used at line {line}, column {column}"
            )
            return
        self.kinds[element_id] = kind
        self.locations[element_id] = self.source.where(path)
        self.declared_here.append(element_id)

    def ref(self, ref: str, kind: str, path: Path, lenient: bool = False) -> str:
        """Check a reference; `lenient` for obsolete generated threats, whose elements may be gone."""
        found = self.kinds.get(ref)
        if lenient and found is None:
            self.unresolved.add(ref)
        elif found != kind:
            self.late_references |= found == LATE_KIND
            what = f"is {_article(found)} {found}" if found else "is not defined"
            self.problem(path, "dangling-reference", f"{ref!r} {what}; expected {_article(kind)} {kind} id")
        return ref

    def refs(self, ids: Iterable[str], kind: str, path: Path, lenient: bool = False) -> tuple[str, ...]:
        return tuple(self.ref(ref, kind, (*path, i), lenient) for i, ref in enumerate(ids))

    # -- ratings -------------------------------------------------------------------------------------

    def potential(self, factors: dict[str, str], at: Path, partial: bool) -> dict[str, str]:
        table = self.profile.factor_values
        for factor, level in factors.items():
            if factor not in table:
                self.problem(
                    (*at, factor),
                    "unknown-factor",
                    f"{factor!r} is not an attack-potential factor; use {', '.join(table)}",
                )
            elif level not in table[factor]:
                self.problem(
                    (*at, factor),
                    "unknown-level",
                    f"{level!r} is not a level of {factor}; use one of {', '.join(table[factor])}",
                )
        missing = [f for f in table if f not in factors]
        if missing and not partial:
            self.problem(at, "missing-factor", f"attack potential needs {', '.join(missing)}")
        return dict(factors)

    def cvss(self, text: str, at: Path) -> m.Cvss | None:
        match = _CVSS.match(text.strip())
        if match is None:
            self.problem(
                at, "bad-cvss", f"{text!r} is not AV:[NALP]/AC:[LH]/PR:[NLH]/UI:[NR] with optional /S:[UC]"
            )
            return None
        av, ac, pr, ui, scope = match.groups()
        return m.Cvss(av, ac, pr, ui, scope == "C")

    def rating(self, doc: s.RatingDoc | s.NodeDoc, at: Path, partial: bool = False) -> m.Rating:
        potential = doc.attack_potential
        if potential is not None and not self.profile.factor_values:
            self.problem(
                (*at, "attack_potential"),
                "method-unavailable",
                f"{self.profile.urn} has no attack-potential table",
            )
            potential = None
        return m.Rating(
            attack_potential=self.potential(potential, (*at, "attack_potential"), partial)
            if potential
            else None,
            cvss=self.cvss(doc.cvss, (*at, "cvss")) if doc.cvss else None,
            vector=doc.vector,
        )


def _article(noun: str) -> str:
    """The indefinite article of a kind's name: "an asset", "a component"."""
    return "an" if noun[:1].lower() in "aeiou" else "a"
