"""Anchored spans (claims, quotes, entity mentions, date mentions), their review, and verdicts.

Offsets are Unicode code points into Article.body, end exclusive (W3C TextPositionSelector);
`prefix`/`suffix` carry up to 32 code points of context (TextQuoteSelector). The rule
`body[start:end] == exact` is enforced by apps.annotations.services.span_check for every writer."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from apps.articles.models import Article
from apps.knowledge.models import Entity, Precision

CONTEXT_CHARS = 32


def _choice_values(choices: type[models.TextChoices]) -> list[str]:
    return [value for value, _ in choices.choices]


class ReviewState(models.TextChoices):
    PROPOSED = "proposed", "proposed"
    APPROVED = "approved", "approved"
    REJECTED = "rejected", "rejected"


class Origin(models.TextChoices):
    MANUAL = "manual", "manual"
    AUTOMATIC = "automatic", "automatic"


class AnchorState(models.TextChoices):
    ANCHORED = "anchored", "anchored"
    # The text could not be found again after a body edit; the span keeps its last known text.
    ORPHANED = "orphaned", "orphaned"


# The one rule of what extraction may replace or delete (DESIGN.md, "Touched"): an automatic
# proposal that no person (or API key) ever wrote any part of. Every write of a person goes
# through apps.annotations.services, which sets `touched_at`; automatic re-anchoring after a body
# edit does not. The queryset method and the predicate on loaded rows (extraction reads the
# columns once for a whole batch) are written from these same two fields.
UNTOUCHED_RULE_FIELDS = ("origin", "touched_at")


def is_untouched_automatic(values: Mapping[str, Any]) -> bool:
    """The rule on a row already loaded (a dict with UNTOUCHED_RULE_FIELDS)."""
    return values["origin"] == Origin.AUTOMATIC and values["touched_at"] is None


class SpanQuerySet(models.QuerySet):
    def untouched_automatic(self) -> SpanQuerySet:
        """Automatic proposals no person ever touched: the only ones extraction may replace."""
        return self.filter(origin=Origin.AUTOMATIC, touched_at__isnull=True)

    def touched(self) -> SpanQuerySet:
        return self.exclude(origin=Origin.AUTOMATIC, touched_at__isnull=True)

    def in_order(self) -> SpanQuerySet:
        return self.order_by("start", "end", "id")


# History fields no query filters on: not indexed (every index costs each insert, and extraction
# writes ~100 history rows per article). The history is read by uuid (history pages), by id
# (simple-history's per-item manager) and by article (extraction: proposals a person deleted);
# history_user keeps its index, which deleting a user needs (SET_NULL).
_SPAN_HISTORY_UNINDEXED = ["created_by", "edited_by", "reviewed_by", "touched_by"]


class AnchoredSpan(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No index of its own: the (article, start, end) index of each table serves every lookup by
    # article. (The history tables keep theirs.)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="%(class)ss", db_index=False
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=CONTEXT_CHARS, blank=True)
    suffix = models.CharField(max_length=CONTEXT_CHARS, blank=True)
    anchor_state = models.CharField(
        max_length=16, choices=AnchorState.choices, default=AnchorState.ANCHORED
    )

    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.MANUAL)
    extractor_version = models.CharField(max_length=32, blank=True)
    confidence = models.FloatField(null=True, blank=True, help_text="Extractor's confidence, 0–1.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when a person changes the span or its fields; automatic proposals with it set are kept.
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)

    review_state = models.CharField(
        max_length=16, choices=ReviewState.choices, default=ReviewState.PROPOSED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    # The last write of a person (or an API key's service user) on any part of the span: a field,
    # a link, the verdict, rating or summary, evidence added or removed, a review, a note, a
    # re-attachment. Set by apps.annotations.services, never by automatic re-anchoring or by
    # extraction; an automatic proposal with it set is a person's and is never replaced.
    touched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    touched_at = models.DateTimeField(null=True, blank=True)
    # Everyone who wrote a part of the item: created, edited, re-attached it, proposed its
    # verdict, added or removed evidence (four eyes: none of them may approve or verify it).
    # Reviews are not contributions. A table per span type (Django's M2M through table, unique
    # per span and user), so the review queue excludes a reviewer's own work with one EXISTS.
    contributors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    # Optimistic concurrency: every write is UPDATE ... WHERE version = n, then n + 1.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SpanQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="%(app_label)s_%(class)s_start_lt_end",
            ),
            models.CheckConstraint(
                condition=models.Q(start__gte=0), name="%(app_label)s_%(class)s_start_nonneg"
            ),
            models.CheckConstraint(
                condition=models.Q(review_state__in=_choice_values(ReviewState)),
                name="%(app_label)s_%(class)s_review_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(origin__in=_choice_values(Origin)),
                name="%(app_label)s_%(class)s_origin_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(anchor_state__in=_choice_values(AnchorState)),
                name="%(app_label)s_%(class)s_anchor_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="%(app_label)s_%(class)s_version_positive"
            ),
        ]

    @property
    def kind_name(self) -> str:
        return type(self).__name__.lower()


def _span_indexes(prefix: str) -> list[models.Index]:
    return [
        # Workspace and extraction: an article's spans in text order.
        models.Index(fields=["article", "start", "end"], name=f"{prefix}_article_pos_idx"),
        # Review queue: WHERE review_state = 'proposed' ORDER BY created_at.
        models.Index(fields=["review_state", "created_at"], name=f"{prefix}_review_idx"),
        # API incremental sync: ORDER BY updated_at, id.
        models.Index(fields=["updated_at", "id"], name=f"{prefix}_updated_idx"),
    ]


class ClaimKind(models.TextChoices):
    EVENT_DATE = "event_date", "event date"
    ROLE = "role", "role / title"
    ATTRIBUTION = "attribution", "attribution"
    QUANTITY = "quantity", "quantity"
    OTHER = "other", "other"


class ClaimVerdict(models.TextChoices):
    NOT_RATED = "not_rated", "not yet rated"
    ACCURATE = "accurate", "accurate"
    INACCURATE = "inaccurate", "inaccurate"
    MISLEADING = "misleading", "misleading"
    UNVERIFIABLE = "unverifiable", "unverifiable"


class ClaimVerdictState(models.TextChoices):
    UNVERIFIED = "unverified", "unverified"
    PROPOSED = "proposed", "verdict proposed"
    VERIFIED = "verified", "verified"
    RETURNED = "returned", "sent back"


class Claim(AnchoredSpan):
    Kind = ClaimKind

    Verdict = ClaimVerdict

    VerdictState = ClaimVerdictState

    kind = models.CharField(max_length=16, choices=ClaimKind.choices, default=ClaimKind.OTHER)
    # Why extraction proposed it ("has a date and a title of office") and how check-worthy, 0–1.
    reason = models.CharField(max_length=300, blank=True)
    check_worthiness = models.FloatField(null=True, blank=True)

    verdict = models.CharField(
        max_length=16, choices=ClaimVerdict.choices, default=ClaimVerdict.NOT_RATED
    )
    verdict_state = models.CharField(
        max_length=16, choices=ClaimVerdictState.choices, default=ClaimVerdictState.UNVERIFIED
    )
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 (false) to 5 (true)."
    )
    rating_label = models.CharField(max_length=100, blank=True)
    summary = models.TextField(blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verdict_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verdict_note = models.TextField(blank=True, help_text="Why a verdict was sent back.")

    history = HistoricalRecords(no_db_index=[*_SPAN_HISTORY_UNINDEXED, "verdict_by", "verified_by"])

    class Meta(AnchoredSpan.Meta):
        constraints = [
            *AnchoredSpan.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(kind__in=_choice_values(ClaimKind)),
                name="annotations_claim_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(verdict__in=_choice_values(ClaimVerdict)),
                name="annotations_claim_verdict_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(verdict_state__in=_choice_values(ClaimVerdictState)),
                name="annotations_claim_verdict_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="annotations_claim_rating_1_to_5",
            ),
            # A verified claim has a verdict.
            models.CheckConstraint(
                condition=~models.Q(verdict_state="verified", verdict="not_rated"),
                name="annotations_claim_verified_has_verdict",
            ),
        ]
        indexes = [
            *_span_indexes("claim"),
            # API: verified claims in sync order.
            models.Index(
                fields=["verdict_state", "updated_at", "id"], name="claim_verdict_state_idx"
            ),
        ]


class Evidence(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    quoted_passage = models.TextField(blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(url="", quoted_passage="", note=""),
                name="annotations_evidence_not_empty",
            ),
        ]
        indexes = [models.Index(fields=["claim", "created_at"], name="evidence_claim_idx")]


class Quote(AnchoredSpan):
    # Indexed by quote_speaker_idx (speaker, article).
    speaker = models.ForeignKey(
        Entity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
        db_index=False,
    )
    # The speaker as written when no entity is linked (or the pronoun that was resolved).
    speaker_text = models.CharField(max_length=300, blank=True)
    speaker_confidence = models.FloatField(null=True, blank=True)
    attribution_start = models.PositiveIntegerField(null=True, blank=True)
    attribution_end = models.PositiveIntegerField(null=True, blank=True)
    attribution_text = models.CharField(max_length=500, blank=True)
    verb = models.CharField(max_length=64, blank=True)
    history = HistoricalRecords(no_db_index=[*_SPAN_HISTORY_UNINDEXED, "speaker"])

    class Meta(AnchoredSpan.Meta):
        constraints = [
            *AnchoredSpan.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(attribution_start__isnull=True, attribution_end__isnull=True)
                | models.Q(attribution_end__gt=models.F("attribution_start")),
                name="annotations_quote_attribution_span_valid",
            ),
        ]
        indexes = [
            *_span_indexes("quote"),
            # QUOTE_INTEGRITY across articles: a speaker's quotes.
            models.Index(fields=["speaker", "article"], name="quote_speaker_idx"),
        ]


class TitleModifier(models.TextChoices):
    NONE = "", "none"
    FORMER = "former", "former"
    THEN = "then", "then-"
    EX = "ex", "ex-"
    ACTING = "acting", "acting"
    OUTGOING = "outgoing", "outgoing"
    INCOMING = "incoming", "incoming"
    INTERIM = "interim", "interim"


class EntityMention(AnchoredSpan):
    Modifier = TitleModifier

    # Indexed by mention_entity_idx (entity, article).
    entity = models.ForeignKey(
        Entity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentions",
        db_index=False,
    )
    # For people: the title of office written before (or after) the name, e.g. "UK Prime Minister".
    title_start = models.PositiveIntegerField(null=True, blank=True)
    title_end = models.PositiveIntegerField(null=True, blank=True)
    title_text = models.CharField(max_length=300, blank=True)
    title_modifier = models.CharField(
        max_length=16, choices=TitleModifier.choices, blank=True, default=""
    )
    office = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="title_mentions"
    )
    history = HistoricalRecords(no_db_index=[*_SPAN_HISTORY_UNINDEXED, "entity", "office"])

    class Meta(AnchoredSpan.Meta):
        constraints = [
            *AnchoredSpan.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(title_start__isnull=True, title_end__isnull=True)
                | models.Q(title_end__gt=models.F("title_start")),
                name="annotations_mention_title_span_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(title_modifier__in=_choice_values(TitleModifier)),
                name="annotations_mention_modifier_valid",
            ),
        ]
        indexes = [
            *_span_indexes("mention"),
            # Re-check the articles that mention a changed KB entity.
            models.Index(fields=["entity", "article"], name="mention_entity_idx"),
        ]


class DateMention(AnchoredSpan):
    value = models.DateField(null=True, blank=True)
    precision = models.CharField(max_length=8, choices=Precision.choices, default=Precision.DAY)
    is_relative = models.BooleanField(
        default=False, help_text="Resolved against the publication date."
    )
    history = HistoricalRecords(no_db_index=_SPAN_HISTORY_UNINDEXED)

    class Meta(AnchoredSpan.Meta):
        constraints = [
            *AnchoredSpan.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(precision__in=_choice_values(Precision)),
                name="annotations_date_precision_valid",
            ),
        ]
        indexes = _span_indexes("datemention")


SPAN_MODELS: dict[str, type[AnchoredSpan]] = {
    "claim": Claim,
    "quote": Quote,
    "mention": EntityMention,
    "date": DateMention,
}
