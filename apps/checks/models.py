"""Findings of the consistency checks (see apps.checks.registry for the checks themselves)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from apps.articles.models import Article


class FindingQuerySet(models.QuerySet):
    def open(self) -> FindingQuerySet:
        return self.filter(state=Finding.State.OPEN)

    def blocking(self) -> FindingQuerySet:
        return self.filter(state=Finding.State.OPEN, severity=Finding.Severity.ERROR)

    def in_order(self) -> FindingQuerySet:
        return self.order_by("article_id", "code", "created_at", "id")


class Finding(models.Model):
    class Severity(models.TextChoices):
        ERROR = "error", "error"
        WARNING = "warning", "warning"
        INFO = "info", "info"

    class State(models.TextChoices):
        OPEN = "open", "open"
        ACKNOWLEDGED = "acknowledged", "acknowledged"
        RESOLVED = "resolved", "resolved"
        DISMISSED = "dismissed", "dismissed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="findings")
    code = models.CharField(max_length=40)
    check_version = models.CharField(max_length=16)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    message = models.TextField()
    # [{"type": "mention", "uuid": "...", "start": 10, "end": 22, "exact": "..."}]
    spans = models.JSONField(default=list, blank=True)
    # The KB facts relied on: tenures, holders, sources.
    kb_facts = models.JSONField(default=list, blank=True)
    # Identity of the finding within (article, code): same problem on a re-run = same fingerprint.
    fingerprint = models.CharField(max_length=64)
    # Hash of the inputs behind it: a dismissed finding stays dismissed while this is unchanged.
    inputs_sha256 = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    state_reason = models.TextField(blank=True)
    state_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()
    objects = FindingQuerySet.as_manager()

    class Meta:
        constraints = [
            # A re-run never duplicates: one finding per problem per article and check.
            models.UniqueConstraint(
                fields=["article", "code", "fingerprint"], name="checks_finding_unique_problem"
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=["error", "warning", "info"]),
                name="checks_finding_severity_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["open", "acknowledged", "resolved", "dismissed"]),
                name="checks_finding_state_valid",
            ),
            # Dismissing needs a reason.
            models.CheckConstraint(
                condition=~models.Q(state="dismissed", state_reason=""),
                name="checks_finding_dismissed_has_reason",
            ),
        ]
        indexes = [
            # Findings panel and claim verification gate: WHERE article_id = ? AND state = 'open'.
            models.Index(fields=["article", "state", "severity"], name="finding_article_state_idx"),
            # Dashboard "recent findings" and API sync: ORDER BY updated_at DESC.
            models.Index(fields=["state", "-updated_at"], name="finding_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.message[:60]}"


class QuoteKey(models.Model):
    """The normalised words and speaker of every live quote, so that QUOTE_INTEGRITY finds the
    same words in other articles with an index lookup instead of reading every quote. Kept by the
    checks (each run refreshes its article's quotes; the sweep refreshes all that changed)."""

    quote = models.OneToOneField(
        "annotations.Quote", on_delete=models.CASCADE, related_name="check_key"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    speaker = models.ForeignKey(
        "knowledge.Entity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    speaker_text = models.CharField(max_length=300, blank=True)
    # sha256 of apps.checks.rules.quotes.quote_text_normalize(exact)
    text_key = models.CharField(max_length=64)
    # Hashes of the first and of the last words: a quote worded differently elsewhere usually
    # keeps its beginning or its end, so these find the candidates with an index lookup.
    head_key = models.CharField(max_length=16, blank=True, default="")
    tail_key = models.CharField(max_length=16, blank=True, default="")
    # Quote.version when indexed: a newer version means the quote changed.
    quote_version = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # Same words elsewhere: WHERE text_key = ? ORDER BY id LIMIT n (per key).
            models.Index(fields=["text_key", "id"], name="quotekey_text_id_idx"),
            # A speaker's latest quotes: WHERE speaker_id IN (...) ORDER BY id DESC.
            models.Index(fields=["speaker", "-id"], name="quotekey_speaker_idx"),
            # One speaker's other wordings: WHERE speaker_id IN (...) AND head_key IN (...).
            models.Index(fields=["speaker", "head_key"], name="quotekey_speaker_head_idx"),
            models.Index(fields=["speaker", "tail_key"], name="quotekey_speaker_tail_idx"),
        ]

    def __str__(self) -> str:
        return f"quote {self.quote_id} ({self.text_key[:8]})"
