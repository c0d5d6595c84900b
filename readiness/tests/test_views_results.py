"""The results page: the profile first, the spread, organizations, the stage; aggregates only."""

from __future__ import annotations

import lxml.html
import pytest
from django.utils import timezone

from partners.models import Organization
from partners.tests.factories import OrganizationFactory
from readiness.models import Answer, RoundStatus
from readiness.tests.factories import RoundFactory, link_respondent, member_respondent, small_version, submitted
from toolkit.models import Job

RESPONDENT_NAMES = ("Alex Hidden", "Blair Hidden", "Casey Hidden", "Drew Hidden", "Emery Hidden", "Finley Hidden")


def organization(workgroup, name):
    return Organization.objects.filter(workgroup=workgroup, name=name).first() or OrganizationFactory(
        workgroup=workgroup, name=name
    )


def close(round_):
    """Close a round the way the service leaves it (status and time), without its audit trail."""
    round_.status, round_.closed_at = RoundStatus.CLOSED, timezone.now()
    round_.save(update_fields=["status", "closed_at"])
    return round_


def two_organization_round(workgroup, *, title="Spring readiness round", opened_at=None, closed=True):
    """Closed by default: that is when everyone in the workgroup sees a round's results.

    Hand-computed scores (small_version):

    * Riverbend 988 Center (one person): Leadership (4 + 2·4 + (6−2)) / 4 = 4; Data sharing (no=1 + 2) / 2 = 1.5.
    * County PSAP (three people): Leadership (16 + 16 + 15) / 12 = 47/12 ≈ 3.917; Data sharing 5.
    * Workgroup: Leadership (4 + 47/12) / 2 = 95/24 ≈ 3.958 → shows 3.9, Borderline (rounding would say 4.0);
      Data sharing (1.5 + 5) / 2 = 3.25 → 3.2; overall (95/24 + 2 · 13/4) / 3 = 251/72 ≈ 3.486 → 3.4, stage 3.
    * Spread: Data sharing 1.5–5.0 (3.5) is the largest disagreement.
    Two more people were invited: one has answers in progress (never counted), one has not started.
    """
    version, items = small_version(workgroup, name=f"Small instrument for {title}")
    round_ = RoundFactory(workgroup=workgroup, instrument_version=version, title=title,
                          opened_at=opened_at or timezone.now())
    center, psap = organization(workgroup, "Riverbend 988 Center"), organization(workgroup, "County PSAP")
    i = items
    submitted(link_respondent(round_, name=RESPONDENT_NAMES[0], email="alex@hidden.test", organization=center,
                              role_title="Night shift lead"),
              {i["L1"]: "4", i["L2"]: "4", i["L3"]: "2", i["L4"]: "A private remark nobody else should read",
               i["D1"]: "no", i["D2"]: "2", i["D3"]: "7"})
    for name, l1 in zip(RESPONDENT_NAMES[1:4], ("4", "4", "3"), strict=True):
        submitted(link_respondent(round_, name=name, organization=psap),
                  {i["L1"]: l1, i["L2"]: "4", i["L3"]: "2", i["D1"]: "yes", i["D2"]: "5"})
    in_progress = link_respondent(round_, name=RESPONDENT_NAMES[4], organization=psap)
    Answer.objects.create(respondent=in_progress, item=i["L1"], choice="1")
    in_progress.started_at = timezone.now()
    in_progress.save(update_fields=["started_at"])
    link_respondent(round_, name=RESPONDENT_NAMES[5], organization=center)
    if closed:
        close(round_)
    return round_, items


def held_back_round(workgroup, *, title="Autumn readiness round", closed=True):
    """One organization: Leadership 2 (concern), Data sharing 5; overall (2 + 2·5) / 3 = 4, but stage 4
    needs every dimension scored at 3 or more, so the workgroup stays at stage 3, held back by Leadership.
    Closed by default, like ``two_organization_round``."""
    version, items = small_version(workgroup, name=f"Small instrument for {title}")
    round_ = RoundFactory(workgroup=workgroup, instrument_version=version, title=title)
    center = organization(workgroup, "Riverbend 988 Center")
    submitted(link_respondent(round_, name="Gale Hidden", organization=center),
              {items["L1"]: "2", items["L2"]: "2", items["L3"]: "4", items["D1"]: "yes", items["D2"]: "5"})
    if closed:
        close(round_)
    return round_, items


