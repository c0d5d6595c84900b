"""The dashboard's "Start here" buttons: each opens a page of the app that the person may use, never a dead end."""

from __future__ import annotations

import re

import pytest

from agreements.tests.test_views_review import make_mou
from toolkit.services.workgroups import workgroup_setup_defaults

START = re.compile(r'<a class="btn btn-primary btn-sm" href="([^"]+)">Start here: ([^<]+)</a>')


def _start_links(client, workgroup) -> list[tuple[str, str]]:
    response = client.get(f"/w/{workgroup.slug}/")
    assert response.status_code == 200
    return START.findall(response.content.decode())


@pytest.mark.parametrize("person", ["coordinator", "member", "legal_reviewer", "qa_reviewer", "viewer"])
def test_every_start_here_button_opens_a_page_the_person_may_use(client, request, workgroup, coordinator, person):
    workgroup_setup_defaults(workgroup=workgroup, actor=coordinator)
    make_mou(workgroup, coordinator)  # one area with something in it, the rest empty
    client.force_login(request.getfixturevalue(person))

    links = _start_links(client, workgroup)

    assert len(links) >= 5, links  # one per area card
    for url, label in links:
        response = client.get(url)
        assert response.status_code == 200, f"“Start here: {label}” ({url}) answered {response.status_code}"
        page = response.content.decode()
        assert "<h1" in page and "being built" not in page and "coming soon" not in page.lower(), url
