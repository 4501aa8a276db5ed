"""The one error vocabulary of services: `config/api.py` maps it to JSON `{"code", "detail"}` once.

A service raises `NotFound` for an object outside the actor's scope (it is not revealed), Django's
`PermissionDenied` for a visible object the actor may not change, `Conflict` when the state forbids the change
and `Invalid` when the input is well-formed but not acceptable. An engine refusal becomes `Invalid` in one
place, `from_engine`, so pages, API and server commands word it alike.
"""

from __future__ import annotations

from typing import NamedTuple

from opencsms.engine.errors import EngineError


class DomainError(Exception):
    """A refusal a person can act on; `detail` is shown to them as it is."""

    status = 400
    code = "domain_error"

    def __init__(self, detail: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = fields or {}  # input name -> its problem, shown beside the input on a page


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Stale(Conflict):
    """The change was made from an older version of the object than the stored one (someone else saved it
    in between): nothing was written. `current` is the stored version (an entity tag), `differences`
    each field where the stored value and the caller's differ, as (field, stored, the caller's), and
    `saved_by` who made the last recorded change and when (from the audit trail), when known, and
    `changed_by` for each field who changed it since the caller's version ("them", "you", "both"), when
    that version's content is known."""

    code = "stale_version"

    def __init__(
        self,
        what: str,
        *,
        current: str,
        differences: list[tuple[str, str, str]],
        saved_by: str = "",
        changed_by: dict[str, str] | None = None,
    ) -> None:
        by = f", saved by {saved_by}" if saved_by else ""
        super().__init__(
            f"{what} was changed by someone else since you opened it (it is now at version {current}{by}): "
            "nothing was saved; review their values and apply yours again"
        )
        self.current = current
        self.differences = differences
        self.saved_by = saved_by
        self.changed_by = changed_by or {}

    @property
    def rows(self) -> list[tuple[str, str, str, str]]:
        """Each difference with who changed the field since the caller's version ("" when unknown)."""
        return [
            (name, theirs, yours, self.changed_by.get(name, "")) for name, theirs, yours in self.differences
        ]


class StaleItem(NamedTuple):
    """One object of a change of many made from an older version of it (`StaleMany`)."""

    id: str
    what: str  # how a person names it ("finding 12 (CVE-2024-1 in ecu 1.0)")
    current: str  # its stored version
    saved_by: str  # who made its last recorded change and when, when known


class StaleMany(Conflict):
    """A change of many objects at once (a bulk triage) made from older versions of some of them than the
    stored ones (someone else saved them in between): nothing was written. `stale` names each such object
    (the first `len(stale)` of `count`), with its stored version and who saved it and when."""

    code = "stale_version"

    def __init__(self, what: str, stale: list[StaleItem], *, count: int, total: int) -> None:
        named = "; ".join(
            f"{item.what} is at version {item.current}" + (item.saved_by and f", saved by {item.saved_by}")
            for item in stale
        )
        more = f"; and {count - len(stale)} more" if count > len(stale) else ""
        super().__init__(
            f"nothing was saved: {count} of the {total} {what} chosen were changed by someone else since you "
            f"saw them: {named}{more}; reload the list, review their values and apply yours again"
        )
        self.stale = stale
        self.count = count


class Invalid(DomainError):
    status = 422
    code = "invalid"


class Throttled(DomainError):
    """Refused for now (too many attempts); try again later."""

    status = 429
    code = "throttled"


def from_database(exc: Exception) -> Invalid:
    """A value the database refused (`django.db.DataError`: too long for its column, out of range) as a
    person's error; the input checks name the field first, this is the safety net behind them."""
    return Invalid(f"a value does not fit where it is stored: {str(exc).strip()}")


def from_engine(exc: EngineError, what: str = "") -> Invalid:
    """The engine's refusal as a person's error: `what` could not be done (e.g. "the file is not a valid
    TARA"), then the engine's words (`EngineError.describe`: its problems, located, at most
    `engine.errors.SHOWN_PROBLEMS` of them and how many more)."""
    text = exc.describe()
    return Invalid(f"{what}: {text}" if what else text)
