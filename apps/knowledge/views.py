"""The knowledge-base browser: search entities by label and alias, an entity's page with its
aliases and tenures on a timeline, edits by editors (each one call to apps.knowledge.services),
and the autocomplete fragment the workspace's speaker and entity pickers use.

Edits are real forms (post/redirect/get without JavaScript). With htmx the view answers with the
page section that changed (summary, aliases, tenures); a refusal re-renders that section with
the message and the service's status (422 bad input, 403, 409 someone else changed it first)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts import roles
from apps.accounts.decorators import role_required
from apps.knowledge import browse, selectors, services, sync, timeline, wikidata
from apps.knowledge.forms import (
    AliasForm,
    AliasRemoveForm,
    EntityCreateForm,
    EntityForm,
    TenureForm,
)
from apps.knowledge.models import Entity, EntityAlias, Tenure, normalize_alias
from apps.ui_errors import ui_status

PAGE_SIZE = 30
SEARCH_MAX = 100
AUTOCOMPLETE_MAX = 20
ENTITY_TEMPLATE = "knowledge/entity.html"
READ_MESSAGE = "You need a Factdesk role to use the knowledge base."
EDIT_MESSAGE = "Only editors can change the knowledge base."


def _param_name(value: str, default: str) -> str:
    return value if value and value.replace("_", "").replace("-", "").isalnum() else default


# --- Reading ----------------------------------------------------------------------------------


@require_GET
@role_required(roles.can_read, READ_MESSAGE)
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    if kind not in Entity.Kind.values:
        kind = ""
    if query:
        # The same ranking as the autocomplete (whole name, label, word prefix), best 100.
        results = selectors.entity_search(
            user=request.user, query=query, kind=kind or None, limit=SEARCH_MAX
        )
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        browse.attach_tenure_counts(list(page.object_list))
    else:
        page = Paginator(browse.entity_list(kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    browse.attach_matched_aliases(list(page.object_list), query=query)
    context = {
        "page": page,
        "q": query,
        "kind": kind,
        "kinds": Entity.Kind.choices,
        "capped": bool(query) and page.paginator.count >= SEARCH_MAX,
    }
    if request.htmx and request.htmx.target == "kb-results":
        return render(request, "knowledge/search.html#results", context)
    return render(request, "knowledge/search.html", context)


@require_GET
@role_required(roles.can_read, READ_MESSAGE)
def autocomplete(request: HttpRequest) -> HttpResponse:
    """HTML fragment of matching entities as radio options; see the contract at the top of
    templates/knowledge/autocomplete.html."""
    field = _param_name(request.GET.get("field", ""), "q")
    query = request.GET.get(field, "").strip()[:200]
    kind = request.GET.get("kind", "")
    name = _param_name(request.GET.get("name", ""), "entity")
    try:
        limit = min(AUTOCOMPLETE_MAX, max(1, int(request.GET.get("limit", 10))))
    except ValueError:
        limit = 10
    entities = []
    if query and (not kind or kind in Entity.Kind.values):
        entities = selectors.entity_search(
            user=request.user, query=query, kind=kind or None, limit=limit
        )
        browse.attach_matched_aliases(entities, query=query)
    return render(
        request,
        "knowledge/autocomplete.html",
        {"entities": entities, "q": query, "name": name, "selected": request.GET.get("selected")},
    )


def _timeline_for(tenures, *, as_person: bool):
    spans = []
    for tenure in tenures:
        other = tenure.office if as_person else tenure.person
        spans.append(
            timeline.Span(
                label=other.label,
                href=reverse("knowledge:entity", args=[other.uuid]),
                start=tenure.start,
                end=tenure.end,
                end_unknown=tenure.end_unknown,
                start_precision=tenure.start_precision,
                end_precision=tenure.end_precision,
            )
        )
    return timeline.build(spans, today=timezone.localdate())


def _tenure_other_label(entity: Entity) -> str | None:
    """What a new tenure on this page pairs the entity with (None: it cannot hold or be held)."""
    if entity.kind == Entity.Kind.PERSON:
        return "Office"
    if entity.kind == Entity.Kind.OFFICE:
        return "Holder"
    return None


def _entity_context(request: HttpRequest, entity: Entity, **overrides) -> dict:
    held = selectors.tenures_of_person(person=entity)
    holders = selectors.tenures_of_office(office=entity)
    editor = roles.can_edit(request.user)
    other_label = _tenure_other_label(entity)
    context = {
        "entity": entity,
        "aliases": selectors.entity_aliases(entity=entity),
        "held": held,
        "holders": holders,
        "held_timeline": _timeline_for(held, as_person=True),
        "holders_timeline": _timeline_for(holders, as_person=False),
        "mention_count": browse.mention_count(entity=entity),
        "entity_form": EntityForm.for_entity(entity) if editor else None,
        "alias_forms_enabled": editor,
        "tenure_forms_enabled": editor,
        "tenure_form": TenureForm(other_label=other_label) if editor and other_label else None,
        "other_kind": "office" if other_label == "Office" else "person",
    }
    context.update(overrides)
    return context


@require_GET
@role_required(roles.can_read, READ_MESSAGE)
def entity_detail(request: HttpRequest, entity_uuid) -> HttpResponse:
    entity = selectors.entity_get_for_user(entity_uuid=entity_uuid, user=request.user)
    return render(request, ENTITY_TEMPLATE, _entity_context(request, entity))


# --- Editing ----------------------------------------------------------------------------------


def _section_response(
    request: HttpRequest, entity: Entity, section: str, status: int, **overrides
) -> HttpResponse:
    """htmx: the section's partial; plain: the whole page (after a refusal)."""
    entity.refresh_from_db()
    context = _entity_context(request, entity, **overrides)
    if request.htmx:
        response = render(request, f"{ENTITY_TEMPLATE}#{section}", context, status=status)
        if status == 200:
            response["HX-Trigger"] = "kbChanged"
        return response
    return render(request, ENTITY_TEMPLATE, context, status=status)


