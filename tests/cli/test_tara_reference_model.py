"""The issue's 'done when' on the reference model: generate, reject two, change the architecture,
regenerate and find the rejections kept; the Annex 5 gate passes on the shipped model."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from opencsms.cli.main import app
from tests.paths import REFERENCE

MODEL = REFERENCE
RUNNER = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = RUNNER.invoke(app, list(args))
    return result.exit_code, result.output


def _reject(text: str, threat_id: str, why: str) -> str:
    head, _, tail = text.partition(f"- id: {threat_id}\n")
    return f"{head}- id: {threat_id}\n" + tail.replace(
        "status: proposed", f"status: rejected\n    rationale: {why}", 1
    )


def test_shipped_model_passes_the_annex5_gates() -> None:
    code, out = run(
        "tara", "check", str(MODEL), "--fail-on", "uncovered-annex5", "--fail-on", "unmitigated-annex5"
    )
    assert code == 0, out
    assert "64 of 70 threats covered, 6 not applicable, 0 pending review, 0 uncovered" in out


def test_generate_reject_change_regenerate_keeps_the_rejections(tmp_path: Path) -> None:
    work = tmp_path / "ev.yaml"
    shutil.copy(MODEL, work)
    code, out = run("tara", "generate", str(work))
    assert code == 0, out
    added = int(re.match(r".*: (\d+) new", out.splitlines()[0]).group(1))  # type: ignore[union-attr]
    assert added >= 100
    assert "G-RELAY-REPLAY-A-21-RFKEY" in out
    text = work.read_text(encoding="utf-8")
    text = _reject(text, "G-EAVESDROPPING-A-12-CELL", "The identity key never leaves the TCU's HSM")
    text = _reject(text, "G-RADIO-JAMMING-A-20-CELL", "Local unlock does not depend on the cellular link")
    # the architecture changes: no updates through the OBD port any more; the TCU gets a service USB port
    text = text.replace(
        "external: true, tags: [update_channel], controls: [CTL-11]", "external: true, controls: [CTL-11]"
    )
    text = text.replace(
        "  - {id: OBD, name: OBD-II",
        "  - {id: USB-TCU, name: TCU service USB, kind: usb, "
        "components: [TCU], external: true}\n  - {id: OBD, name: OBD-II",
    )
    work.write_text(text, encoding="utf-8")
    code, out = run("tara", "generate", str(work))
    assert code == 0, out
    assert re.search(r": [1-9]\d* new, [1-9]\d* now obsolete", out.splitlines()[0]), out.splitlines()[0]
    assert (
        "+ G-MEDIA-INFECTION-A-01-USB-TCU: Telematics control unit infected from media on TCU service USB"
        in out
    )
    assert "- G-UPDATE-LOCAL-A-01-OBD: the architecture no longer matches; marked obsolete" in out
    text = work.read_text(encoding="utf-8")
    assert "rationale: The identity key never leaves the TCU's HSM" in text
    assert "rationale: Local unlock does not depend on the cellular link" in text
    code, out = run("tara", "check", str(work))
    assert code == 0, out  # proposals and obsolete ones are warnings for review, not errors
    assert "warning: threat/obsolete: G-UPDATE-LOCAL-A-01-OBD" in out
