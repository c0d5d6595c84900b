"""Every readiness page runs the same number of queries for 3 rows as for 30.

Two workgroups, built alike, one with 3 and one with 30 of everything that grows: rounds, respondents
(and their answers), organizations, dimensions and statements, instruments and versions, action items.
The same page of each must cost the same number of queries.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.tests.factories import OrganizationFactory
from readiness.models import (
    ActionItem,
    Answer,
    AnswerType,
    AssessmentRound,
    Dimension,
    Instrument,
    InstrumentStatus,
    InstrumentVersion,
    Item,
    RoundStatus,
)
from readiness.tests.factories import link_respondent, member_respondent
from toolkit.models import Membership, Role
from toolkit.tests.factories import UserFactory, WorkgroupFactory

pytestmark = pytest.mark.django_db


def _version(workgroup, instrument, *, number: int, dimensions: int, status: str) -> InstrumentVersion:
    version = InstrumentVersion.objects.create(
        workgroup=workgroup, instrument=instrument, number=number, status=status,
        published_at=timezone.now() if status != InstrumentStatus.DRAFT else None,
    )
    for d in range(dimensions):
        dimension = Dimension.objects.create(workgroup=workgroup, version=version, key=f"d{d}", name=f"Dimension {d}",
                                             order=d, suggested_action=f"Act on {d}")
        Item.objects.create(workgroup=workgroup, version=version, dimension=dimension, statement=f"Statement {d}a",
                            answer_type=AnswerType.AGREEMENT, order=0)
        Item.objects.create(workgroup=workgroup, version=version, dimension=dimension, statement=f"Statement {d}b",
                            answer_type=AnswerType.TEXT, order=1)
    return version


def _answer_all(respondent, items, *, submit: bool) -> None:
    Answer.objects.bulk_create([
        Answer(respondent=respondent, item=item, choice=str(1 + (respondent.pk + item.pk) % 5)
               if item.answer_type == AnswerType.AGREEMENT else "", text="" if item.is_scored else "Remark")
        for item in items
    ])
    respondent.started_at = timezone.now()
    respondent.submitted_at = timezone.now() if submit else None
    respondent.save(update_fields=["started_at", "submitted_at"])


def _world(slug: str, coordinator, member, n: int) -> dict:
    """``n`` of everything; returns the ids the pages need."""
    workgroup = WorkgroupFactory(slug=slug, name=f"Workgroup {slug}")
    Membership.objects.create(user=coordinator, workgroup=workgroup, role=Role.COORDINATOR)
    Membership.objects.create(user=member, workgroup=workgroup, role=Role.MEMBER)
    instrument = Instrument.objects.create(workgroup=workgroup, name="Focus instrument")
    for number in range(1, n):
        InstrumentVersion.objects.create(workgroup=workgroup, instrument=instrument, number=number,
                                         status=InstrumentStatus.RETIRED, published_at=timezone.now())
    version = _version(workgroup, instrument, number=n, dimensions=n, status=InstrumentStatus.PUBLISHED)
    draft = _version(workgroup, instrument, number=n + 1, dimensions=n, status=InstrumentStatus.DRAFT)
    for i in range(n):
        other = Instrument.objects.create(workgroup=workgroup, name=f"Instrument {i}")
        _version(workgroup, other, number=1, dimensions=1, status=InstrumentStatus.PUBLISHED)
        _version(workgroup, other, number=2, dimensions=1, status=InstrumentStatus.DRAFT)
    items = list(version.items.all())
    organizations = [OrganizationFactory(workgroup=workgroup, name=f"Partner {i}") for i in range(n)]
    due = timezone.localdate() + timedelta(days=14)
    rounds = []
    for r in range(n):
        round_ = AssessmentRound.objects.create(
            workgroup=workgroup, instrument_version=version, title=f"Round {r}", scope_statement="Scope",
            due_date=due, status=RoundStatus.CLOSED, closed_at=timezone.now(),
            opened_at=timezone.now() - timedelta(days=30 * (n - r)),
        )
        _answer_all(link_respondent(round_, organization=organizations[r % n], name=f"Person {r}"), items,
                    submit=True)
        rounds.append(round_)
    focus = rounds[-1]
    for i in range(1, n):  # the focus round: n respondents from n organizations
        _answer_all(link_respondent(focus, organization=organizations[i], name=f"Focus person {i}"), items,
                    submit=True)
    open_round = AssessmentRound.objects.create(workgroup=workgroup, instrument_version=version, title="Open round",
                                                scope_statement="Scope", due_date=due)
    mine = member_respondent(open_round, member, organization=organizations[0])
    _answer_all(mine, items, submit=False)
    links = []
    for i in range(n):
        respondent = link_respondent(open_round, organization=organizations[i], name=f"Open person {i}")
        _answer_all(respondent, items, submit=i % 2 == 0)
        links.append(respondent)
    for i in range(n):
        ActionItem.objects.create(workgroup=workgroup, round=focus, source_key=f"item:{items[i].pk}",
                                  title=f"Action {i}", owner_organization=organizations[i],
                                  due_date=timezone.localdate() + timedelta(days=i - n // 2))
    started = next(r for r in links if not r.submitted_at)
    return {
        "slug": slug, "version": version.pk, "draft": draft.pk, "instrument": instrument.pk, "focus": focus.pk,
        "open": open_round.pk, "rounds": [r.pk for r in rounds], "respondent": started.pk,
        "dimension": draft.dimensions.first().pk, "item": draft.items.first().pk,
        "action": ActionItem.objects.filter(workgroup=workgroup).first().pk,
        "link": _link(started), "workgroup": workgroup,
    }


def _link(respondent) -> str:
    from readiness.services import respondent_token

    return f"/respond/{respondent.workgroup.slug}/{respondent_token(respondent)}/"


def _coordinator_pages(w: dict) -> list[str]:
    base = f"/w/{w['slug']}/readiness"
    compare = "&".join(f"round={pk}" for pk in w["rounds"])
    return [
        f"/w/{w['slug']}/",  # the dashboard card
        f"{base}/", f"{base}/rounds/new/", f"{base}/rounds/{w['open']}/", f"{base}/rounds/{w['focus']}/",
        f"{base}/rounds/{w['open']}/edit/", f"{base}/rounds/{w['open']}/close/", f"{base}/rounds/{w['focus']}/reopen/",
        f"{base}/respondents/{w['respondent']}/", f"{base}/respondents/{w['respondent']}/resend/",
        f"{base}/respondents/{w['respondent']}/remove/",
        f"{base}/instruments/", f"{base}/instruments/new/", f"{base}/instruments/{w['instrument']}/",
        f"{base}/instruments/{w['instrument']}/edit/", f"{base}/versions/{w['version']}/",
        f"{base}/versions/{w['draft']}/", f"{base}/versions/{w['draft']}/edit/",
        f"{base}/versions/{w['draft']}/discard/", f"{base}/versions/{w['draft']}/dimensions/new/",
        f"{base}/dimensions/{w['dimension']}/edit/", f"{base}/dimensions/{w['dimension']}/delete/",
        f"{base}/versions/{w['draft']}/items/new/", f"{base}/items/{w['item']}/edit/",
        f"{base}/items/{w['item']}/delete/",
        f"{base}/rounds/{w['focus']}/results/", f"{base}/rounds/{w['focus']}/gaps/",
        f"{base}/rounds/{w['open']}/results/", f"{base}/rounds/{w['open']}/gaps/",
        f"{base}/compare/", f"{base}/compare/?{compare}",
        f"{base}/actions/", f"{base}/actions/?status=open", f"{base}/actions/new/",
        f"{base}/actions/{w['action']}/edit/",
    ]


def _member_pages(w: dict) -> list[str]:
    base = f"/w/{w['slug']}/readiness"
    return [f"/w/{w['slug']}/", f"{base}/", f"{base}/rounds/{w['open']}/", f"{base}/rounds/{w['open']}/answer/",
            f"{base}/rounds/{w['open']}/results/", f"{base}/rounds/{w['focus']}/results/",
            f"{base}/actions/", f"{base}/instruments/", f"{base}/versions/{w['version']}/"]


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@pytest.fixture
def worlds(db):
    coordinator = UserFactory(email="coordinator@count.test")
    member = UserFactory(email="member@count.test")
    return coordinator, member, _world("few", coordinator, member, 3), _world("many", coordinator, member, 30)


def _pairs(pages, few: dict, many: dict):
    return zip(pages(few), pages(many), strict=True)


def test_a_coordinators_pages_cost_the_same_for_3_and_30_rows(client, worlds):
    coordinator, _member, few, many = worlds
    client.force_login(coordinator)
    counts = {small: (_count(client, small), _count(client, large)) for small, large in _pairs(_coordinator_pages,
                                                                                                 few, many)}
    for url, pair in counts.items():
        print("QUERIES", url.replace("/w/few", ""), pair)
    grew = {url: pair for url, pair in counts.items() if pair[0] != pair[1]}
    assert grew == {}


def test_a_members_pages_cost_the_same_for_3_and_30_rows(client, worlds):
    _coordinator, member, few, many = worlds
    client.force_login(member)
    counts = {small: (_count(client, small), _count(client, large)) for small, large in _pairs(_member_pages,
                                                                                                 few, many)}
    for url, pair in counts.items():
        print("QUERIES", url.replace("/w/few", ""), pair)
    grew = {url: pair for url, pair in counts.items() if pair[0] != pair[1]}
    assert grew == {}


def test_the_one_time_link_page_costs_the_same_for_3_and_30_rows(client, worlds):
    _coordinator, _member, few, many = worlds
    assert _count(client, many["link"]) == _count(client, few["link"])


def test_the_readiness_card_of_the_dashboard_costs_the_same_for_3_and_30_rows(worlds):
    from readiness.selectors import dashboard_card

    coordinator, _member, few, many = worlds

    def card_queries(w):
        membership = Membership.objects.select_related("workgroup").get(user=coordinator, workgroup=w["workgroup"])
        with CaptureQueriesContext(connection) as captured:
            dashboard_card(workgroup=w["workgroup"], membership=membership)
        return len(captured)

    assert card_queries(many) == card_queries(few)


def test_no_list_shows_every_row_at_once(client, worlds, monkeypatch):
    import lxml.html

    from readiness.views import rounds as round_views

    monkeypatch.setattr(round_views, "RESPONDENTS_PER_PAGE", 10)
    coordinator, _member, _few, many = worlds
    client.force_login(coordinator)
    base = "/w/many/readiness"
    for url, testid, size in ((f"{base}/", "round-row", 25), (f"{base}/rounds/{many['open']}/", "respondent-row", 10),
                              (f"{base}/instruments/", "instrument-card", 20), (f"{base}/actions/", "action-row", 25)):
        doc = lxml.html.fromstring(client.get(url).content)
        assert len(doc.xpath(f'//*[@data-testid="{testid}"]')) == size, url
        assert doc.xpath('//*[@data-testid="pagination"]'), url
    doc = lxml.html.fromstring(client.get(f"{base}/instruments/{many['instrument']}/").content)
    assert len(doc.xpath('//*[@data-testid="versions"]//tbody/tr')) == 25
    second = lxml.html.fromstring(client.get(f"{base}/instruments/{many['instrument']}/?page=2").content)
    assert len(second.xpath('//*[@data-testid="versions"]//tbody/tr')) == 6  # 31 versions in all


def test_no_page_reads_the_membership_more_than_once(client, worlds):
    coordinator, member, few, _many = worlds
    checked = []
    for person, pages in ((coordinator, _coordinator_pages), (member, _member_pages)):
        client.force_login(person)
        for url in pages(few):
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            reads = [q for q in captured if 'FROM "toolkit_membership"' in q["sql"]
                     and '"toolkit_membership"."user_id" = ' in q["sql"]]
            assert len(reads) <= 1, (url, [q["sql"] for q in reads])
            checked.append(len(reads))
    assert checked.count(1) == len(checked)  # every page read it, once
