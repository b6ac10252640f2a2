from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.articles.models import Article
from apps.articles.selectors import article_get_for_user, article_list_for_user


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")
    status = request.GET.get("status", "")
    source = request.GET.get("source", "")
    articles = article_list_for_user(user=request.user, search=search, status=status, source=source)
    page = Paginator(articles, 50).get_page(request.GET.get("page"))
    sources = (
        Article.objects.exclude(source="")
        .order_by("source")
        .values_list("source", flat=True)
        .distinct()
    )
    return render(
        request,
        "articles/list.html",
        {
            "page": page,
            "q": search,
            "status": status,
            "source": source,
            "statuses": Article.Status.choices,
            "sources": sources,
        },
    )


@login_required
def article_detail(request: HttpRequest, article_uuid) -> HttpResponse:
    article = article_get_for_user(article_uuid=article_uuid, user=request.user)
    return render(request, "articles/detail.html", {"article": article})
