"""Reads about annotations that several doors share (services, the workspace, the queue)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from apps.annotations.models import AnchoredSpan


def span_has_contributor(*, span: AnchoredSpan, user) -> bool:
    """Whether `user` wrote any part of the span (four eyes: then they may not approve or
    verify it)."""
    if user is None or user.pk is None:
        return False
    return span.contributors.filter(pk=user.pk).exists()


def contributed_by(model: type[AnchoredSpan], user) -> Exists:
    """An EXISTS over the span type's contributors table for `user`, to annotate or filter a
    queryset of `model` without one query per row."""
    through = model.contributors.through
    column = f"{model._meta.model_name}_id"
    return Exists(
        through.objects.filter(**{column: OuterRef("pk")}, user_id=getattr(user, "pk", None))
    )


def span_duplicates(*, span: AnchoredSpan) -> list[AnchoredSpan]:
    """Other annotations of the same type over exactly the same text (start and end) of the
    article: what a new one most likely repeats."""
    return list(
        type(span)
        .objects.filter(article_id=span.article_id, start=span.start, end=span.end)
        .exclude(pk=span.pk)
        .order_by("id")[:5]
    )
