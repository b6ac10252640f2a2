"""Plain input serializers (they check the shape of a request) and output serializers (they shape
the answer). No serializer writes: the views hand validated data to the services.

Public ids are the UUIDs, named `id`; offsets are Unicode code points into the article body,
end exclusive."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.db.models import Model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.fields import empty

from apps.annotations.models import (
    AnchoredSpan,
    Claim,
    ClaimKind,
    DateMention,
    EntityMention,
    Evidence,
    Quote,
    TitleModifier,
)
from apps.articles.models import Article
from apps.checks.models import Finding
from apps.knowledge.models import Entity, Precision, Tenure

# --- Output ------------------------------------------------------------------------------------


class EntityRefOut(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    label = serializers.CharField()
    kind = serializers.CharField()


def _datetime(value: dt.datetime | None) -> str | None:
    """As DRF's DateTimeField writes it (UTC, `Z`)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


class EvidenceOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")

    class Meta:
        model = Evidence
        fields = ["id", "url", "title", "quoted_passage", "note", "created_at"]

    def to_representation(self, evidence: Evidence) -> dict[str, Any]:
        return evidence_data(evidence)


def evidence_data(evidence: Evidence) -> dict[str, Any]:
    return {
        "id": str(evidence.uuid),
        "url": evidence.url,
        "title": evidence.title,
        "quoted_passage": evidence.quoted_passage,
        "note": evidence.note,
        "created_at": _datetime(evidence.created_at),
    }


