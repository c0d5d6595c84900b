"""The pages of the load test's journeys (bench/locustfile.py opens them; bench/load.py --profile measures them).

Plain Python: importing locust patches the standard library with gevent, so what else needs the pages reads
them from here.
"""

from __future__ import annotations

from collections.abc import Callable

# Every page a journey opens: its path (format fields: slug, organization, agreement, version, incident) and the
# URL name it must resolve to (toolkit/tests/test_load_locustfile.py checks both, so the load test does not rot).
PAGES = {
    "dashboard": ("/w/{slug}/", "toolkit:dashboard"),
    "partners: organizations": ("/w/{slug}/partners/organizations/", "partners:directory"),
    "partners: organization": ("/w/{slug}/partners/organizations/{organization}/", "partners:organization-detail"),
    "readiness": ("/w/{slug}/readiness/", "readiness:index"),
    "agreements": ("/w/{slug}/agreements/", "agreements:index"),
    "agreements: agreement": ("/w/{slug}/agreements/{agreement}/", "agreements:agreement-detail"),
    "triage: protocols": ("/w/{slug}/triage/", "triage:index"),
    "jobs": ("/w/{slug}/jobs/", "toolkit:job-list"),
    "legal: review queue": ("/w/{slug}/agreements/review-queue/", "agreements:review-queue"),
    "legal: review page": ("/w/{slug}/agreements/{agreement}/versions/{version}/review/",
                           "agreements:version-review"),
    "legal: export.docx": ("/w/{slug}/agreements/{agreement}/versions/{version}/export.docx",
                           "agreements:export-docx"),
    "incidents": ("/w/{slug}/incidents/", "incidents:index"),
    "incidents: QA queue": ("/w/{slug}/incidents/?status=submitted", "incidents:index"),
    "incidents: incident": ("/w/{slug}/incidents/{incident}/", "incidents:incident-detail"),
    "incidents: trends": ("/w/{slug}/incidents/trends/", "incidents:trends"),
    "transfers": ("/w/{slug}/transfers/", "transfers:index"),
    "transfers: metrics": ("/w/{slug}/transfers/metrics/", "transfers:metrics"),
}

# role → (page, weight): how often each person opens each page.
JOURNEYS = {
    "coordinator": [
        ("dashboard", 3), ("partners: organizations", 2), ("partners: organization", 3), ("readiness", 1),
        ("agreements", 2), ("agreements: agreement", 2), ("triage: protocols", 1), ("jobs", 1),
    ],
    "legal_reviewer": [
        ("legal: review queue", 3), ("legal: review page", 4), ("agreements: agreement", 2),
        ("legal: export.docx", 1),
    ],
    "qa_reviewer": [
        ("incidents", 2), ("incidents: QA queue", 3), ("incidents: incident", 4), ("incidents: trends", 1),
        ("transfers", 1), ("transfers: metrics", 1),
    ],
}



def path_for(page: str, plan: dict, role: str, choose: Callable) -> str:
    """The path of ``page`` for someone of ``role``, its ids chosen by ``choose`` from the plan bench/load.py
    wrote: legal reviewers open agreements in review, QA reviewers open incidents still open."""
    agreement, version = choose(plan["in_review" if page.startswith("legal") else "agreements"])
    return PAGES[page][0].format(
        slug=plan["slug"], organization=choose(plan["organizations"]), agreement=agreement, version=version,
        incident=choose(plan["open_incidents" if role == "qa_reviewer" else "incidents"]),
    )
