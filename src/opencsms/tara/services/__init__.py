"""Writes of the TARA app, one module per noun; import them from here."""

from opencsms.tara.services.bulk import bulk_delete_elements, bulk_edit_elements
from opencsms.tara.services.comments import add_comment
from opencsms.tara.services.documents import import_if_missing, import_tara
from opencsms.tara.services.elements import create_element, delete_element, update_element, update_header
from opencsms.tara.services.generation import decide_threats, generate_threats
from opencsms.tara.services.imports import (
    import_job_status,
    import_or_queue,
    request_import,
    run_import,
    sweep_imports,
    sweep_project_imports,
)
from opencsms.tara.services.paths import attach_paths
from opencsms.tara.services.review import (
    approve,
    create_baseline,
    return_to_draft,
    submit_for_review,
    withdraw_from_review,
)
from opencsms.tara.services.rules import MAX_RULE_FILE_BYTES, delete_rule_file, upload_rule_file
from opencsms.tara.services.starting import create_tara
from opencsms.tara.services.trees import edit_attack_tree, rate_attack_steps
from opencsms.tara.services.undo import undo_last_change

__all__ = [
    "MAX_RULE_FILE_BYTES",
    "add_comment",
    "approve",
    "attach_paths",
    "bulk_delete_elements",
    "bulk_edit_elements",
    "create_baseline",
    "create_element",
    "create_tara",
    "decide_threats",
    "delete_element",
    "delete_rule_file",
    "edit_attack_tree",
    "generate_threats",
    "import_if_missing",
    "import_job_status",
    "import_or_queue",
    "import_tara",
    "rate_attack_steps",
    "request_import",
    "return_to_draft",
    "run_import",
    "submit_for_review",
    "sweep_imports",
    "sweep_project_imports",
    "undo_last_change",
    "update_element",
    "update_header",
    "upload_rule_file",
    "withdraw_from_review",
]