def _done(
    request: HttpRequest, entity: Entity, section: str, message: str, *, level: str = "success"
) -> HttpResponse:
    if request.htmx:
        prefix = {"summary": "", "aliases": "alias_", "tenures": "tenure_"}[section]
        return _section_response(
            request,
            entity,
            section,
            200,
            **{f"{prefix}message": message, f"{prefix}message_level": level},
        )
    messages.add_message(request, getattr(messages, level.upper()), message)
    return redirect("knowledge:entity", entity_uuid=entity.uuid)


def _same_label_warning(same: list[Entity]) -> SafeString:
    links = format_html_join(
        ", ",
        '<a href="{}">{}</a> ({}{})',
        (
            (
                reverse("knowledge:entity", args=[other.uuid]),
                other.label,
                other.get_kind_display(),
                f", {other.wikidata_id}" if other.wikidata_id else "",
            )
            for other in same
        ),
    )
    return format_html(
        "The knowledge base already has an entity with this label: {}. If it is the same one, "
        "use that; if not, a description tells them apart.",
        links,
    )


def _tenure_overlap_warning(tenure: Tenure) -> SafeString | None:
    """Saved, but another person surely held the same (so far single-holder) office on some of
    these days: say who and when, with a link, and let the editor judge (acting, co-holder)."""
    others = selectors.tenure_other_holders_overlapping(tenure=tenure)
    if not others:
        return None
    holders = format_html_join(
        "; ",
        '<a href="{}">{}</a> ({} to {})',
        (
            (
                reverse("knowledge:entity", args=[other.person.uuid]),
                other.person.label,
                other.start.isoformat() if other.start else "an unknown date",
                other.end.isoformat() if other.end else ("today" if other.is_current else "?"),
            )
            for other in others
        ),
    )
    return format_html(
        "Saved, but it overlaps another holder of {}, an office held by one person at a time: "
        "{}. Keep it if {} was acting or a co-holder; otherwise check the dates.",
        tenure.office.label,
        holders,
        tenure.person.label,
    )


def _refused(
    request: HttpRequest, entity: Entity, section: str, message: str, status: int, **overrides
) -> HttpResponse:
    prefix = {"summary": "", "aliases": "alias_", "tenures": "tenure_"}[section]
    return _section_response(
        request,
        entity,
        section,
        status,
        **{f"{prefix}message": message, f"{prefix}message_level": "error"},
        **overrides,
    )


