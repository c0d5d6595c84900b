"""The demo county MOU: three parties, two versions, back in legal review with counsel's comments from version 1
carried to version 2; seeding twice is safe."""

from __future__ import annotations

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from agreements import selectors
from agreements.demo import TITLE, seed_agreements_demo
from agreements.models import Agreement, AgreementStatus, AgreementVersion, ReviewComment, ReviewDecision
from toolkit.models import Workgroup
from triage.models import Protocol


def _counts():
    return (Agreement.objects.count(), AgreementVersion.objects.count(), ReviewComment.objects.count())


def test_the_demo_mou_is_in_review_again_with_comments_carried_from_version_one_and_seeding_twice_is_safe(db):
    call_command("seed_demo", stdout=StringIO())
    county = Workgroup.objects.get(slug="riverbend-county")
    coordinator = get_user_model().objects.get(email="coordinator@example.org")
    seed_agreements_demo(workgroup=county, actor=coordinator)  # whether or not the seed_demo hook ran already
    first = _counts()

    call_command("seed_demo", stdout=StringIO())
    seed_agreements_demo(workgroup=county, actor=coordinator)

    assert _counts() == first
    mou = Agreement.objects.get(workgroup=county, title=TITLE)
    assert mou.status == AgreementStatus.IN_REVIEW and mou.current_version_number == 2
    assert [p.name for p in mou.parties.all()] == [
        "Riverbend Crisis Line (988)", "Riverbend County Emergency Communications (911)",
        "Riverbend Mobile Crisis Team"]
    assert mou.parties.first().signatory_name == "Maya Okonkwo"
    assert mou.protocol == Protocol.objects.get(workgroup=county)
    v1, v2 = mou.versions.order_by("number")
    assert v2.author == coordinator and v1.clauses != v2.clauses
    comments = ReviewComment.objects.filter(version=v1)  # raised on version 1, two still open on version 2
    assert comments.count() == 3 and comments.filter(resolved_at__isnull=False).count() == 1
    assert {c.author.email for c in comments} == {"legal@example.org"}
    assert {c.clause_key for c in comments} == {"call-transfer", "information-sharing", "immunities"}
    assert selectors.open_comments_by_clause(version=v2) == {"information-sharing": 1, "immunities": 1}
    assert ReviewDecision.objects.get(version=v1).decision == "changes_requested"
