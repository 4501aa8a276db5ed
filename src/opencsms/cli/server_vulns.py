"""`opencsms server vulns ...`: vulnerability monitoring in the management system from the command line.

`rematch` re-derives the match keys of an organisation's stored components and advisories and matches
every release again, after an upgrade that changed the matching rules (docs/vulnerabilities.md, "Matching
rules"). The acting user (`--user`) needs edit rights on the organisation; the run is audited.
`triage-vulnerability` triages a vulnerability once for the organisation's releases, or with `--release`
makes one release an exception (services/vulnerability_triage.py).
`sla` shows an organisation's remediation SLA and, given days, sets them (its administrators; audited; the
open findings' SLA due dates follow). `escalate` escalates the overdue findings at once, as the worker's
scheduler does once a day.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from opencsms.cli.server_tara import UserOption, _acting

app = typer.Typer(help="Vulnerability monitoring in the management system.", no_args_is_help=True)


@app.command("rematch")
def rematch_command(
    organisation: Annotated[int, typer.Option(help="The organisation's id")],
    user: UserOption,
    reread: Annotated[
        bool, typer.Option(help="Read each release's stored SBOM again for identifiers kept since")
    ] = False,
) -> None:
    """Re-match every release of the organisation against its stored advisories (after a rules change)."""
    with _acting(user) as actor:
        from opencsms.vulns.services import rematch_organisation

        result = rematch_organisation(actor=actor, organisation_id=organisation, reread=reread)
    typer.echo(f"{result.releases} releases, {result.components} components against {result.advisories} "
               f"advisories: {result.keys_changed} match keys re-derived, {result.findings_created} new "
               f"findings, {result.findings_updated} findings updated")  # fmt: skip


Text = Annotated[str, typer.Option()]
Day = Annotated[str, typer.Option(help="YYYY-MM-DD")]


def _triage(*, stage: str, vex_status: str, justification: str, decision: str, rationale: str,
            accepted_until: str, version: str) -> dict[str, Any]:  # fmt: skip
    import datetime as dt

    return {
        "stage": stage or None, "vex_status": vex_status, "justification": justification,
        "decision": decision, "rationale": rationale, "expected": version or None,
        "accepted_until": dt.date.fromisoformat(accepted_until) if accepted_until else None,
    }  # fmt: skip


@app.command("triage-vulnerability")
def triage_vulnerability_command(
    vulnerability: Annotated[str, typer.Argument(help="The CVE or advisory id (an alias resolves to it)")],
    *,
    organisation: Annotated[int, typer.Option(help="The organisation's id")],
    user: UserOption,
    vex_status: Annotated[str, typer.Option(help="not_affected, affected, fixed, under_investigation")],
    decision: Annotated[str, typer.Option(help="remediate, mitigate or accept (empty: none)")] = "",
    rationale: Text = "",
    stage: Annotated[str, typer.Option(help="Empty: decided with a decision, else analysed")] = "",
    justification: Annotated[str, typer.Option(help="With not_affected")] = "",
    accepted_until: Day = "",
    version: Annotated[str, typer.Option(help="The version the change is made from (0: none yet)")] = "",
    release: Annotated[int | None, typer.Option(help="Make this release an exception instead")] = None,
    owner: Annotated[str, typer.Option(help="The owner's user name (left out: nobody)")] = "",
) -> None:
    """Triage a vulnerability once for every release of the organisation (or, with --release, make that
    release an exception with its own triage); audited as the acting user."""
    values = _triage(stage=stage, vex_status=vex_status, justification=justification, decision=decision,
                     rationale=rationale, accepted_until=accepted_until, version=version)  # fmt: skip
    with _acting(user) as actor:
        from opencsms.core.errors import NotFound
        from opencsms.core.selectors import active_users
        from opencsms.vulns.models import Finding
        from opencsms.vulns.models.decisions import TriageValues
        from opencsms.vulns.services import set_triage_exception, triage_vulnerability

        if owner:
            values["owner_id"] = active_users().filter(username=owner).values_list("pk", flat=True).first()
            if values["owner_id"] is None:
                raise NotFound(f"no active user {owner!r}")
        row: TriageValues
        if release is None:
            row = triage_vulnerability(
                actor=actor,
                organisation_id=organisation,
                vulnerability_id=vulnerability,
                **values,
            )
            where = Finding.objects.filter(release__project__business_unit__organisation_id=organisation)
        else:
            row = set_triage_exception(
                actor=actor,
                release_id=release,
                vulnerability_id=vulnerability,
                **values,
            )
            where = Finding.objects.filter(release_id=release)
        carried = where.filter(vulnerability_id=row.vulnerability_id, decision=row.decision,
                               vex_status=row.vex_status).count()  # fmt: skip
    scope = "the organisation" if release is None else f"release {release} (an exception)"
    note = getattr(row, "note", "") or f"{carried} findings carry it"
    typer.echo(f"{row.vulnerability_id} triaged for {scope}: {row.vex_status}"
               f"{' / ' + row.decision if row.decision else ''}, version {row.version}; {note}")  # fmt: skip


Days = Annotated[int | None, typer.Option(help="Days (left out: unchanged)")]


@app.command("sla")
def sla_command(
    *,
    organisation: Annotated[int, typer.Option(help="The organisation's id")],
    user: UserOption,
    critical: Days = None,
    high: Days = None,
    medium: Days = None,
    low: Days = None,
    unknown: Days = None,
    kev: Days = None,
    escalation: Days = None,
) -> None:
    """Show the organisation's remediation SLA; with days given, set them (its administrators)."""
    given = {"critical": critical, "high": high, "medium": medium, "low": low, "unknown": unknown,
             "kev": kev, "escalation": escalation}  # fmt: skip
    terms = {name: days for name, days in given.items() if days is not None}
    with _acting(user) as actor:
        from opencsms.vulns.selectors import sla_policy
        from opencsms.vulns.services import set_sla_policy

        if terms:
            set_sla_policy(actor=actor, organisation_id=organisation, terms=terms)
        found = sla_policy(actor, organisation)
    days = ", ".join(f"{name} {value}" for name, value in found.terms.model_dump().items())
    typer.echo(f"SLA of {found.organisation.name} (version {found.version}; {found.source}): {days}")


@app.command("escalate")
def escalate_command() -> None:
    """Escalate the overdue findings now (the worker's scheduler does it once a day)."""
    from opencsms.cli.django_setup import setup_django

    setup_django()
    from opencsms.core.audit import correlation
    from opencsms.vulns.services import escalate_overdue

    with correlation():
        escalated = escalate_overdue()
    typer.echo(f"{escalated} overdue findings escalated")
