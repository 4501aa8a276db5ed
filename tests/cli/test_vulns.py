"""`opencsms vulns scan` and `opencsms vulns index build` with CliRunner, and a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opencsms.cli.main import app
from tests.paths import GOLDEN

INPUTS = GOLDEN / "vulns" / "inputs"
runner = CliRunner()


@pytest.fixture
def firmware(tmp_path: Path) -> Path:
    """A CycloneDX SBOM of an ECU with xz 5.6.1 (CVE-2024-3094) and NIO Aspen 3.2 (CVE-2023-24256)."""
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": [
            {
                "bom-ref": "xz",
                "name": "xz",
                "version": "5.6.1",
                "cpe": "cpe:2.3:a:tukaani:xz:5.6.1:*:*:*:*:*:*:*",
            },
            {
                "bom-ref": "os",
                "name": "aspen",
                "version": "3.2.0",
                "cpe": "cpe:2.3:o:nio:aspen:3.2.0:*:*:*:*:*:*:*",
            },
            {"bom-ref": "zlib", "name": "zlib", "version": "1.3.1", "purl": "pkg:generic/zlib@1.3.1"},
        ],
    }
    path = tmp_path / "ecu.cdx.json"
    path.write_text(json.dumps(bom))
    return path


def _scan(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["vulns", "scan", *args])
    return result.exit_code, result.output


def test_scan_table_and_fail_on(firmware: Path) -> None:
    code, output = _scan(str(firmware), "--advisories", str(INPUTS))
    assert code == 0
    assert "CVE-2024-3094" in output
    assert "CVE-2023-24256" in output
    assert output.rstrip().endswith("2 finding(s), 2 open")
    assert _scan(str(firmware), "-a", str(INPUTS), "--fail-on", "critical")[0] == 1  # xz is 10.0
    assert (
        _scan(str(firmware), "-a", str(INPUTS / "nvd-2.0-CVE-2023-24256-nio.json"), "--fail-on", "critical")[
            0
        ]
        == 0
    )  # Aspen is HIGH only


def test_scan_json_with_vex_kev_and_epss(firmware: Path, tmp_path: Path) -> None:
    vex = tmp_path / "vex.json"
    vex.write_text(
        json.dumps(
            {
                "@context": "https://openvex.dev/ns/v0.2.0",
                "statements": [
                    {
                        "vulnerability": {"name": "CVE-2024-3094"},
                        "products": ["xz"],
                        "status": "not_affected",
                        "justification": "vulnerable_code_not_in_execute_path",
                    }
                ],
            }
        )
    )
    kev = tmp_path / "kev.csv"
    kev.write_text("cveID,vendorProject,product,dateAdded\nCVE-2024-3094,Tukaani,xz,2024-04-01\n")
    epss = tmp_path / "epss.csv"
    epss.write_text(
        "#model_version:v2023.03.01,score_date:2099-01-01\ncve,epss,percentile\nCVE-2024-3094,0.85,0.99\n"
    )
    out = tmp_path / "out.json"
    code, _ = _scan(
        str(firmware),
        "-a",
        str(INPUTS),
        "--vex",
        str(vex),
        "--kev",
        str(kev),
        "--epss",
        str(epss),
        "-f",
        "json",
        "-o",
        str(out),
        "--fail-on",
        "critical",
    )
    assert code == 0  # the critical one is VEX'd not affected
    rows = {row["id"]: row for row in json.loads(out.read_text())["findings"]}
    xz = rows["CVE-2024-3094"]
    assert (xz["status"], xz["kev"], xz["epss"], xz["score"]) == ("not_affected", "2024-04-01", 0.85, 10.0)
    assert xz["evidence"][0]["kind"] == "cpe"


@pytest.mark.parametrize("fmt", ["openvex", "cyclonedx-vex", "csaf-vex"])
def test_scan_writes_vex_documents(firmware: Path, fmt: str) -> None:
    code, output = _scan(str(firmware), "-a", str(INPUTS), "-f", fmt)
    assert code == 0
    document = json.loads(output)
    assert "cpe:2.3:a:tukaani:xz:5.6.1" in json.dumps(document)


def test_index_build_then_scan_gives_the_same_findings(firmware: Path, tmp_path: Path) -> None:
    index = tmp_path / "advisories.idx"
    result = runner.invoke(app, ["vulns", "index", "build", str(INPUTS), "--output", str(index)])
    assert result.exit_code == 0, result.output
    assert "advisories" in result.output
    direct = json.loads(_scan(str(firmware), "-a", str(INPUTS), "-f", "json")[1])
    indexed = json.loads(_scan(str(firmware), "--index", str(index), "-f", "json")[1])
    assert direct == indexed


def test_refusals_exit_2_with_the_problem(tmp_path: Path, firmware: Path) -> None:
    broken = tmp_path / "broken.cdx.json"
    broken.write_text('{"bomFormat": "CycloneDX", ')
    code, output = _scan(str(broken), "-a", str(INPUTS))
    assert code == 2
    assert "broken.cdx.json" in output
    assert "json-syntax" in output
    assert _scan(str(firmware))[0] == 2  # no advisories given
    assert _scan(str(firmware), "-a", str(INPUTS), "--fail-on", "dreadful")[0] == 2
    assert _scan(str(firmware), "-a", str(INPUTS), "-f", "pdf")[0] == 2


def test_scan_in_a_subprocess_does_not_import_django(firmware: Path) -> None:
    code = (
        "import sys\nfrom opencsms.cli.main import app\n"
        f"try:\n    app(['vulns', 'scan', {str(firmware)!r}, '-a', {str(INPUTS)!r}, '-f', 'json'])\n"
        "except SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        "assert 'django' not in sys.modules\nassert 'opencsms.engine.tara' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["findings"]


def test_the_root_lists_every_sub_app() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("tara", "catalogue", "vulns", "server", "audit"):
        assert name in result.output


def test_index_build_from_a_rolie_feed_on_a_local_server(tmp_path: Path, firmware: Path) -> None:
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    site = tmp_path / "site"
    site.mkdir()
    (site / "nio.json").write_bytes((INPUTS / "csaf-icsa-20-098-05.json").read_bytes())
    (site / "feed.json").write_text(
        json.dumps({"feed": {"entry": [{"id": "x", "content": {"src": "nio.json"}}]}})
    )

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        index = tmp_path / "feeds.idx"
        url = f"http://127.0.0.1:{httpd.server_address[1]}/feed.json"
        result = runner.invoke(app, ["vulns", "index", "build", "--rolie", url, "--output", str(index)])
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result.exit_code == 0, result.output
    assert "1 advisories" in result.output


def test_scan_table_golden(firmware: Path, update_golden: bool) -> None:
    from tests.golden_files import compare_golden

    code, output = _scan(str(firmware), "-a", str(INPUTS))
    assert code == 0
    compare_golden(GOLDEN / "vulns" / "scan-table.txt", output.encode(), update_golden)
