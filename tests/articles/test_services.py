"""Every rule of apps.articles.services: bad input gets a clear error and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.articles.models import Article, ArticleRevision
from apps.articles.services import (
    ArticleConflict,
    ArticleError,
    ArticleNotAllowed,
    ArticleTooLarge,
    article_import,
    article_update_body,
    article_update_metadata,
    body_normalize,
    body_sha256,
)
from tests.factories import UserFactory
from tests.snapshots import db_snapshot

pytestmark = pytest.mark.django_db

BODY = "Officials met in Paris on Tuesday. The talks went on late."


@pytest.fixture
def article(annotator):
    return article_import(
        title="Talks in Paris",
        body=BODY,
        source="Daily Wire",
        published_on=dt.date(2026, 1, 7),
        external_id="cms-1",
        created_by=annotator,
    )


def _refused(exc_type, call, *, match: str, field: str | None = None):
    before = db_snapshot()
    with pytest.raises(exc_type, match=match) as caught:
        call()
    assert db_snapshot() == before
    if field is not None:
        assert caught.value.field == field
    return caught.value


def test_it_imports_an_article_at_revision_1_with_its_author(article, annotator):
    assert (article.body, article.body_sha256, article.revision) == (BODY, body_sha256(BODY), 1)
    # The body is stored once: ArticleRevision holds earlier bodies only.
    assert not ArticleRevision.objects.filter(article=article).exists()
    assert article.history.get().history_user == annotator


def test_an_edit_keeps_the_imported_body_as_revision_1_with_its_author(article, annotator, editor):
    article_update_body(article=article, body=BODY + " More.", user=editor, expected_revision=1)
    revision = ArticleRevision.objects.get(article=article)
    assert (revision.number, revision.title, revision.body, revision.body_sha256) == (
        1,
        "Talks in Paris",
        BODY,
        body_sha256(BODY),
    )
    assert (revision.created_by, revision.note) == (annotator, "imported")


def test_it_normalises_the_body_to_nfc_unix_newlines_and_no_trailing_space(annotator):
    decomposed = "Cafe\u0301 owners met.\r\nThe mayor spoke.\rLater:\u00a0nothing.  \n\n \t"
    article = article_import(title="Café", body=decomposed, created_by=annotator)
    assert article.body == "Café owners met.\nThe mayor spoke.\nLater:\u00a0nothing."
    assert len("Café") == 4 and article.body.index("owners") == 5  # one code point for é
    assert body_normalize(article.body) == article.body  # idempotent


def test_it_normalises_the_title(annotator):
    article = article_import(title="  Cafe\u0301\n talks  ", body=BODY, created_by=annotator)
    assert article.title == "Café talks"


def test_it_refuses_a_body_over_the_size_limit(annotator, settings):
    settings.ARTICLE_MAX_CHARS = 1000
    error = _refused(
        ArticleTooLarge,
        lambda: article_import(title="Long", body="a" * 1001, created_by=annotator),
        match="1,001 characters; the limit is 1,000",
        field="body",
    )
    assert error.code == "too_large"
    # The limit counts code points after normalisation: 1,000 emoji (4,000 UTF-8 bytes) fit.
    assert len(article_import(title="Emoji", body="🎉" * 1000, created_by=annotator).body) == 1000


def test_it_refuses_a_body_edit_over_the_size_limit(article, annotator, settings):
    settings.ARTICLE_MAX_CHARS = 1000
    _refused(
        ArticleTooLarge,
        lambda: article_update_body(
            article=article, body=BODY + "x" * 1000, user=annotator, expected_revision=1
        ),
        match="the limit is 1,000",
    )


@pytest.mark.parametrize(
    ("kwargs", "match", "field"),
    [
        ({"body": "Text with a \x00 NUL"}, "NUL characters", "body"),
        ({"body": " \n\t "}, "body is empty", "body"),
        ({"title": "Bad\x00title"}, "NUL characters", "title"),
        ({"title": "   "}, "needs a title", "title"),
        ({"title": "t" * 501}, "longer than 500", "title"),
        ({"url": "javascript:alert(1)"}, "url: Enter a valid URL", "url"),
        ({"source": "Wire\x00"}, "NUL", "source"),
        ({"language": "x" * 17}, "language", "language"),
    ],
)
def test_it_refuses_bad_import_input(annotator, kwargs, match, field):
    arguments = {"title": "Talks", "body": BODY, "created_by": annotator, **kwargs}
    _refused(ArticleError, lambda: article_import(**arguments), match=match, field=field)


@pytest.mark.parametrize("role", ["reviewer", None])
def test_it_refuses_an_import_by_someone_who_is_not_an_annotator(role):
    user = UserFactory(role=role)
    _refused(
        ArticleNotAllowed,
        lambda: article_import(title="Talks", body=BODY, created_by=user),
        match="Only annotators and editors can import",
    )


def test_it_updates_an_article_pushed_again_under_its_external_id(article, annotator):
    new_body = BODY.replace("went on late", "ended at midnight")
    again = article_import(
        title="Talks in Paris (updated)",
        body=new_body,
        source="Daily Wire",
        published_on=dt.date(2026, 1, 7),
        external_id="cms-1",
        created_by=annotator,
    )
    assert again.pk == article.pk
    assert Article.objects.count() == 1
    article.refresh_from_db()
    assert (article.title, article.body, article.revision) == (
        "Talks in Paris (updated)",
        new_body,
        2,
    )
    assert list(
        ArticleRevision.objects.filter(article=article)
        .order_by("number")
        .values_list("number", "body")
    ) == [(1, BODY)]  # the earlier body; the current one is the article's


def test_it_does_not_make_a_revision_when_the_same_article_is_pushed_again(article, annotator):
    article_import(
        title="Talks in Paris", body=BODY + "\n", external_id="cms-1", created_by=annotator
    )
    article.refresh_from_db()
    assert article.revision == 1
    assert not ArticleRevision.objects.filter(article=article).exists()


def test_it_refuses_a_body_edit_based_on_an_old_revision(article, annotator):
    article_update_body(article=article, body=BODY + " More.", user=annotator, expected_revision=1)
    error = _refused(
        ArticleConflict,
        lambda: article_update_body(
            article=article, body=BODY + " Other.", user=annotator, expected_revision=1
        ),
        match="now at revision 2, you edited revision 1",
    )
    assert error.current.body == BODY + " More."


def test_it_refuses_a_body_edit_by_a_reviewer(article, reviewer):
    _refused(
        ArticleNotAllowed,
        lambda: article_update_body(
            article=article, body=BODY + " More.", user=reviewer, expected_revision=1
        ),
        match="Only annotators and editors can edit",
    )


def test_it_records_who_edited_the_body(article, editor):
    article_update_body(
        article=article, body=BODY + " More.", user=editor, expected_revision=1, note=" typo "
    )
    latest = article.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (editor, "typo")
    # Once revision 2 is replaced in turn, its row keeps that note and author.
    article_update_body(
        article=article, body=BODY + " More. Even more.", user=editor, expected_revision=2
    )
    kept = ArticleRevision.objects.get(article=article, number=2)
    assert (kept.body, kept.note, kept.created_by) == (BODY + " More.", "typo", editor)


def test_it_changes_metadata_without_undoing_a_concurrent_body_edit(article, annotator, editor):
    stale = Article.objects.get(pk=article.pk)
    article_update_body(article=article, body=BODY + " More.", user=annotator, expected_revision=1)
    article_update_metadata(article=stale, user=editor, title="New title", byline=" Ann Reporter ")
    article.refresh_from_db()
    assert (article.title, article.byline) == ("New title", "Ann Reporter")
    assert (article.body, article.revision) == (BODY + " More.", 2)


@pytest.mark.parametrize(
    ("fields", "exc", "match"),
    [
        ({"body": "x"}, ArticleError, "Cannot change body here"),
        ({"status": "published"}, ArticleError, "status"),
        ({"url": "ftp:/broken"}, ArticleError, "valid URL"),
        ({"title": ""}, ArticleError, "needs a title"),
        ({"byline": "A\x00B"}, ArticleError, "NUL"),
        ({"status": "checked"}, ArticleNotAllowed, "Only reviewers and editors can mark"),
    ],
)
def test_it_refuses_bad_metadata(article, annotator, fields, exc, match):
    _refused(
        exc,
        lambda: article_update_metadata(article=article, user=annotator, **fields),
        match=match,
    )


def test_it_refuses_metadata_changes_by_someone_without_a_role(article, outsider):
    _refused(
        ArticleNotAllowed,
        lambda: article_update_metadata(article=article, user=outsider, title="Mine now"),
        match="Only annotators and editors",
    )


def test_it_lets_a_reviewer_mark_an_article_checked(article, editor):
    article_update_metadata(article=article, user=editor, status="checked")
    article.refresh_from_db()
    assert article.status == "checked"


def test_it_refuses_a_metadata_edit_over_a_change_the_person_did_not_see(
    article, annotator, editor
):
    article_update_metadata(article=article, user=editor, title="Allies meet in Paris")

    conflict = _refused(
        ArticleConflict,
        lambda: article_update_metadata(
            article=article,
            user=annotator,
            seen={"title": "Talks in Paris", "source": "Daily Wire"},
            title="Paris talks",
            source="Morning Wire",
        ),
        match="Someone else changed title",
    )
    assert conflict.fields == ("title",)
    assert conflict.current.title == "Allies meet in Paris"
    # The same edit, with what is there now as seen, goes through.
    saved = article_update_metadata(
        article=article,
        user=annotator,
        seen={"title": "Allies meet in Paris", "source": "Daily Wire"},
        title="Paris talks",
        source="Morning Wire",
    )
    assert (saved.title, saved.source) == ("Paris talks", "Morning Wire")
