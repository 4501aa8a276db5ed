"""The document control block: every format names the document, its revision, review state, approver and
content hash at its head, and the file name carries them."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from opencsms.engine.documents import FORMATS, Document, DocumentControl, render
from tests.golden_files import readable_text

HASH = "1a2b3c4d" + "e" * 56
CONTROL = DocumentControl(
    name="Connected EV <TARA>",
    reference="connected-ev",
    revision=3,
    state="approved",
    approver="Rita Reviewer",
    content_hash=HASH,
    version="Baseline r3 approved",
    approved_at="2026-12-01T10:00:00+00:00",
)
EXPECTED = ("Connected EV", "r3", "approved", "Rita Reviewer", HASH, "Baseline r3 approved", "2026-12-01")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_shows_the_document_control_block(document: Document, fmt: str) -> None:
    text = readable_text(render(replace(document, control=CONTROL), fmt), fmt)
    assert "Document control" in text or fmt == "json"
    for shown in EXPECTED:
        expected = '"revision": 3' if fmt == "json" and shown == "r3" else shown
        assert expected in text, f"{expected!r} missing from the {fmt} document"
    assert "Rita Reviewer" not in readable_text(render(document, fmt), fmt)


def test_the_html_block_is_escaped_and_marked(document: Document) -> None:
    html = render(replace(document, control=CONTROL), "html").decode()
    block = html.split('data-testid="document-control"')[1].split("</section>")[0]
    assert "<dt>Content hash (SHA-256)</dt><dd>" + HASH in block
    assert "Connected EV &lt;TARA&gt;" in block


def test_json_holds_the_control_as_data(document: Document) -> None:
    data = json.loads(render(replace(document, control=CONTROL), "json"))
    assert data["document_control"] == {
        "name": "Connected EV <TARA>",
        "reference": "connected-ev",
        "version": "Baseline r3 approved",
        "revision": 3,
        "state": "approved",
        "approver": "Rita Reviewer",
        "approved_at": "2026-12-01T10:00:00+00:00",
        "content_hash": HASH,
    }


def test_a_version_not_approved_says_so(document: Document) -> None:
    draft = replace(CONTROL, state="in review", approver=None, approved_at=None)
    text = render(replace(document, control=draft), "md").decode()
    assert "- **Approved by:** not approved" in text
    assert "Approved at" not in text


def test_the_file_name_carries_reference_revision_state_and_hash() -> None:
    assert CONTROL.file_name("html") == "connected-ev-r3-approved-1a2b3c4d.html"
    odd = replace(CONTROL, reference="EV/Gen 2 ../x", state="In review")
    assert odd.file_name("pdf") == "ev-gen-2-x-r3-in-review-1a2b3c4d.pdf"
