from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.models import Group, User

from apps.articles.services import body_sha256
from apps.knowledge.models import Entity, EntityAlias, Tenure, normalize_alias


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-only")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            # get_or_create: a transactional test (live server, worker) flushes the tables, and
            # with them the role groups the data migration made.
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])
        self.save()


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "articles.Article"

    title = factory.Sequence(lambda n: f"Article {n}")
    body = "Officials met in Paris on Tuesday. The talks went on late."
    body_sha256 = factory.LazyAttribute(lambda a: body_sha256(a.body))
    source = "Test Wire"
    published_on = dt.date(2026, 1, 7)


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity
        skip_postgeneration_save = True

    label = factory.Sequence(lambda n: f"Entity {n}")
    kind = Entity.Kind.PERSON

    @factory.post_generation
    def aliases(self, create, extracted, **kwargs):
        names = [self.label, *(extracted or [])]
        for i, name in enumerate(names):
            EntityAlias.objects.get_or_create(
                entity=self,
                normalized=normalize_alias(name),
                defaults={"alias": name, "is_label": i == 0},
            )


class TenureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenure

    person = factory.SubFactory(EntityFactory)
    office = factory.SubFactory(EntityFactory, kind=Entity.Kind.OFFICE)
    start = dt.date(2020, 1, 1)
    end = None


def annotate(article, kind: str, text: str, user, **fields):
    """An annotation over the first occurrence of `text` in the body, made through the service
    (as a person would, from a selection)."""
    from apps.annotations.services import annotation_create

    start = article.body.index(text)
    return annotation_create(
        article=article,
        kind=kind,
        start=start,
        end=start + len(text),
        exact=text,
        user=user,
        fields=fields,
    )
