"""Articles: the canonical plain-text body every annotation points into, and its revisions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

# The text search configuration of the body search; the GIN index of migration 0003 is built on
# exactly the expression SearchVector("body", config=BODY_SEARCH_CONFIG) compiles to.
BODY_SEARCH_CONFIG = "english"


class ArticleQuerySet(models.QuerySet):
    def for_list(self) -> ArticleQuerySet:
        return self.select_related("created_by").defer("body")

    def search(self, text: str) -> ArticleQuerySet:
        """Title, source and byline: a case-insensitive substring. The body: PostgreSQL
        full-text search (stemmed, web-search syntax: `"exact phrase"`, `-not`, `or`); on SQLite
        a substring match too. On PostgreSQL the articles are read through the partial GIN index
        of migration 0005, but those pending extraction (the index does not hold them: a body
        imported or edited a moment ago), whose tsvector is computed here: the same match for
        every article."""
        text = text.strip()
        if not text:
            return self
        matches = (
            models.Q(title__icontains=text)
            | models.Q(source__icontains=text)
            | models.Q(byline__icontains=text)
        )
        if settings.IS_POSTGRES:
            from django.contrib.postgres.search import SearchQuery, SearchVector

            # The ids matching in the body, as subqueries: PostgreSQL runs each once (a hashed
            # SubPlan) instead of computing every body's tsvector in the OR. The index's rows
            # are those of its predicate, extraction_state <> 'pending', literally.
            def in_body(states: models.Q) -> models.QuerySet:
                return (
                    Article.objects.filter(states)
                    .annotate(body_document=SearchVector("body", config=BODY_SEARCH_CONFIG))
                    .filter(
                        body_document=SearchQuery(
                            text, search_type="websearch", config=BODY_SEARCH_CONFIG
                        )
                    )
                    .values("id")
                )

            pending = models.Q(extraction_state=ExtractionState.PENDING)
            matches |= models.Q(id__in=in_body(~pending)) | models.Q(id__in=in_body(pending))
        else:
            matches |= models.Q(body__icontains=text)
        return self.filter(matches)


class ArticleStatus(models.TextChoices):
    NEW = "new", "new"
    IN_PROGRESS = "in_progress", "in progress"
    CHECKED = "checked", "checked"


class CheckState(models.TextChoices):
    NEVER = "never", "not checked yet"
    PENDING = "pending", "pending"
    RUNNING = "running", "running"
    DONE = "done", "done"
    FAILED = "failed", "failed"


class ExtractionState(models.TextChoices):
    # Created without a request (fixtures, the admin, older data): nothing is owed, and the
    # checks do not wait for an extraction nobody asked for.
    NEVER = "never", "not requested"
    PENDING = "pending", "pending"
    DONE = "done", "done"
    FAILED = "failed", "failed"


class Article(models.Model):
    Status = ArticleStatus
    CheckState = CheckState
    ExtractionState = ExtractionState

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # A client's own key for the article (CMS id, seed name): re-pushing it updates, never duplicates.
    external_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    title = models.CharField(max_length=500)
    body = models.TextField()
    source = models.CharField(max_length=200, blank=True, help_text="Publication name.")
    byline = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    language = models.CharField(max_length=16, default="en")
    published_on = models.DateField(null=True, blank=True)
    event_on = models.DateField(
        null=True,
        blank=True,
        help_text="The date the article is about; derived from the lead when empty.",
    )
    status = models.CharField(
        max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.NEW
    )
    body_sha256 = models.CharField(max_length=64)
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Background work state, shown on the article. Requests are written by apps.articles.processing
    # in the transaction of the change that needs them; the runs write the outcome.
    # Extraction of the current body: pending from the request until a run on this very body
    # commits (done) or fails on it (failed, with the reason). There is no visible "running":
    # a run holds the article's row lock for its one transaction, so a run killed midway leaves
    # the request pending, never half-done.
    # Defaults in the database too, so that rows written by raw SQL (bench/, COPY) are valid.
    extraction_state = models.CharField(
        max_length=16,
        choices=ExtractionState.choices,
        default=ExtractionState.NEVER,
        db_default=ExtractionState.NEVER,
    )
    extraction_requested_at = models.DateTimeField(null=True, blank=True)
    extraction_failed_at = models.DateTimeField(null=True, blank=True)
    extraction_error = models.TextField(blank=True, default="", db_default="")
    # The body (hash) the last successful extraction ran on, and when it finished.
    extracted_sha256 = models.CharField(max_length=64, blank=True)
    extracted_at = models.DateTimeField(null=True, blank=True)
    check_state = models.CharField(
        max_length=16, choices=CheckState.choices, default=CheckState.NEVER
    )
    check_requested_at = models.DateTimeField(null=True, blank=True)
    check_started_at = models.DateTimeField(null=True, blank=True)
    check_done_at = models.DateTimeField(null=True, blank=True)
    check_failed_at = models.DateTimeField(null=True, blank=True)
    check_error = models.TextField(blank=True)
    # Fingerprint of the inputs the last finished check run saw; the sweep re-checks when it differs.
    check_inputs_sha256 = models.CharField(max_length=64, blank=True)

    history = HistoricalRecords(
        excluded_fields=[
            "check_state",
            "check_requested_at",
            "check_started_at",
            "check_done_at",
            "check_failed_at",
            "check_error",
            "check_inputs_sha256",
            "extraction_state",
            "extraction_requested_at",
            "extraction_failed_at",
            "extraction_error",
            "extracted_sha256",
            "extracted_at",
        ]
    )
    objects = ArticleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ArticleStatus.values),
                name="articles_article_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(check_state__in=CheckState.values),
                name="articles_article_check_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(extraction_state__in=ExtractionState.values),
                name="articles_article_extraction_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(revision__gte=1), name="articles_article_revision_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(title=""), name="articles_article_title_not_empty"
            ),
        ]
        indexes = [
            # Article list: newest publication first, id as tie-breaker.
            models.Index(fields=["-published_on", "-id"], name="article_published_idx"),
            # Article list filtered by source.
            models.Index(fields=["source", "-published_on"], name="article_source_idx"),
            # Sweep of stale checks: WHERE check_state IN (...) ORDER BY check_requested_at.
            models.Index(
                fields=["check_state", "check_requested_at"], name="article_check_state_idx"
            ),
            # Extraction drain: WHERE extraction_state = 'pending' ORDER BY extraction_requested_at.
            models.Index(
                fields=["extraction_state", "extraction_requested_at"],
                name="article_extraction_state_idx",
            ),
            # The API's article list (GET /api/v1/articles) walks the change order from the start
            # or from a cursor; without this index every page sorted the whole table (27 ms of SQL
            # for a page of 100 at 10,000 articles on SQLite, bench/peer_ops.py). Declared here,
            # not as raw SQL in a migration: SQLite rebuilds a table on some schema changes and
            # keeps only the indexes Django knows about.
            models.Index(fields=["updated_at", "id"], name="article_change_order_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleRevision(models.Model):
    """Every earlier body of an article; revision `number` is the body that was current then."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=500)
    body = models.TextField()
    body_sha256 = models.CharField(max_length=64)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="articles_revision_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="articles_revision_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"
