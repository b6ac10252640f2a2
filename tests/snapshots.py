"""What the database holds, to assert that a refused request changed nothing."""

from __future__ import annotations

from django.apps import apps

# Everything a refused write could touch: articles, revisions, spans, evidence, findings, and
# their history tables.
MODELS = (
    "articles.Article",
    "articles.ArticleRevision",
    "annotations.Claim",
    "annotations.Quote",
    "annotations.EntityMention",
    "annotations.DateMention",
    "annotations.Evidence",
    "checks.Finding",
)


def db_snapshot() -> dict[str, list[dict]]:
    snapshot: dict[str, list[dict]] = {}
    for label in MODELS:
        model = apps.get_model(label)
        snapshot[label] = list(model.objects.order_by("pk").values())
        history = getattr(model, "history", None)
        if history is not None:
            snapshot[f"{label} history"] = list(
                history.model.objects.order_by("history_id").values()
            )
    return snapshot
