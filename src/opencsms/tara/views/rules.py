"""An organisation's own threat rule files: the list with the upload form (loaded into the organisation's
page by htmx), a file's download, its removal. Parse, one selector or service call, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from opencsms.core.access import needs
from opencsms.core.forms import checked
from opencsms.core.http import actor, attachment, page_or_partial
from opencsms.organisation.access import Perm
from opencsms.tara import selectors, services
from opencsms.tara.forms import RuleFileForm


@needs(Perm.VIEW, on="organisation")
def rule_files(request: HttpRequest, organisation_id: int) -> HttpResponse:
    page = selectors.rule_files_page(actor(request), organisation_id)
    context = {"page": page, "form": RuleFileForm()}
    return page_or_partial(request, "tara/rule_files.html", "tara/_rule_files.html", context)


@require_POST
@needs(Perm.EDIT, on="organisation")
def rule_file_upload(request: HttpRequest, organisation_id: int) -> HttpResponse:
    upload = checked(RuleFileForm(request.POST, request.FILES))["file"]
    rule_file = services.upload_rule_file(
        actor=actor(request), organisation_id=organisation_id, raw=upload.read(), filename=upload.name
    )
    messages.success(request, f"Threat rules {rule_file.name} {rule_file.version}: {rule_file.rules} rules.")
    return redirect("tara:rule_files", organisation_id)


@needs(Perm.VIEW, on="rule_file")
def rule_file_download(request: HttpRequest, rule_file_id: int) -> HttpResponse:
    rule_file = selectors.rule_file(actor(request), rule_file_id)
    name = f"{rule_file.urn.rsplit(':', 1)[-1]}.yaml"
    return attachment(rule_file.content, name, "application/yaml; charset=utf-8")


@require_POST
@needs(Perm.EDIT, on="rule_file")
def rule_file_delete(request: HttpRequest, rule_file_id: int) -> HttpResponse:
    rule_file = services.delete_rule_file(actor=actor(request), rule_file_id=rule_file_id)
    messages.success(request, f"Threat rules {rule_file.name} removed; threat scenarios they proposed stay.")
    return redirect("tara:rule_files", rule_file.organisation_id)
