from __future__ import annotations

from django.db import connection
from django.db.models import Count, Q

from apps.accounts import roles
from apps.annotations.models import SPAN_MODELS, Claim, ReviewState
from apps.annotations.review_selectors import queue_counts_for_reviewer
from apps.articles.models import Article
from apps.checks.models import Finding
from apps.ops.models import WorkerHeartbeat


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "engine": connection.vendor}
    except Exception as exc:  # any driver error means "not answering"
        return {"ok": False, "engine": connection.vendor, "error": str(exc).splitlines()[0][:200]}


def _check_broker() -> dict:
    from kombu import Connection

    from config.celery import app

    url = app.conf.broker_url
    transport = url.split("://", 1)[0]
    try:
        # A fresh connection, not the pool: the question is whether the broker answers now.
        with Connection(
            url, transport_options=app.conf.broker_transport_options, connect_timeout=2
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": transport}
    except Exception as exc:  # kombu raises many kinds; any means "not answering"
        return {"ok": False, "transport": transport, "error": str(exc).splitlines()[0][:200]}


def health_report() -> dict:
    database = _check_database()
    broker = _check_broker()
    report = {"ok": database["ok"] and broker["ok"], "database": database, "broker": broker}
    if database["ok"]:
        last = (
            WorkerHeartbeat.objects.order_by("-answered_at")
            .values("answered_at", "hostname", "pid")
            .first()
        )
        report["worker_last_heartbeat"] = last["answered_at"].isoformat() if last else None
    return report


def dashboard_for_user(*, user) -> dict:
    """Everything the dashboard shows, in a fixed number of queries: counts by state, the user's
    own work waiting for review or sent back, what they could review, recent open findings."""
    article_counts = dict(Article.objects.values_list("status").annotate(n=Count("id")).order_by())
    span_counts = {}
    for kind, model in SPAN_MODELS.items():
        span_counts[kind] = dict(
            model.objects.values_list("review_state").annotate(n=Count("id")).order_by()
        )
    verdict_counts = dict(
        Claim.objects.values_list("verdict_state").annotate(n=Count("id")).order_by()
    )
    my_queue = []
    sent_back = []
    if roles.can_annotate(user):
        for kind, model in SPAN_MODELS.items():
            for span in (
                model.objects.filter(
                    Q(created_by=user) | Q(edited_by=user),
                    review_state__in=[ReviewState.PROPOSED, ReviewState.REJECTED],
                )
                .select_related("article")
                .defer("article__body")
                .order_by("-updated_at", "-id")[:10]
            ):
                span.kind_key = kind
                (my_queue if span.review_state == ReviewState.PROPOSED else sent_back).append(span)
        for claim in (
            Claim.objects.filter(verdict_by=user, verdict_state=Claim.VerdictState.RETURNED)
            .select_related("article")
            .defer("article__body")
            .order_by("-updated_at", "-id")[:10]
        ):
            claim.kind_key = "verdict"
            sent_back.append(claim)
    my_queue.sort(key=lambda span: (span.updated_at, span.pk), reverse=True)
    sent_back.sort(key=lambda span: (span.updated_at, span.pk), reverse=True)
    review_counts = queue_counts_for_reviewer(user=user)
    recent_findings = (
        Finding.objects.open()
        .select_related("article")
        .defer("article__body")
        .order_by("-updated_at", "-id")[:10]
    )
    return {
        "article_counts": [
            (label, article_counts.get(value, 0)) for value, label in Article.Status.choices
        ],
        "span_counts": [
            (
                kind,
                [(label, span_counts[kind].get(value, 0)) for value, label in ReviewState.choices],
            )
            for kind in SPAN_MODELS
        ],
        "verdict_counts": [
            (label, verdict_counts.get(value, 0)) for value, label in Claim.VerdictState.choices
        ],
        "my_queue": my_queue[:10],
        "sent_back": sent_back[:10],
        "review_counts": [
            (kind, label, review_counts[kind])
            for kind, label in (
                ("claim", "claims"),
                ("quote", "quotes"),
                ("mention", "entity mentions"),
                ("date", "dates"),
                ("verdict", "proposed verdicts"),
            )
        ]
        if review_counts
        else [],
        "review_total": sum(review_counts.values()),
        "recent_findings": recent_findings,
    }
