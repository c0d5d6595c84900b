"""Messages people see when a service refuses; tests match on these constants."""

MSG_SLUG_TAKEN = "That web address is already used by another workgroup; choose another."
MSG_ALREADY_MEMBER = "{email} is already a member of this workgroup."
MSG_LAST_COORDINATOR = "A workgroup needs at least one coordinator; make someone else coordinator first."
MSG_INVITATION_INVALID = (
    "This invitation link is not valid. Check that you copied the whole link, or ask for a new one."
)
MSG_INVITATION_EXPIRED = "This invitation has expired. Ask the workgroup coordinator to send a new one."
MSG_INVITATION_USED = "This invitation has already been used. Sign in to reach the workgroup."
MSG_INVITATION_REVOKED = "This invitation was withdrawn by the workgroup coordinator."
MSG_INVITATION_WRONG_ACCOUNT = (
    "This invitation was sent to {email}, but you are signed in as {current}. "
    "Sign out and open the link again, or ask for an invitation to your address."
)
MSG_INVITATION_ACCOUNT_EXISTS = "An account for {email} already exists: sign in to accept the invitation."
MSG_INVITATION_EMAIL_FAILED = (
    "The invitation e-mail could not be sent (the mail server did not accept it). "
    "Nothing was saved; try again in a moment."
)
MSG_INVITATION_ALREADY_ACCEPTED = "{email} has already accepted this invitation; remove the member instead."
MSG_JOB_KIND_UNKNOWN = "Unknown kind of background job: {kind}."
MSG_INVITATION_INVITER_GONE = (
    "This invitation can no longer be used: the person who sent it no longer manages the workgroup. "
    "Ask a current coordinator for a new one."
)
MSG_JOB_NO_ROOM = ("There was no room left to store the file, so nothing was kept. Tell whoever runs the toolkit "
                   "for your workgroup; retry once they have made room.")
MSG_JOB_GAVE_UP = "This job stopped the worker {attempts} times and was given up. Tell your coordinator."
MSG_JOB_STALE = (
    "This job stopped making progress: the worker running it probably stopped or restarted. Retry it; "
    "if it happens again, tell your coordinator."
)
MSG_JOB_NOT_PICKED_UP = (
    "No background worker picked this job up (its message was lost, or no worker is running). "
    "Retry it; if it happens again, tell whoever runs the toolkit for your workgroup."
)
MSG_JOB_TOO_SLOW = "This job took longer than its {minutes}-minute limit and was stopped."
MSG_JOB_NOT_FAILED = "Only a failed job can be retried."
MSG_ALREADY_ARCHIVED = "This workgroup is archived already."
MSG_NOT_ARCHIVED = "This workgroup is not archived."
MSG_STAFF_ONLY = "Only site staff can do this."
MSG_LAST_COORDINATOR_ELSEWHERE = (
    "This person is the only coordinator of “{workgroup}”. Make someone else coordinator there first, "
    "or delete the workgroup."
)
