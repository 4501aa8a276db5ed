"""`opencsms server vulns ...`: vulnerability monitoring in the management system from the command line.

`rematch` re-derives the match keys of an organisation's stored components and advisories and matches
every release again, after an upgrade that changed the matching rules (docs/vulnerabilities.md, "Matching
rules"). The acting user (`--user`) needs edit rights on the organisation; the run is audited.
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
