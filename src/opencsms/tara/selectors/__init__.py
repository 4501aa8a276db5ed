"""Reads of the TARA app, one module per noun; import them from here.

- `documents`: TARAs and their elements scoped to the user, the document, its evaluation, baselines, diffs.
- `pages`: what the web pages show, shaped for display (the TARA overview, the project's TARA list, the
  dashboard); `workspace`: element lists and details, the attack tree with per-path feasibility, the
  method profile's levels for form selects. Views make one call here and render.
"""

from opencsms.tara.selectors.documents import (
    MAX_UPLOAD_BYTES,
    SORTS,
    ElementFilter,
    baseline,
    baselines,
    compare,
    diff_data,
    document,
    element,
    elements,
    evaluated,
    export_yaml,
    findings,
    import_job,
    report,
    tara,
    taras,
)
from opencsms.tara.selectors.pages import dashboard, diff_page, project_taras, tara_page
from opencsms.tara.selectors.workspace import element_detail, element_list, levels

__all__ = [
    "MAX_UPLOAD_BYTES",
    "SORTS",
    "ElementFilter",
    "baseline",
    "baselines",
    "compare",
    "dashboard",
    "diff_data",
    "diff_page",
    "document",
    "element",
    "element_detail",
    "element_list",
    "elements",
    "evaluated",
    "export_yaml",
    "findings",
    "import_job",
    "levels",
    "project_taras",
    "report",
    "tara",
    "tara_page",
    "taras",
]
