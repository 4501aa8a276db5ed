"""Reads of the TARA app, one module per noun; import them from here.

- `documents`: TARAs and their elements scoped to the user, the document, its evaluation, baselines, diffs.
- `versions`: the working state and each baseline as a version: its document control (revision, review
  state, approver, content hash), its report named after it, a baseline's page.
- `analysis`: the architecture picture, threat generation, attack paths and UN R155 Annex 5 coverage.
- `rules`: threat rule files of an organisation's own, and the rule set a TARA generates with.
- `comments`: the comments on a TARA or an element; `review`: what is open when a TARA is approved (the
  checklist), the TARAs waiting for a person.
- `lists`: what a list's bulk actions apply to (ticked or all matching) and its CSV/XLSX download.
- `pages`: what the web pages show, shaped for display (the TARA overview, the project's TARA list, the
  dashboard); `traceability`: what refers to what, the traceability matrix and its downloads;
  `workspace`: element lists and details, the attack tree with per-path feasibility, the
  method profile's levels for form selects, the statuses a TARA's lists have. Views make one call here and
  render.
The working state a process keeps of a TARA for the next read or edit is `tara.working`, below both the
selectors and the services.
"""

from opencsms.tara.selectors.analysis import (
    ANNEX5_STATES,
    GENERATED_STATES,
    MAX_K,
    architecture_page,
    asset_paths,
    coverage,
    coverage_page,
    generated_threats,
    generation_page,
    generation_plan,
    paths_page,
)
from opencsms.tara.selectors.comments import CommentsPanel, comments, comments_panel
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
    revision_authors,
    tara,
    taras,
)
from opencsms.tara.selectors.lists import (
    Selection,
    list_export,
    selected_generated,
    selected_refs,
)
from opencsms.tara.selectors.pages import dashboard, diff_page, project_imports, project_taras, tara_page
from opencsms.tara.selectors.review import (
    OPEN_ITEMS,
    Checklist,
    OpenItem,
    checklist,
    returned_to,
    waiting_for_review,
)
from opencsms.tara.selectors.rules import (
    RuleFilesPage,
    organisation_rules,
    rule_file,
    rule_files,
    rule_files_page,
    rule_set,
    rule_texts,
)
from opencsms.tara.selectors.traceability import (
    ElementReferences,
    TracePage,
    element_references,
    reference_index,
    trace_file,
    trace_matrix,
    trace_page,
)
from opencsms.tara.selectors.versions import BaselinePage, baseline_page, report
from opencsms.tara.selectors.workspace import element_detail, element_list, levels, statuses

__all__ = [
    "ANNEX5_STATES",
    "GENERATED_STATES",
    "MAX_K",
    "MAX_UPLOAD_BYTES",
    "OPEN_ITEMS",
    "SORTS",
    "BaselinePage",
    "Checklist",
    "CommentsPanel",
    "ElementFilter",
    "ElementReferences",
    "OpenItem",
    "RuleFilesPage",
    "Selection",
    "TracePage",
    "architecture_page",
    "asset_paths",
    "baseline",
    "baseline_page",
    "baselines",
    "checklist",
    "comments",
    "comments_panel",
    "compare",
    "coverage",
    "coverage_page",
    "dashboard",
    "diff_data",
    "diff_page",
    "document",
    "element",
    "element_detail",
    "element_list",
    "element_references",
    "elements",
    "evaluated",
    "export_yaml",
    "findings",
    "generated_threats",
    "generation_page",
    "generation_plan",
    "import_job",
    "levels",
    "list_export",
    "organisation_rules",
    "paths_page",
    "project_imports",
    "project_taras",
    "reference_index",
    "report",
    "returned_to",
    "revision_authors",
    "rule_file",
    "rule_files",
    "rule_files_page",
    "rule_set",
    "rule_texts",
    "selected_generated",
    "selected_refs",
    "statuses",
    "tara",
    "tara_page",
    "taras",
    "trace_file",
    "trace_matrix",
    "trace_page",
    "waiting_for_review",
]
