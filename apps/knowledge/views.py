"""The knowledge-base browser: search entities by label and alias, an entity's page with its
aliases and tenures on a timeline, edits by editors (through apps.knowledge.services), and the
autocomplete fragment the workspace's speaker and entity pickers use."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.accounts import roles
from apps.accounts.decorators import role_required
from apps.knowledge import browse, timeline
from apps.knowledge.models import Entity

PAGE_SIZE = 30
AUTOCOMPLETE_MAX = 20


@require_GET
@role_required(roles.can_read, "You need a Factdesk role to use the knowledge base.")
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    if kind not in Entity.Kind.values:
        kind = ""
    entities = browse.entity_search(query=query, kinds=[kind] if kind else [])
    page = Paginator(entities, PAGE_SIZE).get_page(request.GET.get("page"))
    browse.attach_matched_aliases(list(page.object_list), query=query)
    context = {"page": page, "q": query, "kind": kind, "kinds": Entity.Kind.choices}
    if request.htmx and request.htmx.target == "kb-results":
        return render(request, "knowledge/search.html#results", context)
    return render(request, "knowledge/search.html", context)


@require_GET
@role_required(roles.can_read, "You need a Factdesk role to use the knowledge base.")
def autocomplete(request: HttpRequest) -> HttpResponse:
    """HTML fragment of matching entities as radio options (see templates/knowledge/
    autocomplete.html for the contract). Parameters: q (text, 1+ characters), kind (optional,
    repeatable: person, organisation, place, office, other), name (the radio input's name,
    default "entity"), limit (1–20, default 10)."""
    query = request.GET.get("q", "").strip()[:200]
    kinds = [k for k in request.GET.getlist("kind") if k in Entity.Kind.values]
    name = request.GET.get("name", "entity")
    if not name.replace("_", "").replace("-", "").isalnum():
        name = "entity"
    try:
        limit = min(AUTOCOMPLETE_MAX, max(1, int(request.GET.get("limit", 10))))
    except ValueError:
        limit = 10
    entities = []
    if query:
        entities = list(browse.entity_search(query=query, kinds=kinds)[:limit])
        browse.attach_matched_aliases(entities, query=query)
    return render(
        request,
        "knowledge/autocomplete.html",
        {"entities": entities, "q": query, "name": name, "selected": request.GET.get("selected")},
    )


def _timeline_for(entity: Entity, tenures, *, as_person: bool):
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


def entity_context(request: HttpRequest, entity: Entity) -> dict:
    held = browse.tenures_held(entity=entity)
    holders = browse.tenures_of_office(entity=entity)
    return {
        "entity": entity,
        "aliases": browse.entity_aliases(entity=entity),
        "held": held,
        "holders": holders,
        "held_timeline": _timeline_for(entity, held, as_person=True),
        "holders_timeline": _timeline_for(entity, holders, as_person=False),
        "kinds": Entity.Kind.choices,
        "mention_count": browse.mention_count(entity=entity),
    }


@require_GET
@role_required(roles.can_read, "You need a Factdesk role to use the knowledge base.")
def entity_detail(request: HttpRequest, entity_uuid) -> HttpResponse:
    entity = browse.entity_get(entity_uuid=entity_uuid)
    if entity is None:
        raise Http404("No such entity.")
    return render(request, "knowledge/entity.html", entity_context(request, entity))