def _url(round_, page="results"):
    return f"/w/{round_.workgroup.slug}/readiness/rounds/{round_.pk}/{page}/"


def _doc(response):
    return lxml.html.fromstring(response.content.decode())


def by_testid(node, testid: str, path: str = "") -> list:
    """Elements with this data-testid (and optionally a relative xpath below them)."""
    return node.xpath(f'.//*[@data-testid="{testid}"]{path}')


def _text(node) -> str:
    return " ".join(node.text_content().split())


def test_the_profile_comes_first_with_truncated_scores_and_bands(client, workgroup, viewer):
    round_, _ = two_organization_round(workgroup)
    client.force_login(viewer)

    response = client.get(_url(round_))

    assert response.status_code == 200
    doc = _doc(response)
    rows = {r.get("data-dimension"): r for r in by_testid(doc, "dimension-row")}
    lead = [_text(td) for td in rows["lead"].xpath("td")]
    assert lead[1:] == ["3.9", "Borderline"] and lead[0].startswith("Leadership")
    assert _text(by_testid(rows["lead"], "dimension-counts")[0]) == "12 answers · 0 missing"
    data = [_text(td) for td in rows["data"].xpath("td")]
    assert data[1:] == ["3.2", "Borderline"] and data[0].startswith("Data sharing")
    assert _text(by_testid(rows["data"], "dimension-counts")[0]) == "8 answers · 0 missing"
    html = response.content.decode()
    assert html.index('data-testid="profile"') < html.index('data-testid="spread"') < html.index('data-testid="stage"')
    assert len(by_testid(doc, "profile", '//*[local-name()="rect"][@data-role="bar"]')) == 2
    assert "4.0" not in _text(by_testid(doc, "dimension-table")[0])


def test_it_counts_submitted_responses_only_and_says_so(client, workgroup, member):
    round_, _ = two_organization_round(workgroup)
    client.force_login(member)

    doc = _doc(client.get(_url(round_)))

    count = _text(by_testid(doc, "response-count")[0])
    assert count.startswith("4 submitted of 6 invited.")
    assert "in progress are left out" in count


def test_the_spread_names_the_largest_disagreement_first(client, workgroup, viewer):
    round_, _ = two_organization_round(workgroup)
    client.force_login(viewer)

    doc = _doc(client.get(_url(round_)))

    sentence = _text(by_testid(doc, "disagreement")[0])
    assert sentence == (
        "Partners disagree most on “Data sharing”: from 1.5 (Riverbend 988 Center) to 5.0 (County PSAP), "
        "a gap of 3.5 points."
    )
    spread_rows = [[_text(td) for td in tr.xpath("td")] for tr in by_testid(doc, "spread-table", "/tbody/tr")]
    assert spread_rows == [["Data sharing", "1.5", "5.0", "3.5"], ["Leadership", "3.9", "4.0", "0.0"]]
    dots = by_testid(doc, "spread", '//*[@data-role="dot"]')
    assert len(dots) == 4  # two organizations × two dimensions


def test_organizations_overall_and_stage(client, workgroup, viewer):
    round_, _ = two_organization_round(workgroup)
    client.force_login(viewer)

    doc = _doc(client.get(_url(round_)))

    orgs = [[_text(c) for c in tr.xpath("th|td")] for tr in by_testid(doc, "organization-table", "/tbody/tr")]
    assert orgs == [["County PSAP", "3", "3.9", "5.0", "4.6"], ["Riverbend 988 Center", "1", "4.0", "1.5", "2.3"]]
    assert _text(by_testid(doc, "overall-score")[0]) == "3.4"
    assert _text(by_testid(doc, "stage-name")[0]) == "Stage 3 of 5: Preparing"
    assert not by_testid(doc, "held-back")
    assert "never by rounding up" in _text(by_testid(doc, "stage")[0])


