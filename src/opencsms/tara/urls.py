"""URLs of the TARA workspace (namespace `tara`). `<kind:kind>` is a document list key, e.g.
threat_scenarios; the dashboard is wired at "/" by config/urls.py."""

from __future__ import annotations

from django.urls import path, register_converter

from opencsms.tara.models import Kind
from opencsms.tara.views import analysis, elements, pages, review, rules, traceability, trees

app_name = "tara"


class KindConverter:
    regex = "|".join(Kind.values)

    def to_python(self, value: str) -> Kind:
        return Kind(value)

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(KindConverter, "kind")

urlpatterns = [
    path("projects/<int:project_id>/taras/", pages.project_taras, name="project_taras"),
    path("projects/<int:project_id>/taras/new/", pages.create_tara, name="create"),
    path("projects/<int:project_id>/taras/import/", pages.import_tara, name="import"),
    path("projects/<int:project_id>/taras/imports/", pages.import_jobs, name="import_jobs"),
    path("organisations/<int:organisation_id>/threat-rules/", rules.rule_files, name="rule_files"),
    path("organisations/<int:organisation_id>/threat-rules/add/", rules.rule_file_upload, name="rule_upload"),
    path("threat-rules/<int:rule_file_id>.yaml", rules.rule_file_download, name="rule_download"),
    path("threat-rules/<int:rule_file_id>/delete/", rules.rule_file_delete, name="rule_delete"),
    path("taras/<int:tara_id>/", pages.overview, name="overview"),
    path("taras/<int:tara_id>/item/", pages.item_edit, name="item_edit"),
    path("taras/<int:tara_id>/export.yaml", pages.export_yaml, name="export"),
    path("taras/<int:tara_id>/report.<str:fmt>", pages.report, name="report"),
    path("taras/<int:tara_id>/diff/", pages.diff, name="diff"),
    path("taras/<int:tara_id>/submit/", review.submit, name="submit"),
    path("taras/<int:tara_id>/withdraw/", review.withdraw, name="withdraw"),
    path("taras/<int:tara_id>/return/", review.return_to_draft, name="return"),
    path("taras/<int:tara_id>/approve/", review.approve, name="approve"),
    path("taras/<int:tara_id>/baselines/", review.baseline_create, name="baseline_create"),
    path("taras/<int:tara_id>/baselines/<int:baseline_id>/", pages.baseline, name="baseline"),
    path(
        "taras/<int:tara_id>/baselines/<int:baseline_id>/report.<str:fmt>",
        pages.baseline_report,
        name="baseline_report",
    ),
    path("taras/<int:tara_id>/comments/", review.comments, name="comments"),
    path("taras/<int:tara_id>/comments/add/", review.comment_add, name="comment_add"),
    path("taras/<int:tara_id>/architecture/", analysis.architecture, name="architecture"),
    path("taras/<int:tara_id>/generation/", analysis.generation, name="generation"),
    path("taras/<int:tara_id>/generation/run/", analysis.generate, name="generate"),
    path("taras/<int:tara_id>/generation/decide/", analysis.decide, name="decide"),
    path("taras/<int:tara_id>/attack-paths/", analysis.paths, name="paths"),
    path("taras/<int:tara_id>/attack-paths/attach/", analysis.attach_paths, name="attach_paths"),
    path("taras/<int:tara_id>/annex5/", analysis.annex5, name="annex5"),
    path("taras/<int:tara_id>/annex5/not-applicable/", analysis.not_applicable, name="not_applicable"),
    path("taras/<int:tara_id>/traceability/", traceability.traceability, name="traceability"),
    path(
        "taras/<int:tara_id>/traceability.<str:fmt>", traceability.traceability_file, name="traceability_file"
    ),
    path("taras/<int:tara_id>/threat_scenarios/<str:ref>/tree/", trees.tree, name="tree"),
    path("taras/<int:tara_id>/threat_scenarios/<str:ref>/tree/edit/", trees.tree_edit, name="tree_edit"),
    path("taras/<int:tara_id>/<kind:kind>/", elements.element_list, name="elements"),
    path("taras/<int:tara_id>/<kind:kind>/export.<str:fmt>", elements.element_export, name="element_export"),
    path("taras/<int:tara_id>/<kind:kind>/bulk/", elements.element_bulk, name="element_bulk"),
    path("taras/<int:tara_id>/<kind:kind>/new/", elements.element_create, name="element_create"),
    path(
        "taras/<int:tara_id>/<kind:kind>/new/fields/",
        elements.element_create_fields,
        name="element_create_fields",
    ),
    path("taras/<int:tara_id>/<kind:kind>/<str:ref>/", elements.element_detail, name="element"),
    path("taras/<int:tara_id>/<kind:kind>/<str:ref>/edit/", elements.element_edit, name="element_edit"),
    path("taras/<int:tara_id>/<kind:kind>/<str:ref>/yaml/", elements.element_yaml, name="element_yaml"),
    path("taras/<int:tara_id>/<kind:kind>/<str:ref>/delete/", elements.element_delete, name="element_delete"),
    path("taras/<int:tara_id>/<kind:kind>/<str:ref>/undo/", elements.element_undo, name="element_undo"),
]
