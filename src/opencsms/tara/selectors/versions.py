"""Reads of a TARA's versions, the working state and its baselines: which version of what each is (its
document control: revision, review state, approver, content hash) and the report of any of them, named
after it (`connected-ev-r3-approved-1a2b3c4d.html`); and the page of one baseline."""

from __future__ import annotations

from dataclasses import dataclass

from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.core.spreadsheets import Download
from opencsms.engine.reports import FORMATS, MEDIA_TYPES, DocumentControl, render
from opencsms.tara.models import Baseline, State, Tara
from opencsms.tara.selectors.documents import (
    baseline,
    baselines,
    evaluated,
    evaluated_baseline,
    tara,
    version_baseline,
)

FORMAT_LABELS = {"html": "HTML", "xlsx": "XLSX", "json": "JSON", "md": "Markdown", "pdf": "PDF"}
NOT_APPROVED = "not approved"  # the review state of a baseline that no approval made


def _person(user: User | None) -> str | None:
    return None if user is None else (user.get_full_name() or user.username)


def _approval(tara_obj: Tara) -> Baseline | None:
    """The approval of the working state: the baseline its approval made (same revision and content)."""
    if tara_obj.state != State.APPROVED:
        return None
    found = baselines(tara_obj).filter(revision=tara_obj.revision, approved_by__isnull=False)
    return found.filter(content_sha256=tara_obj.content_sha256).first()


def control(tara_obj: Tara, frozen: Baseline | None) -> DocumentControl:
    """Which version of the TARA `frozen` is (None: the working state)."""
    if frozen is None:
        approval = _approval(tara_obj)
        at = approval.approved_at if approval else None
        return DocumentControl(
            name=tara_obj.name,
            reference=tara_obj.ref,
            revision=tara_obj.revision,
            state=State(tara_obj.state).label.lower(),
            approver=_person(approval.approved_by) if approval else None,
            content_hash=tara_obj.content_sha256,
            version="Working state",
            approved_at=at.isoformat(timespec="seconds") if at else None,
        )
    return DocumentControl(
        name=tara_obj.name,
        reference=tara_obj.ref,
        revision=frozen.revision,
        state=State.APPROVED.label.lower() if frozen.approved_by_id else NOT_APPROVED,
        approver=_person(frozen.approved_by),
        content_hash=frozen.content_sha256,
        version=f"Baseline {frozen.name}",
        approved_at=frozen.approved_at.isoformat(timespec="seconds") if frozen.approved_at else None,
    )


def report(tara_obj: Tara, fmt: str, version: str = "working") -> Download:
    """The TARA report of a version (`working` or `baseline:<id>`) in `fmt` (html, xlsx, json, md or
    pdf), with its document control block, named after it."""
    if fmt not in FORMATS:
        raise Invalid(f"format {fmt!r}: use one of {', '.join(FORMATS)}")
    frozen = version_baseline(tara_obj, version)
    result = evaluated(tara_obj) if frozen is None else evaluated_baseline(frozen)
    made = control(tara_obj, frozen)
    return Download(render(result, fmt, control=made), made.file_name(fmt), MEDIA_TYPES[fmt])


@dataclass(frozen=True)
class BaselinePage:
    tara: Tara
    baseline: Baseline
    control: DocumentControl
    formats: tuple[tuple[str, str], ...]  # (format, label) of the report downloads


def baseline_page(user: User, tara_id: int, baseline_id: int) -> BaselinePage:
    """One baseline: which version it is and the downloads of its report."""
    found = tara(user, tara_id)
    frozen = baseline(found, baseline_id)
    formats = tuple((fmt, FORMAT_LABELS[fmt]) for fmt in FORMATS)
    return BaselinePage(found, frozen, control(found, frozen), formats)
