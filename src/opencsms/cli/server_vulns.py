"""`opencsms server vulns ...`: vulnerability monitoring in the management system from the command line.

`rematch` re-derives the match keys of an organisation's stored components and advisories and matches
every release again, after an upgrade that changed the matching rules (docs/vulnerabilities.md, "Matching
rules"). The acting user (`--user`) needs edit rights on the organisation; the run is audited.

`sla` shows an organisation's remediation SLA and, given days, sets them (its administrators; audited; the
open findings' SLA due dates follow). `escalate` escalates the overdue findings at once, as the worker's
scheduler does once a day.
"""

from __future__ import annotations

from typing import Annotated

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
