"""Scoped forms: another workgroup's rows and people are never a valid choice."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured

from toolkit.forms import WorkgroupScopedFormMixin
from toolkit.models import Job, User, Workgroup


class PickForm(WorkgroupScopedFormMixin, forms.Form):
    job = forms.ModelChoiceField(queryset=Job.objects.all())
    person = forms.ModelChoiceField(queryset=User.objects.all())
    workgroup_choice = forms.ModelChoiceField(queryset=Workgroup.objects.all(), required=False)


@pytest.fixture
def jobs(workgroup, other_workgroup, coordinator, outsider):
    ours = Job.objects.create(workgroup=workgroup, kind="workgroup_summary_pdf", requested_by=coordinator)
    theirs = Job.objects.create(workgroup=other_workgroup, kind="workgroup_summary_pdf", requested_by=outsider)
    return ours, theirs


def test_only_this_workgroups_rows_and_members_are_offered(workgroup, jobs, coordinator, outsider):
    form = PickForm(workgroup=workgroup)

    assert list(form.fields["job"].queryset) == [jobs[0]]
    assert list(form.fields["person"].queryset) == [coordinator]
    assert list(form.fields["workgroup_choice"].queryset) == [workgroup]


def test_a_tampered_choice_from_another_workgroup_is_refused(workgroup, jobs, coordinator, outsider):
    form = PickForm({"job": jobs[1].pk, "person": outsider.pk}, workgroup=workgroup)

    assert not form.is_valid()
    assert "Select a valid choice" in form.errors["job"][0]
    assert "Select a valid choice" in form.errors["person"][0]


def test_a_choice_of_rows_without_a_workgroup_must_be_scoped_by_hand(workgroup):
    from django.contrib.auth.models import Group

    class Unscoped(WorkgroupScopedFormMixin, forms.Form):
        group = forms.ModelChoiceField(queryset=Group.objects.all())

    with pytest.raises(ImproperlyConfigured, match="has no workgroup"):
        Unscoped(workgroup=workgroup)