@extend_schema_field(OpenApiTypes.UUID)
class ArticleIdField(serializers.Field):
    """The article's UUID, from the `article_uuid` annotation of the API querysets (no join to the
    article body) or, for a single object fresh from a service, from the article itself."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, span: AnchoredSpan) -> str:
        value = getattr(span, "article_uuid", None)
        if value is None:
            value = Article.objects.values_list("uuid", flat=True).get(pk=span.article_id)
        return str(value)


SPAN_FIELDS = [
    "id",
    "article",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "anchor_state",
    "origin",
    "extractor_version",
    "confidence",
    "review_state",
    "reviewed_at",
    "review_note",
    "version",
    "created_at",
    "updated_at",
]


class SpanOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    article = ArticleIdField()


class ClaimOut(SpanOut):
    evidence = EvidenceOut(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            *SPAN_FIELDS,
            "kind",
            "reason",
            "check_worthiness",
            "verdict",
            "verdict_state",
            "rating",
            "rating_label",
            "summary",
            "verdict_at",
            "verified_at",
            "verdict_note",
            "evidence",
        ]

    # The claims feed is the API's hot path (a page of 100 in <= 25 ms, bench/api.py): the
    # answer is written directly rather than field by field through DRF, which took two thirds
    # of a page's time. The fields above still define it (and the OpenAPI schema);
    # tests/api/test_lists.py checks that both give the same answer.
    _plain = [
        "start",
        "end",
        "exact",
        "prefix",
        "suffix",
        "anchor_state",
        "origin",
        "extractor_version",
        "confidence",
        "review_state",
        "review_note",
        "version",
        "kind",
        "reason",
        "check_worthiness",
        "verdict",
        "verdict_state",
        "rating",
        "rating_label",
        "summary",
        "verdict_note",
    ]
    _datetimes = ["reviewed_at", "created_at", "updated_at", "verdict_at", "verified_at"]

    def to_representation(self, claim: Claim) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(claim.uuid),
            "article": self.fields["article"].to_representation(claim),
        }
        for name in self._plain:
            data[name] = getattr(claim, name)
        for name in self._datetimes:
            data[name] = _datetime(getattr(claim, name))
        data["evidence"] = [evidence_data(e) for e in claim.evidence.all()]
        return {name: data[name] for name in self.Meta.fields}


class QuoteOut(SpanOut):
    speaker = EntityRefOut(allow_null=True, read_only=True)

    class Meta:
        model = Quote
        fields = [
            *SPAN_FIELDS,
            "speaker",
            "speaker_text",
            "speaker_confidence",
            "attribution_start",
            "attribution_end",
            "attribution_text",
            "verb",
        ]


class MentionOut(SpanOut):
    entity = EntityRefOut(allow_null=True, read_only=True)
    office = EntityRefOut(allow_null=True, read_only=True)

    class Meta:
        model = EntityMention
        fields = [
            *SPAN_FIELDS,
            "entity",
            "title_start",
            "title_end",
            "title_text",
            "title_modifier",
            "office",
        ]


class DateOut(SpanOut):
    class Meta:
        model = DateMention
        fields = [*SPAN_FIELDS, "value", "precision", "is_relative"]


class FindingOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    article = ArticleIdField()
    spans = serializers.JSONField(
        help_text='The spans it concerns: [{"type": "mention", "uuid": ..., "start": ..., '
        '"end": ..., "exact": ...}].'
    )
    kb_facts = serializers.JSONField(help_text="The knowledge-base facts the check relied on.")

    class Meta:
        model = Finding
        fields = [
            "id",
            "article",
            "code",
            "check_version",
            "severity",
            "message",
            "spans",
            "kb_facts",
            "state",
            "state_reason",
            "state_at",
            "version",
            "created_at",
            "updated_at",
        ]


ARTICLE_FIELDS = [
    "id",
    "external_id",
    "title",
    "source",
    "byline",
    "url",
    "language",
    "published_on",
    "event_on",
    "status",
    "revision",
    "body_sha256",
    # Background work on the current revision (extraction, then checks): state, when it was
    # requested, when it finished or failed and why. "done" only after a run on this body.
    "extraction_state",
    "extraction_requested_at",
    "extracted_at",
    "extraction_failed_at",
    "extraction_error",
    "check_state",
    "check_requested_at",
    "check_done_at",
    "check_failed_at",
    "check_error",
    "created_at",
    "updated_at",
]


class ArticleOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = Article
        fields = ARTICLE_FIELDS
        extra_kwargs = {
            "extraction_state": {
                "help_text": "Automatic pre-annotation of the current revision: pending until a "
                "run on this body finished (done) or failed (see extraction_error); never when "
                "nobody asked for it."
            },
            "extracted_at": {"help_text": "When the last successful extraction finished."},
            "extraction_error": {"help_text": "Why the last extraction failed (empty if not)."},
            "check_state": {
                "help_text": "Consistency checks of the current revision: pending (they wait for "
                "its extraction), running, done (a run on this revision finished), failed "
                "(see check_error)."
            },
            "check_error": {"help_text": "Why the last check run failed (empty if not)."},
        }


class ArticleAnnotationsOut(serializers.Serializer):
    claims = ClaimOut(many=True)
    quotes = QuoteOut(many=True)
    mentions = MentionOut(many=True)
    dates = DateOut(many=True)


class ArticleDetailOut(ArticleOut):
    annotations = serializers.SerializerMethodField()
    findings = FindingOut(many=True, read_only=True, source="api_findings")

    class Meta(ArticleOut.Meta):
        fields = [*ARTICLE_FIELDS, "body", "annotations", "findings"]

    @extend_schema_field(ArticleAnnotationsOut)
    def get_annotations(self, article: Article) -> dict[str, Any]:
        return {
            "claims": ClaimOut(article.api_claims, many=True).data,
            "quotes": QuoteOut(article.api_quotes, many=True).data,
            "mentions": MentionOut(article.api_mentions, many=True).data,
            "dates": DateOut(article.api_dates, many=True).data,
        }


class TenureOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    office = EntityRefOut(read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Tenure
        fields = [
            "id",
            "office",
            "start",
            "start_precision",
            "end",
            "end_precision",
            "end_unknown",
            "is_current",
            "source_url",
        ]


class HolderOut(TenureOut):
    person = EntityRefOut(read_only=True)

    class Meta(TenureOut.Meta):
        fields = [f if f != "office" else "person" for f in TenureOut.Meta.fields]


class EntityOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    aliases = serializers.SerializerMethodField()
    tenures = TenureOut(many=True, read_only=True, help_text="Offices this person held.")
    holders = HolderOut(
        many=True,
        read_only=True,
        source="holder_tenures",
        help_text="For an office: who held it when.",
    )

    class Meta:
        model = Entity
        fields = [
            "id",
            "kind",
            "label",
            "description",
            "wikidata_id",
            "aliases",
            "tenures",
            "holders",
            "created_at",
            "updated_at",
        ]

    def get_aliases(self, entity: Entity) -> list[str]:
        return [alias.alias for alias in entity.aliases.all()]


OUTPUT_SERIALIZERS: dict[type[Model], type[serializers.Serializer]] = {
    Claim: ClaimOut,
    Quote: QuoteOut,
    EntityMention: MentionOut,
    DateMention: DateOut,
    Finding: FindingOut,
    Article: ArticleOut,
}


def serialize_current(obj: Any) -> dict[str, Any] | None:
    """The state of an item as it is now, for the body of a 409."""
    serializer = OUTPUT_SERIALIZERS.get(type(obj))
    if serializer is None:
        return None
    return serializer(obj).data


# --- Input -------------------------------------------------------------------------------------
# JSON input is taken as typed: a number where text is expected (or "5" where a number is) is an
# error, not silently converted.


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictURLField(serializers.URLField):
    default_error_messages = {
        "invalid": "Enter a web address that starts with http:// or https://, like "
        "https://example.org/report."
    }

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class ListedChoiceField(serializers.ChoiceField):
    """A value outside the choices is refused with the choices listed (DRF's own message only
    says that "x" is not a valid choice)."""

    def to_internal_value(self, data: Any) -> Any:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            values = ", ".join(f'"{value}"' for value in self.choices)
            raise serializers.ValidationError(
                f'"{str(data)[:80]}" is not one of the choices: {values}.', code="invalid_choice"
            ) from None


KEPT_WHEN_LEFT_OUT = (
    "Left out: kept as it is when `external_id` names a known article; a new article gets "
)


class ArticleIn(serializers.Serializer):
    title = StrictCharField(max_length=500)
    body = StrictCharField(
        trim_whitespace=False,
        required=False,
        help_text="The article text. Or upload a .txt, .md or .html file as `file` "
        "(multipart/form-data).",
    )
    file = serializers.FileField(
        required=False,
        write_only=True,
        help_text="A .txt, .md or .html file (UTF-8), instead of `body`.",
    )
    # No defaults: a field left out is kept when `external_id` names a known article (the
    # service gives a new one the defaults below); one sent empty ("" or null) is cleared.
    source = StrictCharField(
        max_length=200, required=False, allow_blank=True, help_text=KEPT_WHEN_LEFT_OUT + '"".'
    )
    byline = StrictCharField(
        max_length=300, required=False, allow_blank=True, help_text=KEPT_WHEN_LEFT_OUT + '"".'
    )
    url = StrictURLField(
        max_length=2000, required=False, allow_blank=True, help_text=KEPT_WHEN_LEFT_OUT + '"".'
    )
    language = StrictCharField(
        max_length=16, required=False, help_text=KEPT_WHEN_LEFT_OUT + '"en".'
    )
    published_on = serializers.DateField(
        required=False, allow_null=True, help_text=KEPT_WHEN_LEFT_OUT + "null."
    )
    event_on = serializers.DateField(
        required=False, allow_null=True, help_text=KEPT_WHEN_LEFT_OUT + "null."
    )
    external_id = StrictCharField(
        max_length=200,
        required=False,
        allow_null=True,
        default=None,
        help_text="Your own id for the article: importing it again updates it (a new revision "
        "when the body changed) instead of creating a second one; the fields you leave out "
        'are kept as they are (send one empty, "" or null, to clear it).',
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if ("body" in data) == ("file" in data):
            raise serializers.ValidationError(
                {"body": ["Send the article text as `body`, or upload it as `file` (not both)."]}
            )
        return data


class SpanIn(serializers.Serializer):
    article = serializers.UUIDField(help_text="The article id.")
    start = StrictIntegerField(min_value=0, help_text="Code point offset, inclusive.")
    end = StrictIntegerField(min_value=1, help_text="Code point offset, exclusive.")
    exact = StrictCharField(
        trim_whitespace=False,
        help_text="The text at start–end, as a check that the offsets are the ones you meant "
        "(Unicode code points, not UTF-16 units).",
    )


@extend_schema_field(
    {"type": "string", "format": "uuid", "nullable": True, "description": "An entity id."}
)
class EntityRefIn(serializers.RelatedField):
    default_error_messages = {
        "does_not_exist": "No entity with id {value}; look it up in /api/v1/entities.",
        "invalid": "An entity id (UUID) is expected.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Entity.objects.all(), allow_null=True, **kwargs)

    def to_internal_value(self, data: Any) -> Entity:
        try:
            value = uuid.UUID(str(data))
        except ValueError:
            self.fail("invalid")
        try:
            return self.get_queryset().get(uuid=value)
        except Entity.DoesNotExist:
            self.fail("does_not_exist", value=value)

    def to_representation(self, value: Entity) -> str:
        return str(value.uuid)


class ClaimFieldsIn(serializers.Serializer):
    kind = ListedChoiceField(choices=ClaimKind.choices, required=False)
    reason = StrictCharField(max_length=300, required=False, allow_blank=True)
    check_worthiness = StrictFloatField(min_value=0, max_value=1, required=False, allow_null=True)


class QuoteFieldsIn(serializers.Serializer):
    speaker = EntityRefIn(required=False, help_text="Entity id of the speaker.")
    speaker_text = StrictCharField(max_length=300, required=False, allow_blank=True)
    speaker_confidence = StrictFloatField(min_value=0, max_value=1, required=False, allow_null=True)
    attribution_start = StrictIntegerField(min_value=0, required=False, allow_null=True)
    attribution_end = StrictIntegerField(min_value=1, required=False, allow_null=True)
    attribution_text = StrictCharField(max_length=500, required=False, allow_blank=True)
    verb = StrictCharField(max_length=64, required=False, allow_blank=True)


class MentionFieldsIn(serializers.Serializer):
    entity = EntityRefIn(required=False, help_text="Entity id the mention refers to.")
    title_start = StrictIntegerField(min_value=0, required=False, allow_null=True)
    title_end = StrictIntegerField(min_value=1, required=False, allow_null=True)
    title_text = StrictCharField(max_length=300, required=False, allow_blank=True)
    title_modifier = ListedChoiceField(choices=TitleModifier.choices, required=False)
    office = EntityRefIn(required=False, help_text="Entity id of the office in the title.")


class DateFieldsIn(serializers.Serializer):
    value = serializers.DateField(required=False, allow_null=True)
    precision = ListedChoiceField(choices=Precision.choices, required=False)
    is_relative = StrictBooleanField(required=False)


class ClaimCreateIn(SpanIn, ClaimFieldsIn):
    pass


class QuoteCreateIn(SpanIn, QuoteFieldsIn):
    pass


class MentionCreateIn(SpanIn, MentionFieldsIn):
    pass


class DateCreateIn(SpanIn, DateFieldsIn):
    pass


VERSION_HELP = (
    "The `version` of the item you saw. If someone changed it since, nothing is saved and the "
    "answer is 409 with the current state."
)


class VersionIn(serializers.Serializer):
    version = StrictIntegerField(min_value=1, help_text=VERSION_HELP)


class ClaimUpdateIn(VersionIn, ClaimFieldsIn):
    pass


class QuoteUpdateIn(VersionIn, QuoteFieldsIn):
    pass


class MentionUpdateIn(VersionIn, MentionFieldsIn):
    pass


class DateUpdateIn(VersionIn, DateFieldsIn):
    pass


class VersionQuery(serializers.Serializer):
    """`?version=` of a DELETE (query strings are text)."""

    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


class ReviewIn(VersionIn):
    approve = StrictBooleanField(help_text="true approves, false rejects.")
    note = StrictCharField(
        required=False, allow_blank=True, default="", help_text="Required when rejecting."
    )


class VerdictIn(VersionIn):
    verdict = ListedChoiceField(
        choices=[c for c in Claim.Verdict.choices if c[0] != Claim.Verdict.NOT_RATED]
    )
    rating = StrictIntegerField(
        min_value=1,
        max_value=5,
        required=False,
        allow_null=True,
        help_text="1 (false) to 5 (true); derived from the verdict when left out.",
    )
    rating_label = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    summary = StrictCharField(required=False, allow_blank=True, default="")


class ReturnIn(VersionIn):
    note = StrictCharField(help_text="Why the verdict is sent back.")


class EvidenceIn(serializers.Serializer):
    url = StrictURLField(max_length=2000, required=False, allow_blank=True, default="")
    title = StrictCharField(max_length=500, required=False, allow_blank=True, default="")
    quoted_passage = StrictCharField(required=False, allow_blank=True, default="")
    note = StrictCharField(required=False, allow_blank=True, default="")


class FindingStateIn(VersionIn):
    state = ListedChoiceField(choices=Finding.State.choices)
    reason = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when dismissing, and when acknowledging an error.",
    )


class RecheckOut(serializers.Serializer):
    id = serializers.UUIDField()
    check_state = serializers.CharField()
    check_requested_at = serializers.DateTimeField(allow_null=True)


class HistoryChangeOut(serializers.Serializer):
    field = serializers.CharField(help_text="The field's name as people read it.")
    old = serializers.CharField(
        help_text="Before (empty on creation); long texts are cut to the changed stretch."
    )
    new = serializers.CharField(help_text="After (empty on deletion).")


class HistoryEntryOut(serializers.Serializer):
    date = serializers.DateTimeField()
    user = serializers.CharField(help_text="Username; empty for the system (extraction, checks).")
    action = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    reason = serializers.CharField(help_text="The change reason recorded with it, if any.")
    subject = serializers.CharField(
        help_text="Empty for the item itself; else the dependent changed (an evidence item of a "
        "claim, an alias of an entity)."
    )
    changes = HistoryChangeOut(many=True)


class HistoryOut(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    kind = serializers.CharField()
    title = serializers.CharField()
    deleted = serializers.BooleanField(help_text="The item has been deleted; its history stays.")
    entries = HistoryEntryOut(many=True, help_text="Newest first.")


# --- Bulk annotation ---------------------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "format": "uuid", "nullable": True, "description": "An entity id."}
)
class EntityIdIn(serializers.UUIDField):
    """An entity's UUID, checked for shape only: a bulk request looks all its entities up in one
    query (apps.annotations.services.annotations_create_bulk), not one per item."""

    default_error_messages = {"invalid": "An entity id (UUID) is expected."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, required=False, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class BulkAnnotationIn(ClaimFieldsIn, QuoteFieldsIn, MentionFieldsIn, DateFieldsIn):
    """One item of POST /articles/{id}/annotations: a span of any type with the fields of that
    type's single create (POST /claims, /quotes, /mentions, /dates), without `article`."""

    type = ListedChoiceField(
        choices=["claim", "quote", "mention", "date"],
        help_text="claim, quote, mention or date; the other fields are those of that type's "
        "single create: claim: kind, reason, check_worthiness; quote: speaker, speaker_text, "
        "speaker_confidence, attribution_start/end/text, verb; mention: entity, title_start/"
        "end/text, title_modifier, office; date: value, precision, is_relative.",
    )
    start = StrictIntegerField(min_value=0, help_text="Code point offset, inclusive.")
    end = StrictIntegerField(min_value=1, help_text="Code point offset, exclusive.")
    exact = StrictCharField(
        trim_whitespace=False,
        help_text="The text at start–end (Unicode code points, not UTF-16 units).",
    )
    speaker = EntityIdIn(help_text="quote: entity id of the speaker.")
    entity = EntityIdIn(help_text="mention: entity id the mention refers to.")
    office = EntityIdIn(help_text="mention: entity id of the office in the title.")

    def get_fields(self) -> dict[str, serializers.Field]:
        # DRF deep-copies every declared field for each new serializer: ~25 fields, a tenth of
        # the validation of a 20-span request. The fields are copied once per process here and
        # each serializer gets shallow copies of those, unbound as DRF's are; nothing a field
        # holds after its construction changes when it is bound or validates.
        cls = type(self)
        made = cls.__dict__.get("_made_fields")
        if made is None:
            made = super().get_fields()
            cls._made_fields = made
        return {name: copy.copy(field) for name, field in made.items()}

    # The fields an item leaves out that DRF would skip anyway (optional, no default, read from
    # the item as given) are not run: an item carries the fields of one type, and three of four
    # fields DRF ran per item only raised SkipField (profile of a 20-span request).
    _item: Any = None

    def to_internal_value(self, data: Any) -> Any:
        self._item = data
        try:
            return super().to_internal_value(data)
        finally:
            self._item = None

    @property
    def _writable_fields(self):
        item = self._item
        if not isinstance(item, Mapping):
            yield from super()._writable_fields
            return
        skippable = self._skippable_when_missing()
        for field in super()._writable_fields:
            if field.field_name in item or field.field_name not in skippable:
                yield field

    def _skippable_when_missing(self) -> frozenset[str]:
        cached = self.__dict__.get("_skippable")
        if cached is None:
            cached = self.__dict__["_skippable"] = frozenset(
                name
                for name, field in self.fields.items()
                if not field.required
                and field.default is empty
                and type(field).get_value is serializers.Field.get_value
            )
        return cached


@extend_schema_serializer(many=False)  # the examples are whole lists already: not wrapped again
class BulkListIn(serializers.ListSerializer):
    pass


class BulkItemErrorOut(serializers.Serializer):
    index = serializers.IntegerField(
        allow_null=True, help_text="The item's position in the request, from 0."
    )
    field = serializers.CharField(allow_null=True, help_text="The item's field at fault, if one.")
    message = serializers.CharField()


class BulkErrorOut(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField(help_text="How many items are invalid, and the first.")
    errors = BulkItemErrorOut(
        many=True, required=False, help_text="Every invalid item: index, field and message."
    )
