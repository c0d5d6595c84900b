"""Messages people see when a readiness service refuses; tests match on these constants."""

MSG_VERSION_NOT_EDITABLE = (
    "This version is published and can no longer change (rounds cite it). Start a new draft to edit."
)
MSG_DRAFT_EXISTS = "This instrument already has a draft (v{number}); edit that one."
MSG_PUBLISH_PROBLEMS = "This draft cannot be published yet: {problems}"
MSG_NO_DIMENSIONS = "add at least one dimension"
MSG_DIMENSION_EMPTY = "“{name}” has no scored statement (agreement or yes/partly/no)"
MSG_DIMENSION_KEY_TAKEN = "Another dimension in this version already uses the short name “{key}”."
MSG_DIMENSION_HAS_ITEMS = "Move or delete the statements in “{name}” first."
MSG_REVERSE_UNSCORED = "Only agreement and yes/partly/no statements can be reverse scored."
MSG_INSTRUMENT_NAME_TAKEN = "An instrument with this name already exists in the workgroup."

MSG_VERSION_NOT_PUBLISHED = "Rounds use published instrument versions only; publish the draft first."
MSG_DUE_DATE_PAST = "The due date cannot be in the past."
MSG_DUE_DATE_TOO_FAR = "The due date must be within {years} years from today."
MSG_ROUND_CLOSED = "This round is closed; reopen it first."
MSG_ROUND_ALREADY_OPEN = "This round is already open."
MSG_ALREADY_RESPONDENT = "{name} is already a respondent in this round."
MSG_CONTACT_NO_EMAIL = "{name} has no e-mail address in the partner directory; add one there first."
MSG_NOT_A_MEMBER = "{name} is not a member of this workgroup."
MSG_RESPONDENT_SUBMITTED = "{name} has already submitted; their answers are part of the results."
MSG_NOTHING_SELECTED = "Choose at least one person."
MSG_ACCOUNT_DELETED = (
    "{name}'s account was deleted: nothing can be sent to them and nobody can answer in their place. "
    "Answers they submitted still count."
)
MSG_EMAIL_FAILED = (
    "The e-mail could not be sent (the mail server did not accept it). Nothing was saved; try again in a moment."
)

# One-time links: what someone holding a link is told when it cannot be used.
MSG_LINK_INVALID = "This questionnaire link is not valid. Check that you copied the whole link, or ask for a new one."
MSG_LINK_EXPIRED = "This questionnaire link has expired. Ask the workgroup coordinator for a new one."
MSG_LINK_SUBMITTED = "Your answers were submitted with this link; it cannot be used again. Thank you."
MSG_LINK_REPLACED = "A newer link was sent to you, or you were removed from this round; use the most recent e-mail."
MSG_LINK_ROUND_CLOSED = "This readiness round is closed and no longer takes answers."

MSG_ANSWER_INVALID = "Choose one of the answers offered."
MSG_UNANSWERED = (
    "{count} statement(s) have no answer. Answer them, or choose “Don't know” where you cannot say, then submit."
)
MSG_ORGANIZATION_REQUIRED = (
    "Choose the organization you answer for: results are read per organization. If it is not listed, "
    "ask the coordinator to add it to the partner map."
)
MSG_ROLE_REQUIRED = "Say what your role is, so partners can read the results in context."
MSG_ALREADY_SUBMITTED = "These answers were already submitted and can no longer change."

MSG_GAP_UNKNOWN = "This gap is no longer proposed for the round (the scores changed); refresh the page."
MSG_GAP_ACCEPTED = "This gap is already in the action plan."
MSG_ACTION_ORG_OTHER = "Choose an organization from this workgroup."
