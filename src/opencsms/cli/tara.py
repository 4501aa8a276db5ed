"""`opencsms tara ...`: TARA-as-code on YAML files, with the engine only (no Django, no database).

Exit codes: 0 passed; 1 the model breaks a rule of the method or a --fail-on gate; 2 the file cannot be
read (syntax, schema, references) or the command was misused.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from opencsms.cli.output import refusal, refusals, write_output
from opencsms.engine import EngineError, ParseError, TaraResult, evaluate
from opencsms.engine.analysis.attack_paths import paths_report
from opencsms.engine.reports import FORMATS, render
from opencsms.engine.tara.check_render import CHECK_FORMATS, render_check
from opencsms.engine.tara.diff import diff
from opencsms.engine.tara.diff_render import DIFF_FORMATS, render_diff
from opencsms.engine.tara.gates import failures, parse_gate
from opencsms.engine.tara.trace_render import TRACE_FORMATS, render_trace
from opencsms.engine.tara.traceability import traceability
from opencsms.engine.tara_as_code import json_schema, load_file
from opencsms.engine.threatgen import summary
from opencsms.engine.threatgen.attach import attach_paths, attach_summary
from opencsms.engine.threatgen.write import generate_file

BINARY = {"xlsx": "an xlsx workbook", "pdf": "a PDF document"}  # report formats not printed on a terminal

app = typer.Typer(
    help="TARA-as-code: check, report and compare ISO/SAE 21434 TARAs kept in YAML.", no_args_is_help=True
)
FileArg = Annotated[Path, typer.Argument(help="A TARA-as-code YAML file", show_default=False)]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _evaluate(path: Path) -> TaraResult:
    try:
        return evaluate(*load_file(path))
    except ParseError as exc:
        problems = refusal(exc)
        raise _fail(f"{problems}\n{path}: {len(exc.problems)} problem(s); nothing was evaluated") from None
    except EngineError as exc:
        raise _fail(f"{path}: {refusal(exc)}") from None


@app.command()
def check(
    file: FileArg,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="Also fail on: untreated>=N, risk>=N, residual>=N, unrated, warnings, uncovered-annex5, "
            "unmitigated-annex5 (repeatable)",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """Validate and evaluate a TARA; exit 1 on rule errors or failed gates (for CI)."""
    if fmt not in CHECK_FORMATS:
        raise _fail(f"unknown format {fmt!r}; use one of {', '.join(CHECK_FORMATS)}")
    with refusals():
        gates = [parse_gate(g) for g in fail_on or []]
    result = _evaluate(file)
    failed = {str(g): lines for g in gates if (lines := failures(result, g))}
    typer.echo(render_check(result, failed, fmt), nl=False)
    if result.errors or failed:
        raise typer.Exit(1)


@app.command()
def report(
    file: FileArg,
    fmt: Annotated[str, typer.Option("--format", "-f", help="html, xlsx, json, md or pdf")] = "html",
    out: Annotated[Path | None, typer.Option("--output", "-o", help="Output file (default: stdout)")] = None,
) -> None:
    """Write the TARA report: one section (or sheet) per work product WP-15-01..WP-15-08."""
    if fmt not in FORMATS:
        raise _fail(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if out is None and fmt in BINARY and sys.stdout.isatty():
        raise _fail(f"{BINARY[fmt]} is binary: give --output FILE.{fmt}")
    data = render(_evaluate(file), fmt)
    write_output(data, out, f"{len(data):,} bytes")


@app.command()
def trace(
    file: FileArg,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, xlsx or md")] = "csv",
    out: Annotated[Path | None, typer.Option("--output", "-o", help="Output file (default: stdout)")] = None,
) -> None:
    """Write the traceability matrix (asset -> damage scenario -> threat scenario -> goal or claim ->
    requirement -> control) with its gaps; the gap count goes to stderr."""
    if fmt not in TRACE_FORMATS:
        raise _fail(f"unknown format {fmt!r}; use one of {', '.join(TRACE_FORMATS)}")
    if out is None and fmt in BINARY and sys.stdout.isatty():
        raise _fail(f"{BINARY[fmt]} is binary: give --output FILE.{fmt}")
    matrix = traceability(_evaluate(file).model)
    data = render_trace(matrix, fmt)
    write_output(data, out, f"{len(matrix.rows)} rows")
    typer.echo(f"{len(matrix.gaps)} gap(s)", err=True)


@app.command(name="diff")
def diff_command(
    old: Annotated[Path, typer.Argument(help="The earlier TARA file")],
    new: Annotated[Path, typer.Argument(help="The later TARA file")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, md or json")] = "text",
    exit_code: Annotated[bool, typer.Option("--exit-code", help="Exit 1 when there are changes")] = False,
) -> None:
    """What changed between two versions of a TARA: elements, ratings, risks and treatments."""
    if fmt not in DIFF_FORMATS:
        raise _fail(f"unknown format {fmt!r}; use one of {', '.join(DIFF_FORMATS)}")
    changes = diff(_evaluate(old), _evaluate(new))
    typer.echo(render_diff(changes, fmt, str(old), str(new)), nl=False)
    if exit_code and not changes.empty:
        raise typer.Exit(1)


@app.command()
def generate(
    file: FileArg,
    rules: Annotated[
        list[Path] | None, typer.Option("--rules", help="A rule file of your own (repeatable)")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing")] = False,
    with_paths: Annotated[
        bool, typer.Option("--with-paths", help="Give each new threat scenario its best attack path, rated")
    ] = False,
) -> None:
    """Propose threat scenarios from the architecture; a regeneration keeps every human decision."""
    with refusals():
        plan = generate_file(file, tuple(rules or ()), write=not dry_run, with_paths=with_paths)
    typer.echo(summary(plan, str(file), written=not dry_run), nl=False)


@app.command()
def paths(
    file: FileArg,
    asset: Annotated[str | None, typer.Option("--asset", help="Only paths to this asset")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many best paths per asset")] = 1,
    threat: Annotated[
        str | None, typer.Option("--threat", help="Add the paths to this threat scenario")
    ] = None,
    with_controls: Annotated[
        bool, typer.Option("--with-controls", help="Rank with the controls in place")
    ] = False,
) -> None:
    """Attack paths from every entry point to each asset; --threat TS adds them as attack trees."""
    with refusals():
        if threat is not None:
            typer.echo(attach_summary(attach_paths(file, threat, k)), nl=False)
        else:
            typer.echo(paths_report(file, asset, k, with_controls), nl=False)


@app.command()
def new(
    file: Annotated[Path, typer.Argument(help="Where to write the starter TARA")] = Path("tara.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file")] = False,
) -> None:
    """Write a commented starter TARA that passes `opencsms tara check`."""
    if file.exists() and not force:
        raise _fail(f"{file} exists; use --force to overwrite it")
    starter = resources.files("opencsms.engine.tara_as_code") / "starter.tara.yaml"
    file.write_bytes(starter.read_bytes())
    typer.echo(f"wrote {file}; next: opencsms tara check {file}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the TARA-as-code format (for editors and CI)."""
    typer.echo(json.dumps(json_schema(), indent=2, sort_keys=True))
