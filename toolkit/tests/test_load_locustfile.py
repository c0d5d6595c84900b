"""bench/locustfile.py (the load test's journeys) must import and open pages that exist, with the views meant.

locust patches the standard library with gevent when imported, so the file is imported in a child process,
which reports its pages and user classes; the paths are resolved here.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from django.urls import resolve

BENCH = Path(__file__).resolve().parent.parent.parent / "bench"
REPORT = """
import json, locustfile
users = {name: {"role": cls.role, "tasks": sorted(t.__name__ for t in cls.tasks), "weight": cls.weight}
         for name in ("Coordinator", "LegalReviewer", "QAReviewer") for cls in [getattr(locustfile, name)]}
print(json.dumps({"pages": locustfile.PAGES, "journeys": locustfile.JOURNEYS, "users": users}))
"""


def _locustfile() -> dict:
    done = subprocess.run([sys.executable, "-c", REPORT], cwd=BENCH, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_locustfile_imports_and_its_pages_resolve_to_the_views_meant():
    report = _locustfile()
    pages = report["pages"]
    assert set(report["users"]) == {"Coordinator", "LegalReviewer", "QAReviewer"}
    assert {user["role"] for user in report["users"].values()} == {"coordinator", "legal_reviewer", "qa_reviewer"}
    for user in report["users"].values():
        journey = report["journeys"][user["role"]]
        # locust lists a task as many times as its weight
        assert user["tasks"] == sorted(f"open {page}" for page, weight in journey for _ in range(weight))
        assert all(page in pages for page, _ in journey)
    used = {page for journey in report["journeys"].values() for page, _ in journey}
    assert used == set(pages)  # no page listed that no one opens
    for name, (template, view_name) in pages.items():
        path = template.format(slug="riverbend-county", organization=7, agreement=3, version=2, incident=11)
        match = resolve(path.split("?")[0])
        assert match.view_name == view_name, name
        assert match.kwargs.get("slug") == "riverbend-county", name
        for field, value in (("organization", 7), ("agreement", 3), ("incident", 11)):
            if "{" + field + "}" in template:
                assert match.kwargs[f"{field}_id"] == value, name


def test_each_role_opens_paths_of_its_own_rows():
    spec = importlib.util.spec_from_file_location("load_pages", BENCH / "load_pages.py")
    load_pages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load_pages)  # plain Python, no locust
    plan = {"slug": "riverbend-county", "organizations": [7], "agreements": [[3, 2]], "in_review": [[5, 4]],
            "incidents": [11], "open_incidents": [12]}

    def opened(page, role):
        return resolve(load_pages.path_for(page, plan, role, lambda ids: ids[0]).split("?")[0]).kwargs

    assert opened("legal: review page", "legal_reviewer") == {"slug": "riverbend-county", "agreement_id": 5,
                                                               "version_number": 4}
    assert opened("agreements: agreement", "coordinator")["agreement_id"] == 3
    assert opened("incidents: incident", "qa_reviewer")["incident_id"] == 12
    assert opened("incidents: incident", "coordinator")["incident_id"] == 11
