"""Property (issue 10): nothing a person did is lost, and nothing a person deleted comes back.

A hypothesis state machine builds an article from sentence fragments (dates, titles of office,
quotes, numbers, so that extraction proposes every type), extracts it, then runs a random
sequence of person actions — create, edit, verdict, evidence added and removed, review,
verification, re-attachment, deletion — interleaved with body edits (each followed by the
re-extraction it triggers). After every step:

- every annotation a person touched and did not delete still exists, anchored on its text or
  orphaned, with the verdict and the evidence the person left on it;
- nothing a person deleted comes back: not the item, and no new automatic proposal of that type
  on the same words with the same text on either side.

Bounded for CI (derandomized, no example database in the repository): about 25 examples of up
to 15 steps each, a few seconds on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from apps.annotations import services
from apps.annotations.models import SPAN_MODELS, AnchorState, Claim, Evidence, Origin
from apps.articles.services import article_import, article_update_body
from apps.extraction.services import article_extract
from apps.knowledge.models import Entity
from tests.factories import EntityFactory, TenureFactory, UserFactory

FRAGMENTS = [
    "UK Prime Minister Keir Starmer met Emmanuel Macron in Paris on January 6, 2024.",
    "Macron said, “We are ready to act together with all of our partners.”",
    "Starmer agreed, and 30 countries signed.",
    "The talks ended on Tuesday, January 9, 2024.",
    "“We will not retreat,” Keir Starmer explained.",
    "Officials said 12 ministers attended the summit in Paris on 7 January 2026.",
    "French President Emmanuel Macron stated that the coalition would meet again in March.",
    "The weather was mild.",
]
# Body edits: (old words, new words) where the old ones occur; they change words inside
# sentences (re-anchoring with changed text), remove titles and dates, or whole sentences.
REPLACEMENTS = [
    ("UK Prime Minister Keir Starmer", "Keir Starmer"),
    ("Keir Starmer", "Sir Keir Starmer"),
    ("January 6, 2024", "January 7, 2024"),
    ("met Emmanuel Macron", "welcomed Emmanuel Macron"),
    ("Macron said,", "Macron told reporters,"),
    ("30 countries", "thirty countries"),
    ("ready to act", "ready to move"),
    (" on Tuesday, January 9, 2024", ""),
    ("12 ministers", "twelve ministers"),
    ("French President ", ""),
    ("The weather was mild.", ""),
    ("Starmer agreed, and 30 countries signed.", ""),
]
KINDS = list(SPAN_MODELS)


@dataclass
class Expected:
    """What a person left on an annotation they touched."""

    kind: str
    verdict: str = ""
    evidence: set = field(default_factory=set)


@dataclass
class Deleted:
    kind: str
    uuid: object
    exact: str
    prefix: str
    suffix: str
    existing: set  # ids of that type that existed when it was deleted


class PersonWork(RuleBasedStateMachine):
    people: dict  # set by the test: annotator, reviewer, editor

    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint of the test's transaction, rolled back at the end.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.article = None
        self.touched: dict[object, Expected] = {}
        self.deleted: list[Deleted] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ------------------------------------------------------------------------------

    def _spans(self) -> list:
        return [
            span
            for kind in KINDS
            for span in SPAN_MODELS[kind].objects.filter(article=self.article).order_by("pk")
        ]

    def _pick(self, index: int, kind: str | None = None):
        spans = [s for s in self._spans() if kind is None or isinstance(s, SPAN_MODELS[kind])]
        return spans[index % len(spans)] if spans else None

    def _expect(self, span) -> Expected:
        kind = next(k for k, m in SPAN_MODELS.items() if isinstance(span, m))
        expected = self.touched.get(span.uuid)
        if expected is None:
            expected = Expected(kind=kind)
            if kind == "claim":
                expected.verdict = span.verdict
                expected.evidence = set(span.evidence.values_list("uuid", flat=True))
            self.touched[span.uuid] = expected
        return expected

    def _sentences(self) -> list[tuple[int, int]]:
        body = self.article.body
        found = []
        for fragment in FRAGMENTS:
            start = body.find(fragment)
            if start >= 0:
                found.append((start, start + len(fragment)))
        return found

    def _attempt(self, call):
        """Run a person's action; a refusal (conflict, four eyes, orphan) changes nothing."""
        try:
            return call()
        except services.AnnotationError:
            return None

    def _edit_body(self, body: str) -> None:
        self.article.refresh_from_db()
        if body == self.article.body or not body.strip():
            return
        self.article = article_update_body(
            article=self.article,
            body=body,
            user=self.people["editor"],
            expected_revision=self.article.revision,
        )
        # The re-extraction the edit requests (sent after commit in production).
        article_extract(article_id=self.article.pk)
        self.article.refresh_from_db()

    # --- the article ----------------------------------------------------------------------------

    @initialize(
        fragments=st.lists(st.sampled_from(FRAGMENTS), min_size=2, max_size=5, unique=True),
        joiner=st.sampled_from([" ", "\n"]),
    )
    def import_and_extract(self, fragments, joiner):
        self.article = article_import(
            title="Generated",
            body=joiner.join(fragments),
            published_on=dt.date(2026, 1, 7),
            created_by=self.people["annotator"],
        )
        article_extract(article_id=self.article.pk)
        self.article.refresh_from_db()

    # --- person actions -----------------------------------------------------------------------

    @rule(index=st.integers(0, 50), kind=st.sampled_from(["claim", "mention", "date"]))
    def create(self, index, kind):
        sentences = self._sentences()
        if not sentences:
            return
        start, end = sentences[index % len(sentences)]
        if kind != "claim":
            end = start + self.article.body[start:end].index(" ")  # the first word
        span = self._attempt(
            lambda: services.annotation_create(
                article=self.article,
                kind=kind,
                start=start,
                end=end,
                exact=None,
                user=self.people["annotator"],
            )
        )
        if span is not None:
            self._expect(span)

    @rule(index=st.integers(0, 50), value=st.integers(0, 3))
    def edit(self, index, value):
        span = self._pick(index)
        if span is None:
            return
        fields = {
            Claim: {"kind": ["event_date", "role", "quantity", "other"][value]},
            SPAN_MODELS["quote"]: {"verb": ["said", "stated", "explained", "added"][value]},
            SPAN_MODELS["mention"]: {"title_modifier": ["", "former", "then", "acting"][value]},
            SPAN_MODELS["date"]: {"is_relative": bool(value % 2)},
        }[type(span)]
        user = self.people["annotator" if value % 2 else "editor"]
        done = self._attempt(
            lambda: services.annotation_update(
                span=span, user=user, expected_version=span.version, fields=fields
            )
        )
        if done is not None:
            self._expect(done)

    @rule(index=st.integers(0, 50), verdict=st.sampled_from(["accurate", "inaccurate"]))
    def propose_verdict(self, index, verdict):
        claim = self._pick(index, "claim")
        if claim is None:
            return
        done = self._attempt(
            lambda: services.claim_verdict_propose(
                claim=claim,
                user=self.people["annotator"],
                verdict=verdict,
                expected_version=claim.version,
            )
        )
        if done is not None:
            self._expect(done).verdict = verdict

    @rule(index=st.integers(0, 50))
    def add_evidence(self, index):
        claim = self._pick(index, "claim")
        if claim is None:
            return
        evidence = self._attempt(
            lambda: services.evidence_add(
                claim=claim, user=self.people["annotator"], url=f"https://example.org/{index}"
            )
        )
        if evidence is not None:
            self._expect(claim).evidence.add(evidence.uuid)

    @rule(index=st.integers(0, 50), by=st.sampled_from(["annotator", "reviewer"]))
    def remove_evidence(self, index, by):
        items = list(
            Evidence.objects.filter(claim__article=self.article)
            .order_by("pk")
            .select_related("claim")
        )
        if not items:
            return
        evidence = items[index % len(items)]
        claim = evidence.claim
        gone = self._attempt(
            lambda: (
                services.evidence_remove(evidence=evidence, user=self.people[by]) or evidence.uuid
            )
        )
        if gone is not None:
            self._expect(claim).evidence.discard(gone)

    @rule(index=st.integers(0, 50), approve=st.booleans())
    def review(self, index, approve):
        span = self._pick(index)
        if span is None:
            return
        done = self._attempt(
            lambda: services.annotation_review(
                span=span,
                user=self.people["reviewer"],
                approve=approve,
                expected_version=span.version,
                note="" if approve else "Not a claim.",
            )
        )
        if done is not None:
            self._expect(done)

    @rule(index=st.integers(0, 50))
    def verify(self, index):
        claim = self._pick(index, "claim")
        if claim is None:
            return
        done = self._attempt(
            lambda: services.claim_verify(
                claim=claim, user=self.people["reviewer"], expected_version=claim.version
            )
        )
        if done is not None:
            self._expect(done)

    @rule(index=st.integers(0, 50), sentence=st.integers(0, 50))
    def reattach(self, index, sentence):
        orphans = [s for s in self._spans() if s.anchor_state == AnchorState.ORPHANED]
        sentences = self._sentences()
        if not orphans or not sentences:
            return
        span = orphans[index % len(orphans)]
        start, end = sentences[sentence % len(sentences)]
        done = self._attempt(
            lambda: services.annotation_reattach(
                span=span,
                user=self.people["annotator"],
                expected_version=span.version,
                start=start,
                end=end,
                exact=None,
            )
        )
        if done is not None:
            self._expect(done)

    @rule(index=st.integers(0, 50))
    def delete(self, index):
        span = self._pick(index)
        if span is None:
            return
        kind = next(k for k, m in SPAN_MODELS.items() if isinstance(span, m))
        existing = set(SPAN_MODELS[kind].objects.values_list("pk", flat=True))
        done = self._attempt(
            lambda: (
                services.annotation_delete(
                    span=span, user=self.people["editor"], expected_version=span.version
                )
                or True
            )
        )
        if done:
            self.touched.pop(span.uuid, None)
            self.deleted.append(
                Deleted(kind, span.uuid, span.exact, span.prefix, span.suffix, existing)
            )

    # --- the text changes -----------------------------------------------------------------------

    @rule(which=st.sampled_from(REPLACEMENTS))
    def replace_words(self, which):
        old, new = which
        self.article.refresh_from_db()
        if old in self.article.body:
            self._edit_body(self.article.body.replace(old, new, 1))

    @rule(fragment=st.sampled_from(FRAGMENTS), at_start=st.booleans())
    def add_sentence(self, fragment, at_start):
        self.article.refresh_from_db()
        body = self.article.body
        self._edit_body(f"{fragment} {body}" if at_start else f"{body}\n{fragment}")

    @rule()
    def extract_again(self):
        article_extract(article_id=self.article.pk)

    # --- what must hold after every step --------------------------------------------------------

    @invariant()
    def a_persons_work_is_never_lost(self):
        if self.article is None:
            return
        body = self.article.body
        for uuid, expected in self.touched.items():
            span = SPAN_MODELS[expected.kind].objects.filter(uuid=uuid).first()
            assert span is not None, f"a touched {expected.kind} {uuid} was deleted"
            assert span.touched_at is not None
            if span.anchor_state == AnchorState.ANCHORED:
                assert body[span.start : span.end] == span.exact
            if expected.kind == "claim":
                assert span.verdict == expected.verdict
                assert set(span.evidence.values_list("uuid", flat=True)) == expected.evidence

    @invariant()
    def nothing_deleted_comes_back(self):
        for gone in self.deleted:
            model = SPAN_MODELS[gone.kind]
            assert not model.objects.filter(uuid=gone.uuid).exists()
            again = model.objects.filter(
                Q(prefix=gone.prefix) | Q(suffix=gone.suffix),
                origin=Origin.AUTOMATIC,
                exact=gone.exact,
            ).exclude(pk__in=gone.existing)
            assert not again.exists(), f"a deleted {gone.kind} {gone.exact!r} was proposed again"


@pytest.mark.django_db
def test_nothing_a_person_did_is_lost_and_nothing_deleted_comes_back():
    PersonWork.people = {
        "annotator": UserFactory(username="anna", role="annotator"),
        "reviewer": UserFactory(username="rita", role="reviewer"),
        "editor": UserFactory(username="edith", role="editor"),
    }
    starmer = EntityFactory(label="Keir Starmer", aliases=["Starmer"])
    macron = EntityFactory(label="Emmanuel Macron", aliases=["Macron"])
    uk_pm = EntityFactory(
        label="Prime Minister of the United Kingdom",
        kind=Entity.Kind.OFFICE,
        aliases=["UK Prime Minister"],
    )
    french_president = EntityFactory(
        label="President of France", kind=Entity.Kind.OFFICE, aliases=["French President"]
    )
    TenureFactory(person=starmer, office=uk_pm, start=dt.date(2024, 7, 5))
    TenureFactory(person=macron, office=french_president, start=dt.date(2017, 5, 14))
    EntityFactory(label="Paris", kind=Entity.Kind.PLACE)
    run_state_machine_as_test(
        PersonWork,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
