"""The registered checks. Importing this package registers every one of them."""

from apps.checks.rules import anchors, cross_article, dates, quotes, titles  # noqa: F401
