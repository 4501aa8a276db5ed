"""`opencsms vulns ...`: vulnerability monitoring on files, with the engine only (no Django, no database).

ISO/SAE 21434 clause 8 and R155 7.2.2.2(g): scan SBOMs against advisories, apply VEX, attach KEV and EPSS,
write a table, JSON or a VEX document; build a local advisory index that makes repeated scans fast.

Exit codes: 0 no open finding at or above --fail-on (or no --fail-on); 1 open findings at or above
--fail-on; 2 an input was refused (unreadable, malformed, hostile) or the command was misused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from opencsms.cli.output import refusals, write_output
from opencsms.engine.advisories import AdvisoryRead, parse_epss, parse_kev, read_advisories
from opencsms.engine.advisories.feeds import sync_nvd, sync_osv_archive, sync_rolie
from opencsms.engine.advisories.store import AdvisoryStore, write_index
from opencsms.engine.errors import EngineError, ParseError
from opencsms.engine.sbom import load_sbom
from opencsms.engine.vex import parse_vex
from opencsms.engine.vulnscan import FORMATS, ScanInput, document_id, failing, parse_threshold, render, scan

app = typer.Typer(
    help="Vulnerability monitoring: scan SBOMs against advisories, apply VEX.", no_args_is_help=True
)
index_app = typer.Typer(help="A local advisory index for fast repeated scans.", no_args_is_help=True)
app.add_typer(index_app, name="index")

Paths = Annotated[list[Path], typer.Argument(help="Files, folders or zip archives", show_default=False)]


def _read(path: Path | None) -> bytes:
    if path is None:
        return b""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ParseError.single(str(path), "unreadable", exc.strerror or str(exc)) from None


def _request(
    *,
    sboms: list[Path],
    advisories: list[Path],
    index: Path | None,
    vex: list[Path],
    kev: Path | None,
    epss: Path | None,
) -> ScanInput:
    if not advisories and index is None:
        raise EngineError("give --advisories PATH (repeatable) or --index FILE")
    return ScanInput(
        sboms=[load_sbom(p) for p in sboms],
        advisories=read_advisories(advisories).advisories if advisories else (),
        store=AdvisoryStore(index) if index else None,
        vex=[s for p in vex for s in parse_vex(_read(p), str(p))],
        kev=parse_kev(_read(kev), str(kev)) if kev else {},
        epss=parse_epss(_read(epss), str(epss)) if epss else {},
    )


@app.command(name="scan")
def scan_command(
    sboms: Annotated[list[Path], typer.Argument(help="SBOM files (CycloneDX, SPDX)", show_default=False)],
    *,
    advisories: Annotated[
        list[Path] | None,
        typer.Option(
            "--advisories",
            "-a",
            help="Advisory files, folders or zips (OSV, NVD 2.0, CVE 5, CSAF); repeatable",
        ),
    ] = None,
    index: Annotated[Path | None, typer.Option("--index", help="An index from `vulns index build`")] = None,
    vex: Annotated[
        list[Path] | None, typer.Option("--vex", help="VEX documents to apply; repeatable")
    ] = None,
    kev: Annotated[Path | None, typer.Option("--kev", help="CISA KEV catalogue (JSON or CSV)")] = None,
    epss: Annotated[Path | None, typer.Option("--epss", help="FIRST EPSS scores (CSV)")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=", ".join(FORMATS))] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Output file (default: stdout)")
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on", help="Exit 1 on open findings at or above: any, low, medium, high, critical"
        ),
    ] = None,
    author: Annotated[str, typer.Option("--author", help="Author of VEX documents")] = "OpenCSMS",
) -> None:
    """Match SBOMs against advisories; apply VEX; attach KEV/EPSS; exit 1 on --fail-on (for CI)."""
    with refusals():
        threshold = parse_threshold(fail_on) if fail_on else None
        request = _request(
            sboms=sboms, advisories=advisories or [], index=index, vex=vex or [], kev=kev, epss=epss
        )
        findings = scan(request)
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        data = render(findings, fmt, timestamp=stamp, doc_id=document_id(findings), author=author)
    write_output(data, output, f"{len(findings)} finding(s)")
    if threshold is not None and (hits := failing(findings, threshold)):
        typer.echo(f"{len(hits)} open finding(s) at or above {threshold}", err=True)
        raise typer.Exit(1)


def _from_network(rolie: list[str], osv_archives: list[str], nvd: str | None, since: str) -> AdvisoryRead:
    """Advisories from the network sources named on the command line (engine.advisories.feeds)."""
    reads = [sync_rolie(url, since) for url in rolie] + [sync_osv_archive(url) for url in osv_archives]
    if nvd:
        reads.append(sync_nvd(nvd, since))
    return AdvisoryRead(
        tuple(a for r in reads for a in r.advisories), tuple(p for r in reads for p in r.skipped)
    )


@index_app.command(name="build")
def index_build(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files, folders or zip archives")] = None,
    *,
    output: Annotated[Path, typer.Option("--output", "-o", help="The index file to write")],
    rolie: Annotated[
        list[str] | None, typer.Option("--rolie", help="A CSAF ROLIE feed URL; repeatable")
    ] = None,
    osv_archive: Annotated[
        list[str] | None, typer.Option("--osv-archive", help="An OSV ecosystem all.zip URL; repeatable")
    ] = None,
    nvd: Annotated[str | None, typer.Option("--nvd", help="The NVD CVE API 2.0 URL")] = None,
    since: Annotated[str, typer.Option("--since", help="Only feed entries changed after (ISO 8601)")] = "",
) -> None:
    """Read advisories from files, folders, zips and feeds into one compact index file (SQLite, no pickle)."""
    with refusals(), _spinner() as note:
        files = read_advisories(paths or [], progress=note)
        note("fetching feeds")
        feeds = _from_network(rolie or [], osv_archive or [], nvd, since)
        note(f"writing {output}")
        output.parent.mkdir(parents=True, exist_ok=True)
        stored = write_index(files.advisories + feeds.advisories, output)
    skipped = len(files.skipped) + len(feeds.skipped)
    typer.echo(f"wrote {output}: {stored} advisories ({skipped} document(s) skipped as not advisories)")


@contextmanager
def _spinner() -> Iterator[Callable[[str], None]]:
    """A Rich spinner on stderr (when it is a terminal) showing what long work is doing."""
    from rich.console import Console  # noqa: PLC0415 - only for long work
    from rich.progress import Progress, SpinnerColumn, TextColumn  # noqa: PLC0415

    console = Console(stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"))
    with Progress(*columns, transient=True, console=console, disable=not console.is_terminal) as progress:
        task = progress.add_task("reading", total=None)
        yield lambda text: progress.update(task, description=text)
