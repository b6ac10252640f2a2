"""The knowledge base: entities (people, offices, organisations, places), their aliases, and
who held which office when (tenures). Loaded from Wikidata entity JSON and edited by editors."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from simple_history.models import HistoricalRecords


class Precision(models.TextChoices):
    YEAR = "year", "year"
    MONTH = "month", "month"
    DAY = "day", "day"


class EntityKind(models.TextChoices):
    PERSON = "person", "person"
    ORGANISATION = "organisation", "organisation"
    PLACE = "place", "place"
    OFFICE = "office", "office"
    OTHER = "other", "other"


class Gender(models.TextChoices):
    UNKNOWN = "", "unknown"
    MALE = "male", "male"
    FEMALE = "female", "female"
    OTHER = "other", "other"


class Entity(models.Model):
    Kind = EntityKind
    Gender = Gender

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=EntityKind.choices, default=EntityKind.OTHER)
    label = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    # Opaque external key ("Q22686"); never parsed as a number.
    wikidata_id = models.CharField(max_length=32, null=True, blank=True, unique=True)
    # Wikidata's revision of the entity last imported (lastrevid): an unchanged one is not rewritten.
    wikidata_revision = models.PositiveBigIntegerField(null=True, blank=True)
    # People: from Wikidata P21; pronoun resolution uses it, and guesses less when it is unknown.
    gender = models.CharField(
        max_length=16, choices=Gender.choices, default=Gender.UNKNOWN, blank=True
    )
    # Countries (kind place): English demonyms (Wikidata P1549), e.g. ["German"], for title wordings.
    demonyms = models.JSONField(default=list, blank=True)
    # Offices: the country or body they apply to (Wikidata P1001, else P17); "Chancellor of
    # Germany" + the demonym "German" gives the wording "German Chancellor".
    jurisdiction = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jurisdiction_offices",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "entities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=EntityKind.values),
                name="knowledge_entity_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(label=""), name="knowledge_entity_label_not_empty"
            ),
            models.CheckConstraint(
                condition=models.Q(gender__in=Gender.values),
                name="knowledge_entity_gender_valid",
            ),
        ]
        indexes = [
            # KB browser: filter by kind, ordered by label.
            models.Index(fields=["kind", "label"], name="entity_kind_label_idx"),
        ]

    def __str__(self) -> str:
        return self.label


class AliasOrigin(models.TextChoices):
    IMPORT = "import", "imported"
    MANUAL = "manual", "added by an editor"


class EntityAlias(models.Model):
    """A name an entity goes by in text. The label itself is stored as an alias too, so that
    the matcher and autocomplete read one table."""

    Origin = AliasOrigin

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=300)
    # casefolded, whitespace-collapsed form used for lookups and uniqueness
    normalized = models.CharField(max_length=300)
    language = models.CharField(max_length=16, default="en")
    is_label = models.BooleanField(default=False)
    # A re-import replaces the imported aliases of an entity and keeps those an editor added.
    origin = models.CharField(
        max_length=16, choices=AliasOrigin.choices, default=AliasOrigin.MANUAL
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "entity aliases"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(origin__in=AliasOrigin.values),
                name="knowledge_alias_origin_valid",
            ),
            models.UniqueConstraint(
                fields=["entity", "normalized"], name="knowledge_alias_unique_per_entity"
            ),
            models.CheckConstraint(condition=~models.Q(alias=""), name="knowledge_alias_not_empty"),
        ]
        indexes = [
            # Autocomplete and alias lookup: WHERE normalized LIKE 'prefix%'.
            models.Index(fields=["normalized"], name="alias_normalized_idx"),
        ]

    def __str__(self) -> str:
        return self.alias


def normalize_alias(text: str) -> str:
    return " ".join(text.casefold().split())


class Tenure(models.Model):
    """A person holding an office from `start` to `end` (both inclusive). Dates carry a
    precision: a year-precision start of 2019 means some day in 2019 (see the bound helpers)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="tenures")
    office = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="holder_tenures")
    start = models.DateField(null=True, blank=True)
    start_precision = models.CharField(
        max_length=8, choices=Precision.choices, default=Precision.DAY
    )
    end = models.DateField(null=True, blank=True, help_text="Empty while in office.")
    end_precision = models.CharField(max_length=8, choices=Precision.choices, default=Precision.DAY)
    # Wikidata `somevalue` end: the tenure has ended but the date is unknown.
    end_unknown = models.BooleanField(default=False)
    source_url = models.URLField(max_length=500, blank=True)
    # The Wikidata statement id (e.g. "Q22686$...") so that a re-import updates in place.
    statement_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__isnull=True)
                | models.Q(end__isnull=True)
                | models.Q(start__lte=models.F("end")),
                name="knowledge_tenure_start_lte_end",
            ),
            models.CheckConstraint(
                condition=models.Q(start_precision__in=Precision.values)
                & models.Q(end_precision__in=Precision.values),
                name="knowledge_tenure_precision_valid",
            ),
            models.CheckConstraint(
                condition=~(models.Q(end_unknown=True) & models.Q(end__isnull=False)),
                name="knowledge_tenure_end_unknown_has_no_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("office")),
                name="knowledge_tenure_person_not_office",
            ),
        ]
        indexes = [
            # Who held this office when: WHERE office_id = ? ORDER BY start.
            models.Index(fields=["office", "start"], name="tenure_office_start_idx"),
            # A person's offices (checks, entity page): WHERE person_id = ? ORDER BY start.
            models.Index(fields=["person", "start"], name="tenure_person_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.office} ({self.start or '?'}–{self.end or ('?' if self.end_unknown else '')})"

    @property
    def start_earliest(self) -> dt.date | None:
        return self.start

    @property
    def start_latest(self) -> dt.date | None:
        return bound_latest(self.start, self.start_precision)

    @property
    def end_earliest(self) -> dt.date | None:
        return self.end

    @property
    def end_latest(self) -> dt.date | None:
        return bound_latest(self.end, self.end_precision)

    @property
    def is_current(self) -> bool:
        return self.end is None and not self.end_unknown


def bound_latest(value: dt.date | None, precision: str) -> dt.date | None:
    """The last day a date of the given precision can stand for (2019 → 2019-12-31)."""
    if value is None:
        return None
    if precision == Precision.YEAR:
        return dt.date(value.year, 12, 31)
    if precision == Precision.MONTH:
        next_month = dt.date(value.year + value.month // 12, value.month % 12 + 1, 1)
        return next_month - dt.timedelta(days=1)
    return value


class SyncTargetKind(models.TextChoices):
    PRESET = "preset", "preset"
    OFFICE = "office", "office and its holders"
    PERSON = "person", "person"


class WikidataSyncTarget(models.Model):
    """What `kb_sync` (or an editor's "add from Wikidata") synced, so that the periodic refresh
    re-syncs the same: a preset by name, an office with its holders since a year, a person."""

    Kind = SyncTargetKind

    kind = models.CharField(max_length=16, choices=SyncTargetKind.choices)
    # A preset's name ("heads") or a Wikidata id ("Q14211").
    key = models.CharField(max_length=64)
    # Holders since this year (presets and offices); None for people.
    since = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="knowledge_sync_target_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=SyncTargetKind.values),
                name="knowledge_sync_target_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class WikidataRefresh(models.Model):
    """One periodic refresh of every WikidataSyncTarget, worked through by short tasks: the work
    left is recorded here, so that a lost message or a dead worker only delays it (the next beat
    resumes it once the lease has run out), and a refresh is never started twice."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # True until finished; at most one such row (the constraint below) is what keeps a second
    # refresh from starting while one is in progress, in any process.
    in_progress = models.BooleanField(default=True)
    # The task working on it holds it until then; a message handing over the rest names the next
    # turn, so that it (and only it, or anyone after the lease ran out) takes over.
    lease_until = models.DateTimeField()
    turn = models.PositiveIntegerField(default=0)
    # The work left, in order: {"list": target id}, {"offices": [...], "people": [...]} pages,
    # {"done": target id}.
    steps = models.JSONField(default=list)
    # Entities fetched and written by this refresh: a later page does not fetch them again.
    synced_ids = models.JSONField(default=list)
    pages_done = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["in_progress"],
                condition=models.Q(in_progress=True),
                name="knowledge_one_wikidata_refresh_in_progress",
            ),
        ]

    def __str__(self) -> str:
        return f"refresh {self.pk} ({'in progress' if self.in_progress else 'finished'})"