def test_a_concern_holds_the_stage_back_and_the_page_says_which(client, workgroup, viewer):
    round_, _ = held_back_round(workgroup)
    client.force_login(viewer)

    doc = _doc(client.get(_url(round_)))

    assert _text(by_testid(doc, "overall-score")[0]) == "4.0"
    assert _text(by_testid(doc, "stage-name")[0]) == "Stage 3 of 5: Preparing"
    held = _text(by_testid(doc, "held-back")[0])
    assert "stage 4 (“Ready to put into practice”)" in held
    assert "Held back by: Leadership (2.0)." in held
    assert "Only one organization has submitted" in _text(by_testid(doc, "disagreement")[0])


def test_the_page_never_shows_a_respondent_or_an_individual_answer(client, workgroup, coordinator):
    round_, _ = two_organization_round(workgroup)
    client.force_login(coordinator)  # even the coordinator, who may read answers elsewhere

    html = client.get(_url(round_)).content.decode()

    for name in RESPONDENT_NAMES:
        assert name not in html
    assert "alex@hidden.test" not in html
    assert "Night shift lead" not in html
    assert "A private remark" not in html


def test_lowest_and_most_divided_statements_are_listed(client, workgroup, viewer):
    round_, _ = two_organization_round(workgroup)
    client.force_login(viewer)

    doc = _doc(client.get(_url(round_)))

    lowest = [_text(tr) for tr in by_testid(doc, "lowest-statements", "/tbody/tr")]
    # D1: (1 + 5) / 2 = 3.0 is the lowest; D2: (2 + 5) / 2 = 3.5.
    assert lowest[0].startswith("Statement D1") and lowest[0].endswith("3.0")
    widest = [_text(tr) for tr in by_testid(doc, "widest-statements", "/tbody/tr")]
    assert widest[0].startswith("Statement D1") and widest[0].endswith("1.0–5.0")


def test_nothing_submitted_shows_the_empty_state(client, workgroup, viewer):
    version, items = small_version(workgroup)
    round_ = close(RoundFactory(workgroup=workgroup, instrument_version=version))
    link_respondent(round_, name="Hana Hidden")
    client.force_login(viewer)

    doc = _doc(client.get(_url(round_)))

    assert "Nobody submitted this questionnaire before the round closed" in _text(by_testid(doc, "results-empty")[0])
    assert not by_testid(doc, "profile")
    assert _text(by_testid(doc, "response-count")[0]).startswith("0 submitted of 1 invited.")
    assert not by_testid(doc, "build-report")


@pytest.mark.parametrize("role", ["coordinator", "member", "legal_reviewer", "qa_reviewer"])
def test_roles_that_run_jobs_see_the_report_button(client, workgroup, people, role):
    round_, _ = two_organization_round(workgroup)
    client.force_login(people[role])

    assert by_testid(_doc(client.get(_url(round_))), "build-report")


def test_a_viewer_sees_results_but_no_report_button(client, workgroup, viewer):
    round_, _ = two_organization_round(workgroup)
    client.force_login(viewer)

    doc = _doc(client.get(_url(round_)))

    assert by_testid(doc, "profile")
    assert not by_testid(doc, "build-report")
    assert client.post(_url(round_, "report")).status_code == 403
    assert not Job.objects.exists()


def test_building_the_report_starts_a_job_for_this_round(client, workgroup, member, django_capture_on_commit_callbacks):
    round_, _ = two_organization_round(workgroup)
    client.force_login(member)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(_url(round_, "report"))

    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert (job.kind, job.params, job.workgroup, job.requested_by) == (
        "readiness_report_pdf", {"round": round_.pk}, workgroup, member
    )
    assert len(callbacks) == 1  # enqueued once the row is committed


