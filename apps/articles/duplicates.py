"""Warnings that something just saved may duplicate what is already there: an imported article
with the URL or the body of another. The save stands (a new version of a story can share its
address; a wire story can run twice on purpose); the person is told, with a link, and decides."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.articles.models import Article

SHOWN = 5


def articles_duplicating(*, article: Article) -> list[tuple[Article, str]]:
    """Other articles with the same URL or the same body (by its hash), each with why."""
    same = Q(body_sha256=article.body_sha256)
    if article.url:
        same |= Q(url=article.url)
    others = (
        Article.objects.filter(same)
        .exclude(pk=article.pk)
        .only("uuid", "title", "url", "body_sha256")
        .order_by("id")[:SHOWN]
    )
    found = []
    for other in others:
        reasons = []
        if article.url and other.url == article.url:
            reasons.append("the same URL")
        if other.body_sha256 == article.body_sha256:
            reasons.append("the same text")
        found.append((other, " and ".join(reasons)))
    return found


def duplicate_article_warning(article: Article) -> SafeString | None:
    found = articles_duplicating(article=article)
    if not found:
        return None
    links = format_html_join(
        "; ",
        '<a href="{}">{}</a> ({})',
        ((reverse("articles:detail", args=[other.uuid]), other.title, why) for other, why in found),
    )
    return format_html(
        "Imported, but it may be a duplicate of {}. If it is, work on that one instead.",
        links,
    )
