"""Benchmark: uploads that meet a full disk answer 507 naming the problem, write nothing, leave no file.

    python bench/disk_full.py                           # PostgreSQL database wtfaults_load; needs root

It mounts a 2 MiB tmpfs as the upload folder (`OPENCSMS_UPLOAD_TEMP_DIR`: Django writes an upload over
2.5 MB there while it reads the request), starts gunicorn (`opencsms server serve`'s command) on the
PostgreSQL database, and sends over the API a TARA import, an SBOM upload and an advisory import of 3-6 MB
each, then a small SBOM (kept in memory) that must still be stored. Printed per upload: the status, the
answer's message, whether the server's log names the request id, the rows written, the files left in the
folder. The tmpfs is unmounted at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from server_kill import advisories, multipart, sbom, wait_answer  # noqa: E402

MOUNT, UMOUNT = shutil.which("mount") or "/usr/bin/mount", shutil.which("umount") or "/usr/bin/umount"
Upload = tuple[str, str, dict[str, str], str, bytes]  # (what, API path, form fields, file name, content)


def send(port: int, token: str, path: str, form: tuple[bytes, str], request_id: str) -> tuple[int, str]:
    body, kind = form
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": kind, "X-Request-ID": request_id}
    connection.request("POST", path, body, headers)
    answer = connection.getresponse()
    return answer.status, answer.read().decode(errors="replace")


def counts() -> tuple[int, ...]:
    from opencsms.core.models import ChangeRecord
    from opencsms.tara.models import ImportJob, Tara
    from opencsms.vulns.models import Advisory, Release

    return tuple(m.objects.count() for m in (ChangeRecord, Tara, ImportJob, Release, Advisory))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/wtfaults_load")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="opencsms-full-"))
    subprocess.run([MOUNT, "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], check=True)
    try:
        return run(args, folder)
    finally:
        subprocess.run([UMOUNT, str(folder)], check=True)
        folder.rmdir()


def prepare(database_url: str, folder: Path, run_id: str) -> tuple[str, list[Upload]]:
    """Django on the database with the full upload folder; a token, and the uploads into a new project."""
    from stored_tara import bench_user, set_up

    os.environ["OPENCSMS_UPLOAD_TEMP_DIR"] = str(folder)
    set_up(database_url)
    from django.db import connection

    from opencsms.core.audit import correlation
    from opencsms.core.services import create_api_token
    from opencsms.engine.tara_as_code import dumps
    from opencsms.organisation import services as organisation_services
    from tara_scale import synthetic_model

    with correlation():
        person = bench_user()
        _, token = create_api_token(actor=person, name=f"disk-{run_id}")
        org = organisation_services.create_organisation(actor=person, name=f"Disk {run_id}")
        unit = organisation_services.create_business_unit(actor=person, organisation_id=org.pk, name="BU")
        project = organisation_services.create_project(actor=person, business_unit_id=unit.pk, name="P")
    connection.close()
    p, tara = project.pk, dumps(synthetic_model(2500)).encode()
    return token, [
        ("TARA import", f"/api/v1/projects/{p}/taras", {}, "big.tara.yaml", tara),
        ("SBOM upload", f"/api/v1/projects/{p}/releases", {"name": "ecu", "version": "1"}, "big.cdx.json",
         sbom(20000)),
        ("advisory import", f"/api/v1/projects/{p}/advisories", {}, "big.osv.json", advisories(12000)),
        ("small SBOM", f"/api/v1/projects/{p}/releases", {"name": "small", "version": "1"}, "small.cdx.json",
         sbom(50)),
    ]  # fmt: skip


def refused(port: int, token: str, upload: Upload, where: tuple[Path, Path], request_id: str) -> bool:
    """Send one large upload to the full disk: True when it is refused cleanly (printed)."""
    what, path, fields, name, content = upload
    folder, log = where
    before = counts()
    status, text = send(port, token, path, multipart(fields, name, content), request_id)
    time.sleep(0.5)  # the log line is written before the answer; let the file catch up
    logged = f"answered 507 (request id {request_id})" in log.read_text(errors="replace")
    left = [entry.name for entry in folder.iterdir()]
    written = [a - b for a, b in zip(counts(), before, strict=True)]
    detail = json.loads(text).get("detail", text) if status == 507 else text[:120]
    print(f"{what} ({len(content) / 1e6:.1f} MB): {status} {detail!r}")
    print(f"    logged with the request id: {'yes' if logged else 'NO'}; rows written: "
          f"{sum(written)}; files left in the upload folder: {len(left)}")  # fmt: skip
    return status == 507 and logged and not any(written) and not left


def run(args: argparse.Namespace, folder: Path) -> int:
    from opencsms.cli.server import gunicorn_command
    from web_load import _free_port

    run_id = uuid.uuid4().hex[:8]
    token, uploads = prepare(args.database_url, folder, run_id)
    port, log = _free_port(), ROOT / "var/bench/disk_full.server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        server = subprocess.Popen(gunicorn_command(host="127.0.0.1", port=port, workers=2),
                                  env=dict(os.environ), cwd=ROOT, stdout=out, stderr=out)  # fmt: skip
    try:
        wait_answer(port)
        ok = True
        for number, upload in enumerate(uploads[:-1]):
            ok = refused(port, token, upload, (folder, log), f"disk-full-{run_id}-{number}") and ok
        _, path, fields, name, content = uploads[-1]
        status, _ = send(port, token, path, multipart(fields, name, content), f"disk-ok-{run_id}")
        print(f"a small SBOM (kept in memory) on the same full disk: {status}")
        ok = ok and status == 201
    finally:
        server.terminate()
        server.wait(timeout=60)
    verdict = "yes" if ok else "NO"
    print(f"every upload refused cleanly (507, logged, nothing written, no file left): {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