@require_http_methods(["GET", "POST"])
@role_required(roles.can_edit, EDIT_MESSAGE)
def entity_new(request: HttpRequest) -> HttpResponse:
    form = EntityCreateForm(request.POST or None, auto_id="new_%s")
    status = 200
    message = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                entity = services.entity_create(
                    user=request.user,
                    label=form.cleaned_data["label"],
                    kind=form.cleaned_data["kind"],
                    description=form.cleaned_data["description"],
                    wikidata_id=form.cleaned_data["wikidata_id"] or None,
                    aliases=form.cleaned_data["aliases"],
                )
            except services.AlreadyInKB as exc:
                existing = reverse("knowledge:entity", args=[exc.existing.uuid])
                message = format_html('{} <a href="{}">Open it</a>.', exc.message, existing)
                status = ui_status(exc)
            except services.KnowledgeError as exc:
                message, status = exc.message, ui_status(exc)
            else:
                url = reverse("knowledge:entity", args=[entity.uuid])
                messages.success(request, f"“{entity.label}” added to the knowledge base.")
                same = selectors.entities_with_label(label=entity.label, exclude=entity)
                if same:  # saved (namesakes exist), but it may be a duplicate: say which
                    messages.warning(request, _same_label_warning(same))
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return redirect(url)
        else:
            message, status = form.first_error(), 422
    template = "knowledge/entity_new.html"
    if request.htmx and request.method == "POST":
        template += "#form"
    return render(request, template, {"form": form, "message": message}, status=status)


@require_POST
@role_required(roles.can_edit, EDIT_MESSAGE)
def entity_edit(request: HttpRequest, entity_uuid) -> HttpResponse:
    entity = selectors.entity_get_for_user(entity_uuid=entity_uuid, user=request.user)
    form = EntityForm(request.POST, auto_id="entity_%s")
    if not form.is_valid():
        return _refused(request, entity, "summary", form.first_error(), 422, entity_form=form)
    try:
        services.entity_update(
            user=request.user,
            entity=entity,
            label=form.cleaned_data["label"],
            kind=form.cleaned_data["kind"],
            description=form.cleaned_data["description"],
            expected_updated_at=form.cleaned_data["version"],
        )
    except services.KnowledgeError as exc:
        # On a conflict the form shows the entity as it is now (the editor's input is in the
        # message's place to retype); on bad input the editor's text is kept.
        keep = {} if isinstance(exc, services.Conflict) else {"entity_form": form}
        return _refused(request, entity, "summary", exc.message, ui_status(exc), **keep)
    return _done(request, entity, "summary", "Saved.")


@require_POST
@role_required(roles.can_edit, EDIT_MESSAGE)
def alias_add(request: HttpRequest, entity_uuid) -> HttpResponse:
    entity = selectors.entity_get_for_user(entity_uuid=entity_uuid, user=request.user)
    form = AliasForm(request.POST)
    if not form.is_valid():
        return _refused(request, entity, "aliases", form.first_error(), 422)
    try:
        row = services.entity_alias_add(
            user=request.user, entity=entity, alias=form.cleaned_data["alias"]
        )
    except services.KnowledgeError as exc:
        return _refused(request, entity, "aliases", exc.message, ui_status(exc))
    return _done(request, entity, "aliases", f"Alias “{row.alias}” added.")


@require_POST
@role_required(roles.can_edit, EDIT_MESSAGE)
def alias_remove(request: HttpRequest, entity_uuid) -> HttpResponse:
    entity = selectors.entity_get_for_user(entity_uuid=entity_uuid, user=request.user)
    form = AliasRemoveForm(request.POST)
    if not form.is_valid():
        return _refused(request, entity, "aliases", form.first_error(), 422)
    alias = EntityAlias.objects.filter(
        entity=entity, normalized=normalize_alias(form.cleaned_data["alias"])
    ).first()
    if alias is None:
        return _refused(
            request,
            entity,
            "aliases",
            f"“{form.cleaned_data['alias']}” is not an alias of “{entity.label}” (any more).",
            409,
        )
    try:
        services.entity_alias_remove(user=request.user, alias=alias)
    except services.KnowledgeError as exc:
        return _refused(request, entity, "aliases", exc.message, ui_status(exc))
    return _done(request, entity, "aliases", f"Alias “{alias.alias}” removed.")


