"""Query filters of the list endpoints (django-filter). A bad value is a 400 naming the filter."""

from __future__ import annotations

import datetime as dt

import django_filters as filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_filters.fields import IsoDateTimeField

from apps.annotations.models import (
    Claim,
    ClaimKind,
    ClaimVerdict,
    ClaimVerdictState,
    DateMention,
    EntityMention,
    Quote,
    ReviewState,
)
from apps.articles.models import Article, ArticleStatus
from apps.checks.models import Finding
from apps.knowledge.models import Entity, EntityAlias, EntityKind, normalize_alias

# The text search configuration of the claims full-text search; the GIN index of
# apps/api/migrations/0001 is built on exactly this expression.
SEARCH_CONFIG = "english"


def claim_search(queryset: QuerySet, text: str) -> QuerySet:
    """Full-text search (PostgreSQL: stemmed, web-search syntax: `"exact phrase"`, `-not`, `or`)
    in the claim's text and its verdict summary; on SQLite a case-insensitive substring match."""
    text = text.strip()
    if not text:
        return queryset
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("exact", "summary", config=SEARCH_CONFIG)
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        return queryset.annotate(search_document=vector).filter(search_document=query)
    return queryset.filter(Q(exact__icontains=text) | Q(summary__icontains=text))


class _NoEmptyValues(forms.Form):
    """`?state=` is a mistake (a client that meant a value), not "any state": say so."""

    def clean(self):
        cleaned = super().clean()
        for name in self.fields:
            if "" in self.data.getlist(name):
                self.add_error(name, "Give a value, or leave the parameter out.")
        return cleaned


class FactdeskFilterSet(filters.FilterSet):
    def get_form_class(self):
        form_class = super().get_form_class()
        return type(form_class.__name__, (_NoEmptyValues, form_class), {})


class UTCDateTimeField(IsoDateTimeField):
    """ISO 8601 (without an offset: UTC), turned into UTC: PostgreSQL refuses offsets beyond ±15:59 that
    ISO (and Python) allow, and an offset can push a date out of the representable range."""

    def to_python(self, value):
        when = super().to_python(value)
        if when is None:
            return None
        try:
            return when.astimezone(dt.UTC)
        except OverflowError:
            raise forms.ValidationError("This date and time is out of range.") from None


class UTCDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class UpdatedSinceMixin(FactdeskFilterSet):
    updated_since = UTCDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Only rows changed at or after this time (ISO 8601; without an offset, UTC; "
        "inclusive). "
        "For exactly-once sync prefer the `cursor` of the previous page.",
    )


class SpanFilter(UpdatedSinceMixin):
    article = filters.UUIDFilter(field_name="article__uuid", label="Article id.")
    review_state = filters.ChoiceFilter(choices=ReviewState.choices, label="Review state.")


class ClaimFilter(SpanFilter):
    state = filters.ChoiceFilter(
        field_name="verdict_state",
        choices=ClaimVerdictState.choices,
        label="Verification state (same as verdict_state): unverified, proposed, verified, "
        "returned.",
    )
    verdict_state = filters.ChoiceFilter(choices=ClaimVerdictState.choices, label="Same as state.")
    verdict = filters.ChoiceFilter(choices=ClaimVerdict.choices, label="Verdict.")
    kind = filters.ChoiceFilter(choices=ClaimKind.choices, label="Kind of claim.")
    entity = filters.UUIDFilter(
        method="filter_entity",
        label="Entity id: claims whose text contains a mention linked to this entity.",
    )
    q = filters.CharFilter(
        method="filter_q",
        label="Full-text search in the claim text and the verdict summary (PostgreSQL: stemmed "
        'English, web-search syntax such as `"prime minister" -former`).',
    )

    class Meta:
        model = Claim
        fields: list[str] = []

    def filter_entity(self, queryset: QuerySet, name: str, value) -> QuerySet:
        mentions = EntityMention.objects.filter(
            article_id=OuterRef("article_id"),
            entity__uuid=value,
            start__gte=OuterRef("start"),
            end__lte=OuterRef("end"),
        )
        return queryset.filter(Exists(mentions))

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return claim_search(queryset, value)


class QuoteFilter(SpanFilter):
    speaker = filters.UUIDFilter(field_name="speaker__uuid", label="Speaker (entity id).")

    class Meta:
        model = Quote
        fields: list[str] = []


class MentionFilter(SpanFilter):
    entity = filters.UUIDFilter(field_name="entity__uuid", label="Linked entity id.")
    office = filters.UUIDFilter(field_name="office__uuid", label="Office (entity id) of the title.")

    class Meta:
        model = EntityMention
        fields: list[str] = []


class DateFilter(SpanFilter):
    class Meta:
        model = DateMention
        fields: list[str] = []


class ArticleFilter(UpdatedSinceMixin):
    status = filters.ChoiceFilter(choices=ArticleStatus.choices, label="Article status.")
    source = filters.CharFilter(label="Publication name (exact).")
    external_id = filters.CharFilter(label="The client's own id given at import.")
    q = filters.CharFilter(method="filter_q", label="Search in title, source and byline.")

    class Meta:
        model = Article
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value)


class FindingFilter(UpdatedSinceMixin):
    article = filters.UUIDFilter(field_name="article__uuid", label="Article id.")
    state = filters.ChoiceFilter(choices=Finding.State.choices, label="Finding state.")
    severity = filters.ChoiceFilter(choices=Finding.Severity.choices, label="Severity.")
    code = filters.CharFilter(label="Check code, e.g. ROLE_AT_DATE.")

    class Meta:
        model = Finding
        fields: list[str] = []


class EntityFilter(UpdatedSinceMixin):
    kind = filters.ChoiceFilter(choices=EntityKind.choices, label="Kind of entity.")
    wikidata_id = filters.CharFilter(label="Wikidata id, e.g. Q6279.")
    q = filters.CharFilter(method="filter_q", label="Label or alias contains this text.")

    class Meta:
        model = Entity
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = normalize_alias(value)
        if not text:
            return queryset
        aliases = EntityAlias.objects.filter(entity_id=OuterRef("pk"), normalized__contains=text)
        return queryset.filter(Q(label__icontains=value.strip()) | Exists(aliases))
