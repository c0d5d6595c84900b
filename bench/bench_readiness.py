"""Measure readiness scoring and pages at county-plus size; prints figures.

A round of the default instrument (8 dimensions, 33 statements) answered by 60 people from 30
organizations, ROUNDS such rounds for the comparison (scored in four queries however many), 40
action items. Query counts stay the same as rows grow (``readiness/tests/test_queries.py``).

    DJANGO_ENV=test .venv/bin/python bench/bench_readiness.py [--iterations 10]
"""

from __future__ import annotations

import argparse
import io
import random
from datetime import timedelta

from _common import connection, measure, test_database
from django.test import Client
from django.utils import timezone

ORGANIZATIONS, PER_ORGANIZATION, ROUNDS = 30, 2, 8


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()

    with test_database():
        from partners.tests.factories import OrganizationFactory
        from readiness import scoring, selectors
        from readiness.models import ActionItem, AnswerType
        from readiness.reports import READINESS_REPORT, run_readiness_report
        from readiness.tests.factories import RoundFactory, default_version, link_respondent, submitted
        from toolkit.models import Job, Role
        from toolkit.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory

        workgroup = WorkgroupFactory(name="Bench County", slug="bench")
        coordinator = UserFactory(email="coord@bench.test")
        MembershipFactory(user=coordinator, workgroup=workgroup, role=Role.COORDINATOR)
        version = default_version(workgroup)
        items = list(version.items.all())
        organizations = [OrganizationFactory(workgroup=workgroup, name=f"Partner {n:02d}")
                         for n in range(ORGANIZATIONS)]
        rng = random.Random(1)  # noqa: S311
        rounds = []
        for r in range(ROUNDS):
            round_ = RoundFactory(workgroup=workgroup, instrument_version=version, title=f"Round {r + 1}")
            round_.opened_at = timezone.now() - timedelta(days=180 * (ROUNDS - r))
            round_.save()
            for organization in organizations:
                for _ in range(PER_ORGANIZATION):
                    choices = {}
                    for item in items:
                        if item.answer_type == AnswerType.AGREEMENT:
                            choices[item] = str(rng.randint(1, 5))
                        elif item.answer_type == AnswerType.YES_PARTLY_NO:
                            choices[item] = rng.choice(["yes", "partly", "no", "unsure"])
                        elif item.answer_type == AnswerType.NUMBER:
                            choices[item] = rng.randint(0, 50)
                    submitted(link_respondent(round_, organization=organization), choices)
            rounds.append(round_)
        for n in range(40):
            ActionItem.objects.create(workgroup=workgroup, round=rounds[-1], title=f"Action {n}",
                                      due_date=timezone.localdate() + timedelta(days=n - 20))
        latest = rounds[-1]
        client = Client()
        client.force_login(coordinator)
        base = "/w/bench/readiness"
        n = args.iterations
        people = ORGANIZATIONS * PER_ORGANIZATION
        print(f"database: {connection.vendor}; {people} respondents × {len(items)} statements per round")
        measure("round_result (load + score)", lambda: selectors.round_result(round=latest), n)
        result = selectors.round_result(round=latest)
        dims, specs = selectors._specs(version)
        responses = [scoring.Response(i, f"g{i % ORGANIZATIONS}", {}) for i in range(people)]
        measure("score_round only (pure, empty answers)", lambda: scoring.score_round(dims, specs, responses), n)
        measure("gap_proposals", lambda: selectors.gap_proposals(round=latest, result=result), n)
        measure("GET results page", lambda: client.get(f"{base}/rounds/{latest.pk}/results/"), n)
        measure("GET gaps page", lambda: client.get(f"{base}/rounds/{latest.pk}/gaps/"), n)
        query = "&".join(f"round={r.pk}" for r in rounds)
        measure(f"GET compare ({ROUNDS} rounds)", lambda: client.get(f"{base}/compare/?{query}"), n)
        measure("GET action plan (40 items)", lambda: client.get(f"{base}/actions/"), n)
        measure("GET round detail (60 respondents)", lambda: client.get(f"{base}/rounds/{latest.pk}/"), n)
        measure("GET dashboard", lambda: client.get("/w/bench/"), n)
        job = Job(workgroup=workgroup, kind=READINESS_REPORT, params={"round": latest.pk}, requested_by=coordinator)
        measure("GET readiness start page", lambda: client.get(f"{base}/"), n)
        measure("GET instruments", lambda: client.get(f"{base}/instruments/"), n)
        measure("report PDF (context + WeasyPrint)",
                lambda: run_readiness_report(job=job, set_progress=lambda p: None, output=io.BytesIO()),
                max(1, n // 5))


if __name__ == "__main__":
    main()
