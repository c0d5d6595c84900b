"""Writes for the core: workgroups, memberships, invitations and background jobs.

Plain keyword-only functions, called alike from views, tasks, commands and tests.
Each one checks permission through ``toolkit.permissions``, validates, writes
atomically and names the actor so the audit trail records who did it.
"""

from toolkit.services.deletion import (
    delete_stored_prefix,
    user_anonymise,
    user_delete,
    workgroup_archive,
    workgroup_delete_permanently,
    workgroup_restore,
)
from toolkit.services.invitations import (
    invitation_accept,
    invitation_accept_with_new_account,
    invitation_create,
    invitation_resolve,
    invitation_revoke,
    invitation_token,
    invitation_url,
)
from toolkit.services.jobs import (
    MAX_JOB_ATTEMPTS,
    job_create,
    job_fail_stale,
    job_retry,
    job_run,
    job_send_unsent,
    job_set_progress,
)
from toolkit.services.messages import *  # noqa: F403  (MSG_* constants, matched by tests)
from toolkit.services.workgroups import (
    membership_change_role,
    membership_remove,
    register_workgroup_setup,
    workgroup_create,
    workgroup_setup_defaults,
    workgroup_update,
)

__all__ = [
    "MAX_JOB_ATTEMPTS",
    "delete_stored_prefix",
    "user_anonymise",
    "user_delete",
    "workgroup_archive",
    "workgroup_delete_permanently",
    "workgroup_restore",
    "invitation_accept",
    "invitation_accept_with_new_account",
    "invitation_create",
    "invitation_resolve",
    "invitation_revoke",
    "invitation_token",
    "invitation_url",
    "job_create",
    "job_fail_stale",
    "job_send_unsent",
    "job_retry",
    "job_run",
    "job_set_progress",
    "membership_change_role",
    "membership_remove",
    "register_workgroup_setup",
    "workgroup_create",
    "workgroup_setup_defaults",
    "workgroup_update",
]
