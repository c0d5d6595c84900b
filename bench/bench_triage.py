"""Measure the triage pages on the default protocol (16 questions, 13 outcomes, 53 answer paths); prints figures.

    DJANGO_ENV=test .venv/bin/python bench/bench_triage.py [--iterations 10]
"""

from __future__ import annotations

import argparse

from _common import connection, measure, test_database
from django.test import Client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()

    with test_database():
        from toolkit.models import Role
        from toolkit.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory
        from triage import engine, jsonio, services
        from triage.defaults import EXAMPLE_SCENARIOS
        from triage.selectors import tree_for_version

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
        print(f"database: {connection.vendor}")
        measure("GET version page", lambda: client.get(f"{base}/"), n)
        measure("GET scenarios (8)", lambda: client.get(f"{base}/scenarios/"), n)
        measure("GET decision-point matrix", lambda: client.get(f"{base}/matrix/"), n)
        measure("GET simulator, 6 answers deep", lambda: client.get(f"{base}/simulate/", {"path": "1.1.1.0.0.0"}), n)
        measure("GET diagram.svg (Graphviz)", lambda: client.get(f"{base}/diagram.svg"), n)
        measure("GET export.json", lambda: client.get(f"{base}/export.json"), n)
        tree = tree_for_version(version)
        measure("validate + matrix (pure)", lambda: (engine.validate(tree), engine.decision_matrix(tree)), n)
        data = jsonio.dumps(version).encode()
        measure(f"parse {len(data) // 1024} KB protocol JSON", lambda: jsonio.parse(data), n)


if __name__ == "__main__":
    main()
