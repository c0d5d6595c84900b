"""Measure legal review: the review page, the reviewer's queue and the agreement page, for an MOU with many
versions and comments carried across them, and a workgroup with many agreements waiting; prints figures.

    DJANGO_ENV=test .venv/bin/python bench/bench_review.py [--versions 30] [--comments 300] [--waiting 200]

A throw-away test database on whatever DATABASE_URL points at (SQLite by default).
"""

from __future__ import annotations

import argparse

from _common import connection, measure, test_database
from django.test import Client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=30)
    parser.add_argument("--comments", type=int, default=300)
    parser.add_argument("--waiting", type=int, default=200)
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()

    with test_database():
        from agreements import services
        from agreements.models import AgreementTemplate
        from partners.tests.factories import OrganizationFactory
        from toolkit.models import Role
        from toolkit.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory

        workgroup = WorkgroupFactory(name="Bench County", slug="bench")
        coordinator, reviewer = UserFactory(email="coord@bench.test"), UserFactory(email="legal@bench.test")
        MembershipFactory(user=coordinator, workgroup=workgroup, role=Role.COORDINATOR)
        MembershipFactory(user=reviewer, workgroup=workgroup, role=Role.LEGAL_REVIEWER)
        services.library_ensure_defaults(workgroup=workgroup)
        template = AgreementTemplate.objects.get(workgroup=workgroup, key="mou")
        parties = [{"organization": OrganizationFactory(workgroup=workgroup)} for _ in range(3)]
        mou = services.agreement_create(actor=coordinator, workgroup=workgroup, template=template,
                                        title="Bench MOU", parties=parties)
        keys = [clause["key"] for clause in mou.versions.get().clauses]
        per_version = max(1, args.comments // args.versions)
        for number in range(1, args.versions + 1):
            version = mou.versions.get(number=number)
            for i in range(per_version):
                comment = services.comment_add(actor=reviewer, version=version, clause_key=keys[i % len(keys)],
                                               body=f"Point {number}.{i}", quote="the parties")
                services.comment_reply(actor=coordinator, comment=comment, body="Answered")
            if number < args.versions:
                mou.refresh_from_db()
                services.agreement_save(actor=coordinator, agreement=mou, base_version_number=number,
                                        title=mou.title, variables={},
                                        clause_bodies={keys[number % len(keys)]: f"<p>Text {number}</p>"})
        services.agreement_submit(actor=coordinator, agreement=mou)
        for i in range(args.waiting):
            other = services.agreement_create(actor=coordinator, workgroup=workgroup, template=template,
                                              title=f"Waiting {i}", parties=parties)
            services.agreement_submit(actor=coordinator, agreement=other)
        client = Client()
        client.force_login(reviewer)
        print(f"database: {connection.vendor}")
        print(f"MOU: {args.versions} versions, {per_version * args.versions} comments with a reply each, "
              f"{len(keys)} clauses; {args.waiting + 1} agreements waiting for review")

        def get(url: str):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        base = f"/w/bench/agreements/{mou.pk}"
        selected = keys[0]
        measure("GET review page, current version, busiest clause",
                lambda: get(f"{base}/versions/{args.versions}/review/?clause={selected}"), args.iterations)
        measure("GET review page, version 1", lambda: get(f"{base}/versions/1/review/"), args.iterations)
        measure("GET agreement page", lambda: get(f"{base}/"), args.iterations)
        measure("GET review queue (first page)", lambda: get("/w/bench/agreements/review-queue/"), args.iterations)
        measure("GET whole text of the current version", lambda: get(f"{base}/versions/{args.versions}/"),
                args.iterations)


if __name__ == "__main__":
    main()