def _resolve_other(request: HttpRequest, form: TenureForm, *, kind: str):
    """The entity picked in the tenure form: a uuid from the autocomplete's radios, or the name
    typed when it names exactly one entity of the right kind. Returns (entity, candidates,
    message): on an ambiguous or unknown name, the candidates to pick from and why."""
    picked = form.cleaned_data.get("other")
    if picked:
        entity = Entity.objects.filter(uuid=picked).first()
        if entity is None:
            return None, [], "The chosen entity no longer exists; pick another."
        return entity, [], ""
    name = form.cleaned_data.get("other_name", "")
    candidates = selectors.entity_search(user=request.user, query=name, kind=kind, limit=10)
    exact = [e for e in candidates if normalize_alias(e.label) == normalize_alias(name)]
    if len(exact) == 1:
        return exact[0], [], ""
    if len(candidates) == 1:
        return candidates[0], [], ""
    if not candidates:
        return None, [], f"No {kind} named “{name}” in the knowledge base; add it first."
    return None, candidates, f"Several entities match “{name}”; pick one."


def _tenure_kwargs(form: TenureForm) -> dict:
    data = form.cleaned_data
    return {
        "start": data["start"],
        "start_precision": data["start_precision"],
        "end": data["end"],
        "end_precision": data["end_precision"],
        "end_unknown": data["end_unknown"],
        "source_url": data["source_url"],
    }


@require_POST
@role_required(roles.can_edit, EDIT_MESSAGE)
def tenure_add(request: HttpRequest, entity_uuid) -> HttpResponse:
    entity = selectors.entity_get_for_user(entity_uuid=entity_uuid, user=request.user)
    other_label = _tenure_other_label(entity)
    if other_label is None:
        return _refused(
            request,
            entity,
            "tenures",
            f"Only people hold offices and only offices are held; “{entity.label}” is a "
            f"{entity.get_kind_display()}.",
            422,
        )
    form = TenureForm(request.POST, other_label=other_label)
    if not form.is_valid():
        return _refused(request, entity, "tenures", form.first_error(), 422, tenure_form=form)
    other_kind = "office" if other_label == "Office" else "person"
    other, candidates, problem = _resolve_other(request, form, kind=other_kind)
    if other is None:
        return _refused(
            request, entity, "tenures", problem, 422, tenure_form=form, candidates=candidates
        )
    person, office = (entity, other) if other_kind == "office" else (other, entity)
    try:
        tenure = services.tenure_create(
            user=request.user, person=person, office=office, **_tenure_kwargs(form)
        )
    except services.KnowledgeError as exc:
        return _refused(request, entity, "tenures", exc.message, ui_status(exc), tenure_form=form)
    added = f"Tenure of {person.label} as {office.label} added."
    warning = _tenure_overlap_warning(tenure)
    if warning is not None:
        return _done(
            request, entity, "tenures", format_html("{} {}", added, warning), level="warning"
        )
    return _done(request, entity, "tenures", added)


@require_http_methods(["GET", "POST"])
@role_required(roles.can_edit, EDIT_MESSAGE)
def tenure_edit(request: HttpRequest, tenure_uuid) -> HttpResponse:
    """A tenure's own page: edit its office, dates and source, or delete it."""
    tenure = selectors.tenure_get_for_user(tenure_uuid=tenure_uuid, user=request.user)
    template = "knowledge/tenure_edit.html"
    context = {"tenure": tenure, "message": "", "message_level": "", "candidates": []}
    status = 200
    if request.method == "GET":
        context["form"] = TenureForm.for_tenure(tenure, other_label="Office", other=tenure.office)
        return render(request, template, context)
    form = TenureForm(request.POST, other_label="Office")
    context["form"] = form
    if not form.is_valid():
        context.update(message=form.first_error(), message_level="error")
        status = 422
    else:
        office, candidates, problem = _resolve_other(request, form, kind="office")
        if office is None:
            context.update(message=problem, message_level="error", candidates=candidates)
            status = 422
        else:
            try:
                saved = services.tenure_update(
                    user=request.user,
                    tenure=tenure,
                    expected_updated_at=form.cleaned_data["version"],
                    office=office,
                    **_tenure_kwargs(form),
                )
            except services.KnowledgeError as exc:
                context.update(message=exc.message, message_level="error")
                status = ui_status(exc)
                if isinstance(exc, services.Conflict):
                    tenure.refresh_from_db()
                    context["form"] = TenureForm.for_tenure(
                        tenure, other_label="Office", other=tenure.office
                    )
            else:
                url = reverse("knowledge:entity", args=[tenure.person.uuid])
                warning = _tenure_overlap_warning(saved)
                if warning is not None:  # shown on the page either path lands on
                    messages.warning(request, warning)
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                if warning is None:
                    messages.success(request, "Tenure saved.")
                return redirect(url)
    if request.htmx:
        template += "#form"
    return render(request, template, context, status=status)


