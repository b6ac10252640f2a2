"""The periodic refresh as a chain of short tasks (eager here), against the hand-made Wikidata
fixtures replayed by `responses`: the same knowledge base as `kb_sync_run`, a page that runs out of
time continues in a new message, a lost message is resumed by the next beat, and a second refresh
does not start while one is in progress."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import task_prerun
from django.db import connection
from django.utils import timezone

from apps.articles import processing
from apps.knowledge import sync
from apps.knowledge.models import Entity, EntityAlias, Tenure, WikidataRefresh, WikidataSyncTarget
from apps.knowledge.sync import kb_sync_run
from apps.knowledge.tasks import kb_sync_refresh
from tests.knowledge.test_sync import MACRON, SUNAK, UKPM

TARGETS = [("preset", "heads", None), ("office", UKPM, 2020), ("person", MACRON, None)]


def remember_targets() -> None:
    for kind, key, since in TARGETS:
        WikidataSyncTarget.objects.create(kind=kind, key=key, since=since)


def knowledge_base() -> dict:
    entities = {
        e.wikidata_id: (
            e.kind,
            e.label,
            e.gender,
            tuple(e.demonyms),
            e.wikidata_revision,
            e.jurisdiction.wikidata_id if e.jurisdiction else None,
            tuple(sorted(a.alias for a in e.aliases.all())),
        )
        for e in Entity.objects.select_related("jurisdiction").prefetch_related("aliases")
    }
    tenures = sorted(
        (t.person.wikidata_id, t.office.wikidata_id, str(t.start), str(t.end), t.start_precision)
        for t in Tenure.objects.select_related("person", "office")
    )
    return {"entities": entities, "tenures": tenures}


def wipe() -> None:
    Tenure.objects.all().delete()
    EntityAlias.objects.all().delete()
    Entity.objects.update(jurisdiction=None)
    Entity.objects.all().delete()


@pytest.fixture
def continues():
    """The refresh tasks run, in order (eager tasks run inside the one that sent them)."""
    ran: list[str] = []

    def record(sender=None, task=None, **kwargs):
        ran.append(task.name)

    task_prerun.connect(record, weak=False)
    yield ran
    task_prerun.disconnect(record)


def fetched_ids(fake) -> list[str]:
    return [
        qid
        for kind, params in fake.requests
        if kind == "api" and params.get("action") == "wbgetentities"
        for qid in params["ids"].split("|")
    ]


@pytest.mark.django_db
def test_a_refresh_through_the_tasks_builds_the_same_knowledge_base_as_kb_sync_run(wikidata, fake):
    remember_targets()

    assert kb_sync_refresh.delay().get() == "refresh of 3 targets started"

    refreshed = knowledge_base()
    assert len(refreshed["entities"]) == 24 and len(refreshed["tenures"]) == 15
    assert not WikidataSyncTarget.objects.filter(last_synced_at=None).exists()
    [refresh] = WikidataRefresh.objects.all()
    assert not refresh.in_progress and refresh.finished_at and refresh.steps == []
    wipe()
    kb_sync_run(presets=["heads"], remember=False)
    kb_sync_run(offices=[UKPM], since=2020, remember=False)
    kb_sync_run(people=[MACRON], remember=False)
    assert knowledge_base() == refreshed


@pytest.mark.django_db
def test_a_refresh_out_of_time_continues_in_new_messages_and_writes_nothing_twice(
    wikidata, fake, settings, continues, monkeypatch
):
    settings.PROCESSING_DRAIN_SECONDS = 0  # every task does one step and hands the rest on
    monkeypatch.setattr(sync, "REFRESH_PAGE", 2)  # pages of 2 people: offices shared across pages
    remember_targets()

    kb_sync_refresh.delay().get()

    # The 3 listings, their pages and 3 "target done" steps: one message each.
    assert continues[0] == "knowledge.kb_sync_refresh"
    [refresh] = WikidataRefresh.objects.all()
    assert continues.count("knowledge.kb_sync_refresh_continue") == 3 + refresh.pages_done + 3
    assert not refresh.in_progress and refresh.pages_done >= 9
    assert knowledge_base()["entities"][SUNAK][1] == "Rishi Sunak"
    # Nothing fetched or written twice: one request per entity, one history row per entity.
    ids = fetched_ids(fake)
    assert len(ids) == len(set(ids)) == Entity.objects.count()
    assert Entity.history.count() == Entity.objects.count()
    assert not WikidataSyncTarget.objects.filter(last_synced_at=None).exists()


@pytest.mark.django_db
def test_a_lost_message_is_resumed_by_the_next_beat_once_its_lease_ran_out(
    wikidata, fake, settings, monkeypatch, continues
):
    settings.PROCESSING_DRAIN_SECONDS = 0
    remember_targets()
    send = processing.task_send
    monkeypatch.setattr(processing, "task_send", lambda name, **kwargs: False)
    kb_sync_refresh.delay().get()  # the first message is lost (the broker took nothing)
    assert continues == ["knowledge.kb_sync_refresh"]
    monkeypatch.setattr(processing, "task_send", send)

    # Lost before any task took it: the next beat resumes it at once.
    assert kb_sync_refresh.delay().get() == "resuming an interrupted refresh"
    [refresh] = WikidataRefresh.objects.all()
    assert not refresh.in_progress and refresh.turn > 3
    assert Entity.history.count() == Entity.objects.count() > 20


@pytest.mark.django_db
def test_a_dead_task_is_resumed_only_after_its_lease(wikidata, fake, settings):
    remember_targets()
    refresh = WikidataRefresh.objects.create(
        steps=[{"list": t.pk} for t in WikidataSyncTarget.objects.all()],
        turn=5,
        lease_until=timezone.now() + dt.timedelta(seconds=200),  # a task is working on it
    )

    assert kb_sync_refresh.delay().get() == "a refresh is in progress"
    assert not Entity.objects.exists()

    WikidataRefresh.objects.filter(pk=refresh.pk).update(lease_until=timezone.now())
    assert kb_sync_refresh.delay().get() == "resuming an interrupted refresh"
    refresh.refresh_from_db()
    assert not refresh.in_progress and Entity.objects.filter(wikidata_id=MACRON).exists()
    assert WikidataRefresh.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_second_refresh_does_not_start_while_one_is_in_progress(wikidata, fake, continues):
    remember_targets()
    answers: list[str] = []
    answer = fake.answer

    def beat_again_meanwhile(kind, params):
        if not answers:
            # Another beat (another process, its own connection) while the first page is
            # being fetched.
            def beat():
                try:
                    answers.append(kb_sync_refresh.apply().result)
                finally:
                    connection.close()

            thread = threading.Thread(target=beat)
            thread.start()
            thread.join()
        return answer(kind, params)

    fake.answer = beat_again_meanwhile

    kb_sync_refresh.delay().get()

    assert answers == ["a refresh is in progress"]
    assert WikidataRefresh.objects.count() == 1
    assert continues.count("knowledge.kb_sync_refresh") == 2
    ids = fetched_ids(fake)
    assert len(ids) == len(set(ids))  # nothing fetched twice: only one refresh worked


@pytest.mark.django_db
def test_a_step_cut_by_the_soft_time_limit_is_redone_by_the_next_message(
    wikidata, fake, monkeypatch, continues
):
    remember_targets()
    step = sync._refresh_step
    calls: list[dict] = []

    def slow_second_page(one, *, refresh, client):
        calls.append(one)
        if "people" in one and sum("people" in c for c in calls) == 2:
            step(one, refresh=refresh, client=client)  # its writes done, then the limit hits
            raise SoftTimeLimitExceeded()
        return step(one, refresh=refresh, client=client)

    monkeypatch.setattr(sync, "_refresh_step", slow_second_page)

    kb_sync_refresh.delay().get()

    [refresh] = WikidataRefresh.objects.all()
    assert not refresh.in_progress
    assert continues.count("knowledge.kb_sync_refresh_continue") == 2
    pages = [c for c in calls if "people" in c]
    assert pages[1] == pages[2]  # the cut page, done again by the next message
    assert Entity.history.count() == Entity.objects.count() == 24  # and nothing written twice
