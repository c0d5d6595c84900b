"""Writes for the readiness area (instruments, rounds and answers, the action plan)."""

from readiness.services.actions import action_accept, action_create, action_update
from readiness.services.instruments import (
    dimension_delete,
    dimension_move,
    dimension_save,
    instrument_create,
    instrument_ensure_default,
    instrument_update,
    item_delete,
    item_move,
    item_save,
    version_discard_draft,
    version_new_draft,
    version_problems,
    version_publish,
    version_update,
)
from readiness.services.links import (
    link_expiry,
    respondent_for_token,
    respondent_link,
    respondent_link_shown,
    respondent_token,
)
from readiness.services.respondents import (
    respondent_invite_person,
    respondent_remove,
    respondent_resend,
    respondents_invite_contacts,
    respondents_invite_members,
    response_save,
    response_submit,
)
from readiness.services.rounds import (
    round_close,
    round_open,
    round_reopen,
    round_send_reminders,
    round_update,
    rounds_send_due_reminders,
)

__all__ = [
    "action_accept", "action_create", "action_update",
    "dimension_delete", "dimension_move", "dimension_save", "instrument_create", "instrument_ensure_default",
    "instrument_update", "item_delete", "item_move", "item_save", "version_discard_draft", "version_new_draft",
    "version_problems", "version_publish", "version_update",
    "link_expiry", "respondent_for_token", "respondent_invite_person", "respondent_link", "respondent_link_shown",
    "respondent_remove", "respondent_resend",
    "respondent_token", "respondents_invite_contacts", "respondents_invite_members", "response_save",
    "response_submit", "round_close", "round_open", "round_reopen", "round_send_reminders", "round_update",
    "rounds_send_due_reminders",
]
