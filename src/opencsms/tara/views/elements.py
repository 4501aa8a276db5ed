"""Element lists (filters, sorting and pages through htmx, bookmarkable) and one element's panel with
its inline edits: the common fields of its kind, the whole element as YAML, create, delete and undo; a
list's bulk edit (ticked or all matching) and its CSV/XLSX download."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from opencsms.core.access import needs
from opencsms.core.forms import checked
from opencsms.core.http import actor, attachment, base_version, expected_version, go, page_or_partial
from opencsms.organisation.access import Perm
from opencsms.tara import selectors, services
from opencsms.tara.forms import SKELETONS, ElementForm, FilterForm, NewElementForm, YamlForm
from opencsms.tara.forms.bulk import BulkForm
from opencsms.tara.forms.new_fields import SpecForm
from opencsms.tara.models import Kind
from opencsms.tara.selectors.create_spec import SPECS


@needs(Perm.VIEW, on="tara")
def element_list(request: HttpRequest, tara_id: int, kind: Kind) -> HttpResponse:
    form = FilterForm(request.GET)
    listing = selectors.element_list(actor(request), tara_id, kind, form.to_filter(), request.GET.get("page"))
    context = {"listing": listing, "form": form, "skeleton": SKELETONS[kind]}
    return page_or_partial(request, "tara/element_list.html", "tara/_element_table.html", context)


@needs(Perm.VIEW, on="tara")
def element_export(request: HttpRequest, tara_id: int, kind: Kind, fmt: str) -> HttpResponse:
    """The filtered, sorted list (every page) as CSV or XLSX: the list's URL with `export.<fmt>`."""
    made = selectors.list_export(actor(request), tara_id, kind, FilterForm(request.GET).to_filter(), fmt)
    return attachment(made.content, made.filename, made.media_type)


@require_POST
@needs(Perm.EDIT, on="tara")
def element_bulk(request: HttpRequest, tara_id: int, kind: Kind) -> HttpResponse:
    """One change to the ticked elements, or to all matching the list's filter (every page), or their
    removal."""
    form = BulkForm(request.POST, kind.singular)
    fields, user = checked(form), actor(request)
    refs = selectors.selected_refs(user, tara_id, kind, form.selection())
    if fields["delete"]:
        removed = services.bulk_delete_elements(actor=user, tara_id=tara_id, kind=kind, refs=refs)
        messages.success(request, f"{removed} {kind.label.lower()} removed.")
    else:
        done = services.bulk_edit_elements(
            actor=user, tara_id=tara_id, kind=kind, refs=refs, changes=form.changes()
        )
        messages.success(request, f"{len(done)} {kind.label.lower()} changed: {', '.join(form.changes())}.")
    return redirect(f"{reverse('tara:elements', args=[tara_id, kind])}?{form.list_query()}")


@needs(Perm.VIEW, on="tara")
def element_detail(request: HttpRequest, tara_id: int, kind: Kind, ref: str) -> HttpResponse:
    detail = selectors.element_detail(actor(request), tara_id, kind, ref)
    return page_or_partial(request, "tara/element_detail.html", "tara/_element_panel.html", {"d": detail})


@require_POST
@needs(Perm.EDIT, on="tara")
def element_edit(request: HttpRequest, tara_id: int, kind: Kind, ref: str) -> HttpResponse:
    form = ElementForm(kind, request.POST)
    checked(form)
    services.update_element(
        actor=actor(request), tara_id=tara_id, kind=kind, ref=ref, changes=form.changes(),
        expected=expected_version(request), base=base_version(request),
    )  # fmt: skip
    return redirect("tara:element", tara_id, kind, ref)


@require_POST
@needs(Perm.EDIT, on="tara")
def element_yaml(request: HttpRequest, tara_id: int, kind: Kind, ref: str) -> HttpResponse:
    """The element made exactly the YAML (fields left out are removed)."""
    form = YamlForm(request.POST)
    checked(form)
    services.update_element(
        actor=actor(request), tara_id=tara_id, kind=kind, ref=ref, changes=form.changes(),
        expected=expected_version(request), base=base_version(request),
    )  # fmt: skip
    return redirect("tara:element", tara_id, kind, ref)


@require_POST
@needs(Perm.EDIT, on="tara")
def element_create(request: HttpRequest, tara_id: int, kind: Kind) -> HttpResponse:
    data = checked(YamlForm(request.POST))["yaml"]
    created = services.create_element(actor=actor(request), tara_id=tara_id, kind=kind, data=data)
    messages.success(request, f"{created.ref} created.")
    return redirect("tara:element", tara_id, kind, created.ref)


@require_POST
@needs(Perm.EDIT, on="tara")
def element_create_fields(request: HttpRequest, tara_id: int, kind: Kind) -> HttpResponse:
    """A new element from its kind's structured form (YAML: `element_create`)."""
    form = SpecForm(kind, request.POST) if kind in SPECS else NewElementForm(kind, request.POST)
    checked(form)
    created = services.create_element(actor=actor(request), tara_id=tara_id, kind=kind, data=form.element())
    messages.success(request, f"{created.ref} created.")
    return go(request, reverse("tara:element", args=[tara_id, kind, created.ref]))


@require_POST
@needs(Perm.EDIT, on="tara")
def element_delete(request: HttpRequest, tara_id: int, kind: Kind, ref: str) -> HttpResponse:
    services.delete_element(actor=actor(request), tara_id=tara_id, kind=kind, ref=ref)
    messages.success(request, f"{ref} deleted.")
    return redirect("tara:elements", tara_id, kind)


@require_POST
@needs(Perm.EDIT, on="tara")
def element_undo(request: HttpRequest, tara_id: int, kind: Kind, ref: str) -> HttpResponse:
    """The inverse of the element's last change (an undone creation removes the element)."""
    kept = services.undo_last_change(actor=actor(request), tara_id=tara_id, kind=kind, ref=ref)
    messages.success(request, f"The last change of {ref} was undone.")
    return redirect("tara:element", tara_id, kind, ref) if kept else redirect("tara:elements", tara_id, kind)
