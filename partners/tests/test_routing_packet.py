"""The agreement packet's directory exhibit lists the parties' transfer lines (from the routing directory)."""

from __future__ import annotations

from agreements.tests.test_packets import build, demo  # noqa: F401  (the seeded demo county fixture)
from partners.models import TransferLine
from toolkit.models import JobStatus


def test_the_directory_exhibit_lists_each_partys_transfer_lines_in_use(demo):  # noqa: F811
    parties = {party.organization_id for party in demo["mou"].parties.all()}
    listed = TransferLine.objects.filter(organization_id__in=parties, is_active=True)
    assert listed.exists(), "the demo MOU's parties should have transfer lines"

    packet, job, reader, pages = build(demo, sections=["directory"])

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    text = " ".join(" ".join(pages).split())
    assert "Transfer lines" in text
    for line in listed:
        assert line.name in text
