"""Measure the triage pages: the default protocol (a first question for 911 and one for 988, its safety rules and
example scenarios; the figures are printed), and a workgroup with many protocols and a protocol with many
versions (list pages, dashboard card); prints figures.

    DJANGO_ENV=test .venv/bin/python bench/bench_triage.py [--protocols 100] [--versions 40] [--iterations 10]

A throw-away test database on whatever DATABASE_URL points at (SQLite by default).
"""

from __future__ import annotations

import argparse

from _common import connection, measure, test_database
from django.test import Client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--protocols", type=int, default=100)
    parser.add_argument("--versions", type=int, default=40)
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()

    with test_database():
        from toolkit.models import Membership, Role
        from toolkit.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory
        from triage import engine, jsonio, services
        from triage.defaults import EXAMPLE_SCENARIOS
        from triage.models import InForcePeriod, ProtocolVersion, VersionStatus
        from triage.selectors import dashboard_card, tree_for_version

        workgroup = WorkgroupFactory(name="Bench County", slug="bench")
        coordinator = UserFactory(email="coord@bench.test")
        MembershipFactory(user=coordinator, workgroup=workgroup, role=Role.COORDINATOR)
        protocol = services.protocol_create(actor=coordinator, workgroup=workgroup, name="Bench protocol",
                                            scenarios=EXAMPLE_SCENARIOS)
        version = protocol.versions.get()
        client = Client()
        client.force_login(coordinator)
        base = f"/w/bench/triage/versions/{version.pk}"
        n = args.iterations
        tree = tree_for_version(version)
        paths = engine.paths(tree)
        kinds = [node.kind for node in tree.nodes.values()]
        print(f"database: {connection.vendor}")
        print(f"default protocol: {kinds.count(engine.QUESTION)} questions, {kinds.count(engine.OUTCOME)} outcomes, "
              f"{len(paths)} answer paths, {len(tree.rules)} safety rules, {len(EXAMPLE_SCENARIOS)} scenarios")

        def get(url: str, params: dict | None = None):
            response = client.get(url, params or {})
            assert response.status_code == 200, (url, response.status_code)
            return response

        # The simulator at the end of the longest answer path (the index of each answer chosen, from its line's start).
        deepest = max(paths, key=lambda evaluation: len(evaluation.steps))
        simulated = {"line": deepest.line,
                     "path": ".".join(str(step.node.options.index(step.answer)) for step in deepest.steps)}
        measure("GET version page", lambda: get(f"{base}/"), n)
        measure(f"GET scenarios ({len(EXAMPLE_SCENARIOS)})", lambda: get(f"{base}/scenarios/"), n)
        measure("GET decision-point matrix", lambda: get(f"{base}/matrix/"), n)
        measure(f"GET safety rules ({len(tree.rules)})", lambda: get(f"{base}/rules/"), n)
        measure(f"GET simulator, {len(deepest.steps)} answers deep on {deepest.line}",
                lambda: get(f"{base}/simulate/", simulated), n)
        measure("GET diagram.svg (Graphviz)", lambda: get(f"{base}/diagram.svg"), n)
        measure("GET export.json", lambda: get(f"{base}/export.json"), n)
        measure("validate + matrix + rules (pure)",
                lambda: (engine.validate(tree), engine.decision_matrix(tree), engine.breaches(tree)), n)
        data = jsonio.dumps(version).encode()
        measure(f"parse {len(data) // 1024} KB protocol JSON", lambda: jsonio.parse(data), n)

        # Many protocols, and one protocol with many versions (rows written directly: the pages read
        # them, the services that write them are measured above).
        for i in range(args.protocols - 1):
            other = services.protocol_create(actor=coordinator, workgroup=workgroup, name=f"Protocol {i:04d}",
                                             tree=tree)
            first = other.versions.get()
            ProtocolVersion.objects.filter(pk=first.pk).update(status=VersionStatus.APPROVED)
            InForcePeriod.objects.create(workgroup=workgroup, protocol=other, version=first,
                                         started_at=first.created_at)
        for number in range(2, args.versions + 1):
            ProtocolVersion.objects.create(workgroup=workgroup, protocol=protocol, number=number,
                                           created_by=coordinator, change_summary=f"Revision {number}")
        membership = Membership.objects.get(user=coordinator, workgroup=workgroup)
        print(f"{args.protocols} protocols; {args.versions} versions of one of them")
        measure(f"GET protocol list, page 1 of {-(-args.protocols // 25)}", lambda: get("/w/bench/triage/"), n)
        measure(f"GET protocol page ({args.versions} versions)",
                lambda: get(f"/w/bench/triage/protocols/{protocol.pk}/"), n)
        measure("dashboard card", lambda: dashboard_card(workgroup=workgroup, membership=membership), n)
        measure("GET dashboard (all cards)", lambda: get("/w/bench/"), n)


if __name__ == "__main__":
    main()