@require_POST
@role_required(roles.can_edit, EDIT_MESSAGE)
def tenure_delete(request: HttpRequest, tenure_uuid) -> HttpResponse:
    tenure = selectors.tenure_get_for_user(tenure_uuid=tenure_uuid, user=request.user)
    person = tenure.person
    description = f"{tenure.person.label} as {tenure.office.label}"
    try:
        services.tenure_delete(user=request.user, tenure=tenure)
    except services.KnowledgeError as exc:
        return _refused(request, person, "tenures", exc.message, ui_status(exc))
    url = reverse("knowledge:entity", args=[person.uuid])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    messages.success(request, f"Tenure of {description} deleted.")
    return redirect(url)


# --- Add from Wikidata ------------------------------------------------------------------------

WIKIDATA_TEMPLATE = "knowledge/wikidata.html"
WIKIDATA_PERSON_TEMPLATE = "knowledge/wikidata_person.html"
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def _wikidata_date(date: wikidata.WikidataDate | None) -> str:
    """A date as precise as Wikidata has it: "5 July 2024", "September 2022", "2009"."""
    if date is None:
        return ""
    value = date.value
    if date.precision == "year":
        return str(value.year)
    if date.precision == "month":
        return f"{MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


@require_GET
@role_required(roles.can_edit, EDIT_MESSAGE)
def wikidata_search(request: HttpRequest) -> HttpResponse:
    """Search Wikidata by name (wbsearchentities); each hit links to its preview."""
    query = " ".join(request.GET.get("q", "").split())[:200]
    context = {"q": query, "hits": [], "message": ""}
    status = 200
    if query:
        try:
            context["hits"] = sync.wikidata_search(text=query)
        except services.KnowledgeError as exc:
            context["message"], status = exc.message, ui_status(exc)
    if request.htmx and request.htmx.target == "wd-results":
        return render(request, f"{WIKIDATA_TEMPLATE}#results", context, status=status)
    return render(request, WIKIDATA_TEMPLATE, context, status=status)


def _preview_context(preview: sync.PersonPreview) -> dict:
    positions = [
        {
            "office": p.office_label,
            "office_id": p.office_id,
            "start": _wikidata_date(p.start),
            "end": _wikidata_date(p.end) or ("ended, date unknown" if p.end_unknown else ""),
            "current": p.end is None and not p.end_unknown,
        }
        for p in preview.positions
    ]
    return {"preview": preview, "record": preview.record, "positions": positions}


@require_GET
@role_required(roles.can_edit, EDIT_MESSAGE)
def wikidata_preview(request: HttpRequest, wikidata_id: str) -> HttpResponse:
    """The person as Wikidata has them, with their positions, and the import button."""
    context = {"wikidata_id": wikidata_id, "message": ""}
    try:
        preview = sync.wikidata_person_preview(wikidata_id=wikidata_id)
    except services.KnowledgeError as exc:
        context["message"] = exc.message
        return render(request, WIKIDATA_PERSON_TEMPLATE, context, status=ui_status(exc))
    context.update(_preview_context(preview))
    return render(request, WIKIDATA_PERSON_TEMPLATE, context)


@require_POST
@role_required(roles.can_edit, EDIT_MESSAGE)
def wikidata_import(request: HttpRequest, wikidata_id: str) -> HttpResponse:
    try:
        report = sync.wikidata_person_import(user=request.user, wikidata_id=wikidata_id)
    except services.KnowledgeError as exc:
        # The page again, with what failed; nothing was written.
        return render(
            request,
            WIKIDATA_PERSON_TEMPLATE,
            {"wikidata_id": wikidata_id, "message": exc.message},
            status=ui_status(exc),
        )
    entity_pk = report.people.get(wikidata_id)
    entity = Entity.objects.filter(pk=entity_pk).first() if entity_pk else None
    if entity is None:
        return render(
            request,
            WIKIDATA_PERSON_TEMPLATE,
            {"wikidata_id": wikidata_id, "message": f"{wikidata_id} is not on Wikidata."},
            status=404,
        )
    tenures = entity.tenures.count()
    messages.success(
        request,
        f"“{entity.label}” imported from Wikidata with {tenures} "
        f"tenure{'s' if tenures != 1 else ''}.",
    )
    url = reverse("knowledge:entity", args=[entity.uuid])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