def test_the_report_needs_a_post(client, workgroup, member):
    round_, _ = two_organization_round(workgroup)
    client.force_login(member)

    assert client.get(_url(round_, "report")).status_code == 405


def test_an_outsider_gets_404(client, workgroup, outsider):
    round_, _ = two_organization_round(workgroup)
    client.force_login(outsider)

    assert client.get(_url(round_)).status_code == 404
    assert client.get(_url(round_, "gaps")).status_code == 404
    assert client.post(_url(round_, "report")).status_code == 404


def test_another_workgroups_round_is_not_found_here(client, workgroup, other_workgroup, viewer, outsider):
    foreign, _ = two_organization_round(other_workgroup, title="Elsewhere secret round")
    client.force_login(viewer)

    for page in ("results", "gaps"):
        response = client.get(f"/w/{workgroup.slug}/readiness/rounds/{foreign.pk}/{page}/")
        assert response.status_code == 404
        assert b"Elsewhere secret round" not in response.content


def test_anonymous_people_are_sent_to_sign_in(client, workgroup):
    round_, _ = two_organization_round(workgroup)

    response = client.get(_url(round_))

    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_number_of_queries_does_not_grow_with_respondents(client, workgroup, viewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    round_, items = two_organization_round(workgroup)
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as before:
        client.get(_url(round_))
    for n in range(4):
        submitted(link_respondent(round_, name=f"Extra {n}", organization=organization(workgroup, f"Extra org {n}")),
                  {items["L1"]: "3", items["D1"]: "partly"})

    with CaptureQueriesContext(connection) as after:
        client.get(_url(round_))

    assert len(after) == len(before)


# --- While a round is open its results are for coordinators ------------------------------------------
#
# Reloading before and after one more submission would otherwise show that one person's scores.

NOT_YET = "shared with the workgroup when the coordinator closes the round"
NON_COORDINATORS = ["member", "viewer", "legal_reviewer", "qa_reviewer"]


def _main(response) -> str:
    """The page's own content (not the navigation), as text."""
    return _text(_doc(response).xpath("//main")[0])


@pytest.mark.parametrize("role", NON_COORDINATORS)
@pytest.mark.parametrize("page", ["results", "gaps"])
def test_an_open_rounds_scores_are_not_shown_to_non_coordinators(client, workgroup, people, role, page):
    round_, _ = two_organization_round(workgroup, closed=False)
    client.force_login(people[role])

    response = client.get(_url(round_, page))

    assert response.status_code == 200
    main = _main(response)
    assert NOT_YET in main
    assert _text(by_testid(_doc(response), "response-count")[0]) == "4 of 6 submitted so far."
    for shown_only_when_closed in ("3.9", "3.2", "3.4", "Riverbend 988 Center", "County PSAP", "Leadership",
                                   "Data sharing", "Statement D1"):
        assert shown_only_when_closed not in main
    html = response.content.decode()
    for testid in ("profile", "spread", "organization-table", "stage", "gap", "gaps-empty", "build-report"):
        assert f'data-testid="{testid}"' not in html


@pytest.mark.parametrize("role", NON_COORDINATORS)
def test_an_open_rounds_gaps_are_not_shown_to_non_coordinators(client, workgroup, people, role):
    round_, _ = held_back_round(workgroup, closed=False)  # Leadership 2.0 is a gap
    client.force_login(people[role])

    response = client.get(_url(round_, "gaps"))

    assert response.status_code == 200
    main = _main(response)
    assert NOT_YET in main and "2.0" not in main and "Leadership" not in main
    assert not by_testid(_doc(response), "gap")


@pytest.mark.parametrize("role", NON_COORDINATORS)
def test_once_the_round_is_closed_every_role_sees_the_scores(client, workgroup, people, role):
    round_, _ = two_organization_round(workgroup)  # closed
    weak, _ = held_back_round(workgroup)  # closed; Leadership 2.0 is a gap
    client.force_login(people[role])

    results, gaps = client.get(_url(round_)), client.get(_url(weak, "gaps"))

    main = _main(results)
    assert NOT_YET not in main and "Live results" not in main
    assert "3.9" in _text(by_testid(_doc(results), "dimension-table")[0])
    assert "Riverbend 988 Center" in main and "County PSAP" in main
    assert by_testid(_doc(gaps), "gap") and NOT_YET not in _main(gaps) and "2.0" in _main(gaps)


def test_a_coordinator_sees_an_open_rounds_live_results_with_a_note(client, workgroup, coordinator):
    round_, _ = two_organization_round(workgroup, closed=False)
    client.force_login(coordinator)

    results, gaps = client.get(_url(round_)), client.get(_url(round_, "gaps"))

    doc = _doc(results)
    note = "Live results: the round is still open; members see results when you close it."
    assert _text(by_testid(doc, "live-note")[0]) == note
    assert "3.9" in _text(by_testid(doc, "dimension-table")[0])
    assert "County PSAP" in _text(by_testid(doc, "organization-table")[0])
    assert by_testid(doc, "build-report")
    assert _text(by_testid(_doc(gaps), "live-note")[0]) == note
    assert NOT_YET not in _main(results)


def test_a_closed_round_has_no_live_note(client, workgroup, coordinator):
    round_, _ = two_organization_round(workgroup)
    client.force_login(coordinator)

    assert not by_testid(_doc(client.get(_url(round_))), "live-note")
    assert not by_testid(_doc(client.get(_url(round_, "gaps"))), "live-note")


@pytest.mark.parametrize("role", NON_COORDINATORS)
def test_the_report_of_an_open_round_is_refused_to_non_coordinators(client, workgroup, people, role):
    round_, _ = two_organization_round(workgroup, closed=False)
    client.force_login(people[role])

    assert client.post(_url(round_, "report")).status_code == 403
    assert not Job.objects.exists()


def test_a_coordinators_report_of_an_open_round_is_a_coordinators_only_job(client, workgroup, coordinator, viewer):
    round_, _ = two_organization_round(workgroup, closed=False)
    client.force_login(coordinator)

    response = client.post(_url(round_, "report"))

    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert (job.kind, job.params, job.requested_by) == ("readiness_report_live_pdf", {"round": round_.pk}, coordinator)
    client.force_login(viewer)  # its file holds live results: not for the rest of the workgroup
    assert client.get(job.get_absolute_url()).status_code == 403
    assert job.get_absolute_url().encode() not in client.get(f"/w/{workgroup.slug}/jobs/").content


# --- What respondents are told about who sees their answers --------------------------------------

WHO_SEES = ("for your organization. The workgroup sees results per organization once the round closes — if you are "
            "the only person answering for your organization, its scores are your answers. The workgroup's "
            "coordinators can see each person's answers.")


def test_the_questionnaire_and_the_thanks_say_plainly_who_sees_what(client, workgroup, member):
    round_, items = two_organization_round(workgroup, closed=False)
    respondent = member_respondent(round_, member)
    client.force_login(member)
    url = f"/w/{workgroup.slug}/readiness/rounds/{round_.pk}/answer/"

    asked = _text(by_testid(_doc(client.get(url)), "who-sees")[0])
    submitted(respondent, {items["L1"]: "4"})
    thanked = _text(by_testid(_doc(client.get(url)), "who-sees")[0])

    assert asked.endswith("You answer " + WHO_SEES)
    assert thanked == "You answered " + WHO_SEES
    assert "never per person" not in asked


def test_the_link_thanks_page_says_plainly_who_sees_what(rf, workgroup):
    from django.template.loader import render_to_string

    round_, _ = two_organization_round(workgroup, closed=False)

    html = render_to_string("readiness/respond/link_thanks.html", {"round": round_, "workgroup": workgroup},
                            request=rf.get("/"))

    assert _text(by_testid(lxml.html.fromstring(html), "who-sees")[0]) == "You answered " + WHO_SEES
