"""Migration 0003 (issue 10) marks the rows that already show a person's write as touched, and
records who wrote part of each item, from the columns, the history and the evidence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import ArticleFactory, UserFactory

BEFORE = [("annotations", "0002_span_indexes_fewer")]
AFTER = [("annotations", "0003_touched_and_contributors")]


def _span(model, article, exact, **fields):
    start = article.body.index(exact)
    return model.objects.create(
        article_id=article.pk, start=start, end=start + len(exact), exact=exact, **fields
    )


def _history(apps, name, span, *, user, reason, when):
    """A history row as simple-history writes it for a change through a service."""
    history = apps.get_model("annotations", f"Historical{name}")
    model = apps.get_model("annotations", name)
    values = {f.attname: getattr(span, f.attname) for f in model._meta.concrete_fields}
    history.objects.create(
        **values,
        history_date=when,
        history_type="~",
        history_change_reason=reason,
        history_user_id=user.pk,
    )


@pytest.fixture
def owner_connection():
    """Migrations run as the owner of the tables (the app's role may not ALTER them)."""
    from apps.ops import db_roles

    with db_roles.as_owner():
        yield


@pytest.mark.django_db(transaction=True)
def test_it_marks_what_people_wrote_and_who_wrote_it(owner_connection):
    annotator = UserFactory(username="anna", role="annotator")
    annotator2 = UserFactory(username="ann2", role="annotator")
    editor = UserFactory(username="edith", role="editor")
    reviewer = UserFactory(username="rita", role="reviewer")
    article = ArticleFactory(
        body="Officials met in Paris on Tuesday. The talks ended late. Nobody spoke. Macron left."
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        Claim = old.get_model("annotations", "Claim")
        Quote = old.get_model("annotations", "Quote")
        DateMention = old.get_model("annotations", "DateMention")
        EntityMention = old.get_model("annotations", "EntityMention")
        Evidence = old.get_model("annotations", "Evidence")
        then = timezone.now() - dt.timedelta(days=3)
        automatic = {"origin": "automatic", "extractor_version": "x1"}
        with_verdict = _span(
            Claim,
            article,
            "Officials met in Paris",
            **automatic,
            verdict="inaccurate",
            verdict_state="proposed",
            verdict_by_id=annotator.pk,
            verdict_at=then,
        )
        with_evidence = _span(Claim, article, "The talks ended late.", **automatic)
        Evidence.objects.create(
            claim=with_evidence, url="https://x.example", created_by_id=annotator.pk
        )
        untouched = _span(DateMention, article, "Tuesday", **automatic)
        reviewed = _span(
            EntityMention,
            article,
            "Macron",
            **automatic,
            review_state="rejected",
            reviewed_by_id=reviewer.pk,
            reviewed_at=then,
            review_note="Not him.",
        )
        # Created by the annotator, edited by the editor, then last by another annotator.
        edited = _span(
            Quote,
            article,
            "Nobody spoke.",
            created_by_id=annotator.pk,
            edited_by_id=annotator2.pk,
            edited_at=then,
        )
        _history(old, "Quote", edited, user=editor, reason="edited", when=then)

        executor.loader.build_graph()
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps

        def reload(name, span):
            return new.get_model("annotations", name).objects.get(pk=span.pk)

        def contributors(name, span):
            return set(reload(name, span).contributors.values_list("username", flat=True))

        claim = reload("Claim", with_verdict)
        assert (claim.touched_by_id, claim.touched_at) == (annotator.pk, then)
        assert contributors("Claim", with_verdict) == {"anna"}
        assert reload("Claim", with_evidence).touched_at is not None
        assert contributors("Claim", with_evidence) == {"anna"}
        assert reload("DateMention", untouched).touched_at is None
        assert contributors("DateMention", untouched) == set()
        mention = reload("EntityMention", reviewed)
        assert (mention.touched_by_id, mention.touched_at) == (reviewer.pk, then)
        assert contributors("EntityMention", reviewed) == set()  # a review is no contribution
        quote = reload("Quote", edited)
        assert quote.touched_by_id == annotator2.pk
        assert contributors("Quote", edited) == {"anna", "ann2", "edith"}
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
