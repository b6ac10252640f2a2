"""The database itself refuses broken rows, whatever writes them (bulk inserts, raw updates, the
admin). Run against PostgreSQL in CI; SQLite enforces the same CHECK constraints."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from apps.annotations.models import Claim, DateMention, EntityMention, Quote
from apps.checks.models import Finding
from apps.knowledge.models import Entity, Tenure
from tests.factories import ArticleFactory, EntityFactory

pytestmark = pytest.mark.django_db


def _refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.fixture
def article():
    return ArticleFactory(body="Officials met in Paris on Tuesday.")


@pytest.mark.parametrize("model", [Claim, Quote, EntityMention, DateMention])
def test_it_refuses_an_inverted_or_empty_span(article, model):
    _refused(lambda: model.objects.create(article=article, start=10, end=5, exact="x"))
    _refused(lambda: model.objects.create(article=article, start=7, end=7, exact="x"))
    assert model.objects.count() == 0


def test_it_refuses_an_unknown_review_state_and_kind(article):
    _refused(
        lambda: Claim.objects.create(
            article=article, start=0, end=9, exact="Officials", review_state="maybe"
        )
    )
    _refused(
        lambda: Claim.objects.create(
            article=article, start=0, end=9, exact="Officials", kind="gossip"
        )
    )
    _refused(
        lambda: Claim.objects.create(
            article=article, start=0, end=9, exact="Officials", verdict="sort of"
        )
    )
    _refused(
        lambda: Claim.objects.create(article=article, start=0, end=9, exact="Officials", rating=6)
    )
    assert Claim.objects.count() == 0


def test_it_refuses_a_verified_claim_without_verdict(article):
    _refused(
        lambda: Claim.objects.create(
            article=article, start=0, end=9, exact="Officials", verdict_state="verified"
        )
    )


def test_it_refuses_a_span_past_the_end_through_the_service(article, annotator):
    from apps.annotations.services import AnnotationError, annotation_create

    with pytest.raises(AnnotationError, match="past the end"):
        annotation_create(
            article=article,
            kind="claim",
            start=0,
            end=len(article.body) + 1,
            exact=None,
            user=annotator,
        )
    assert Claim.objects.count() == 0


def test_it_refuses_a_tenure_ending_before_it_starts():
    person = EntityFactory(label="Ada Example")
    office = EntityFactory(label="Mayor of Example", kind=Entity.Kind.OFFICE)
    _refused(
        lambda: Tenure.objects.create(
            person=person, office=office, start=dt.date(2020, 5, 1), end=dt.date(2020, 4, 30)
        )
    )
    _refused(
        lambda: Tenure.objects.create(
            person=person,
            office=office,
            start=dt.date(2020, 5, 1),
            end_unknown=True,
            end=dt.date(2021, 1, 1),
        )
    )
    Tenure.objects.create(
        person=person, office=office, start=dt.date(2020, 5, 1), end=dt.date(2020, 5, 1)
    )
    assert Tenure.objects.count() == 1


def test_it_refuses_an_unknown_entity_kind():
    _refused(lambda: Entity.objects.create(label="Thing", kind="planet"))


def test_it_refuses_a_duplicate_finding_and_a_dismissal_without_reason(article):
    Finding.objects.create(
        article=article,
        code="ROLE_AT_DATE",
        check_version="1",
        severity="error",
        message="m",
        fingerprint="abc",
    )
    _refused(
        lambda: Finding.objects.create(
            article=article,
            code="ROLE_AT_DATE",
            check_version="1",
            severity="error",
            message="m",
            fingerprint="abc",
        )
    )
    _refused(
        lambda: Finding.objects.create(
            article=article,
            code="ANCHORS",
            check_version="1",
            severity="error",
            message="m",
            fingerprint="x",
            state="dismissed",
        )
    )
    _refused(
        lambda: Finding.objects.create(
            article=article,
            code="ANCHORS",
            check_version="1",
            severity="fatal",
            message="m",
            fingerprint="y",
        )
    )
    assert Finding.objects.count() == 1


def test_it_refuses_an_unknown_article_status(article):
    from apps.articles.models import Article

    _refused(lambda: Article.objects.filter(pk=article.pk).update(status="published"))
    _refused(lambda: Article.objects.filter(pk=article.pk).update(revision=0))
