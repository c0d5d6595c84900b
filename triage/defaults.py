"""The tree a new protocol starts from. Written for this toolkit from the SAMHSA 988/911 toolkit's
"Risk Assessment and Triage Protocols" section and common practice in published 911/988 diversion
programs. It is a starting point for the workgroup to adapt with its partners and counsel — not
legal or clinical advice.
"""

from __future__ import annotations

from triage.engine import OUTCOME, QUESTION, NodeSpec, OptionSpec, RiskLevelSpec, Tree

RISK_LEVELS = (
    RiskLevelSpec("low", "Low", "No immediate danger to the person or anyone else.",
                  "Information, referral to local behavioral health or community services, follow-up if wanted.",
                  "988 counselor or 911 call-taker", "#009e73"),
    RiskLevelSpec("mild", "Mild", "In crisis, willing to accept help remotely, no threat to others.",
                  "Support by phone, chat or text from 988; safety planning; follow-up.",
                  "988 counselor", "#56b4e9"),
    RiskLevelSpec("moderate", "Moderate", "The situation could escalate, or the person needs someone there.",
                  "Dispatch a mobile crisis team (or CIT-trained responders) while staying connected.",
                  "Mobile crisis team; crisis intervention team", "#e69f00"),
    RiskLevelSpec("higher", "Higher", "Imminent danger to the person or to others, or a medical emergency.",
                  "Priority EMS and/or law enforcement dispatch, with behavioral-health support where possible.",
                  "EMS; law enforcement; behavioral-health clinician", "#d55e00"),
)

CRITERIA = {
    "medical_emergency": "Medical emergency or attempt in progress",
    "weapon_present": "Weapon present or within reach",
    "danger_to_others": "Danger to others",
    "imminent_danger_self": "Imminent danger to self",
    "caller_consents": "Caller consents to transfer",
}

REASSESSMENT = (
    "Reassess risk whenever new information comes in and before every hand-off: ask the safety questions "
    "again if the person's tone, location or access to means changes. If risk rises, move to the higher "
    "level's response at once and tell the receiving partner why; if it falls, document what changed."
)

WARM_HAND_OFF = (
    "Warm hand-off: brief the receiving counselor or dispatcher (who, where, what was said, risk level); "
    "stay on the line until they have accepted the call; record the reason for the transfer and the time."
)


def _q(key: str, text: str, guidance: str, *options: OptionSpec, root: bool = False) -> NodeSpec:
    return NodeSpec(key=key, kind=QUESTION, text=text, guidance=guidance, root=root, options=options)


def _o(key: str, text: str, level: str, route: str, actions: str) -> NodeSpec:
    return NodeSpec(key=key, kind=OUTCOME, text=text, risk_level=level, route=route, actions=actions)


def _a(label: str, next_key: str, **criteria: bool) -> OptionSpec:
    return OptionSpec(label=label, next=next_key, criteria=criteria)


NODES = (
    _q("medical", "Is someone hurt, in medical danger, or is a suicide attempt happening now?",
       "Ask directly. An attempt in progress or an overdose is a medical emergency first.",
       _a("Yes", "out-medical", medical_emergency=True), _a("No", "weapon", medical_emergency=False), root=True),
    _q("weapon", "Is a weapon present or within reach of the person?",
       "Firearms, knives or other means at hand change who can safely respond.",
       _a("Yes", "out-weapon", weapon_present=True), _a("No", "violence", weapon_present=False)),
    _q("violence", "Is anyone being violent, or threatening to hurt someone else?",
       "Listen for threats to family, neighbours or responders.",
       _a("Yes", "out-violence", danger_to_others=True), _a("No", "bh-primary", danger_to_others=False)),
    _q("bh-primary", "Is a mental health or substance use crisis the main reason for the call?",
       "If the call is mainly about something else (a crime, a fire, a traffic issue), handle it as that.",
       _a("Yes", "in-crisis"), _a("No", "out-other")),
    _q("in-crisis", "Is the person in crisis now, or mainly looking for information or services?",
       "Someone asking where to find counseling is not in crisis; someone overwhelmed now is.",
       _a("In crisis now", "caller"), _a("Looking for information or services", "out-services")),
    _q("caller", "Who is calling?",
       "A third party may not know everything: ask what they see and hear, and whether the person knows they called.",
       _a("The person in crisis", "suicide"), _a("Someone worried about them", "suicide")),
    _q("suicide", "Is the person thinking about suicide?",
       "Ask plainly: “Are you thinking about killing yourself?” Asking does not put the idea in their head.",
       _a("Yes", "plan"), _a("No", "intoxication")),
    _q("plan", "Do they have a plan, the means at hand and the intent to act soon?",
       "Plan, means, intent and timeframe together point to imminent danger.",
       _a("Yes", "safety", imminent_danger_self=True), _a("No", "intoxication", imminent_danger_self=False)),
    _q("safety", "Are they willing to work on keeping safe with the counselor right now?",
       "For example: moving away from the means, letting someone stay with them, agreeing to a visit.",
       _a("Yes", "location"), _a("No", "out-imminent")),
    _q("intoxication", "Could alcohol or drugs be putting them at medical risk?",
       "Slurred speech, confusion or a known overdose risk call for medical help.",
       _a("Yes", "out-overdose"), _a("No", "escalation")),
    _q("escalation", "Could the situation escalate, or does the person need someone there in person?",
       "Think about the setting, who else is present and how the call has gone so far.",
       _a("Yes", "location"), _a("No", "remote")),
    _q("remote", "Will the person accept help by phone, chat or text?",
       "Ask what would help right now.",
       _a("Yes", "line"), _a("No", "location")),
    _q("line", "Which line is handling the call now?",
       "Calls that reach 911 but need only remote support are offered a transfer to 988.",
       _a("988", "out-988"), _a("911", "consent")),
    _q("consent", "Does the caller agree to be transferred to 988?",
       "Explain what 988 is and that the call-taker will stay on until the counselor answers.",
       _a("Yes", "out-transfer", caller_consents=True), _a("No", "out-911-offer", caller_consents=False)),
    _q("location", "Is the person's location confirmed?",
       "An in-person response needs an address or a safe meeting place.",
       _a("Yes", "mobile-available"), _a("No", "out-locate")),
    _q("mobile-available", "Can a mobile crisis team respond within the agreed time?",
       "Check the team's status with the dispatcher; do not promise a time you cannot keep.",
       _a("Yes", "out-mobile"), _a("No", "out-fallback")),
    _o("out-medical", "Medical emergency: priority EMS", "higher", "ems_le_with_bh",
       "Dispatch EMS at once. If the call is on 988, transfer to 911 and stay on the line. Document the reason."),
    _o("out-weapon", "Weapon present: priority emergency response", "higher", "ems_le_with_bh",
       "Dispatch law enforcement with behavioral-health support where available; share what is known about "
       "the weapon. Keep the caller talking if it is safe."),
    _o("out-violence", "Danger to others: priority emergency response", "higher", "ems_le_with_bh",
       "Dispatch law enforcement (CIT-trained where possible) and EMS as needed; tell responders about the "
       "behavioral health crisis."),
    _o("out-other", "Not a behavioral health call", "low", "referral",
       "Handle as the usual call type; give 988 information if it may help."),
    _o("out-services", "Information or services", "low", "referral",
       "Give information and referrals to local services; offer follow-up."),
    _o("out-imminent", "Imminent danger to self", "higher", "988_to_911",
       "Stay with the person; transfer to 911 for priority response with behavioral-health support. "
       + WARM_HAND_OFF),
    _o("out-overdose", "Possible overdose or intoxication risk", "higher", "ems_le_with_bh",
       "Dispatch EMS; keep the person talking and awake if possible; document substances mentioned."),
    _o("out-988", "Support from 988", "mild", "988_remote",
       "Continue support and safety planning by phone, chat or text; offer follow-up."),
    _o("out-transfer", "Transfer from 911 to 988", "mild", "911_to_988", WARM_HAND_OFF),
    _o("out-911-offer", "Caller declines transfer", "mild", "referral",
       "Give 988 and local resources; record that the caller declined the transfer; follow up if possible."),
    _o("out-locate", "Stay connected and work to confirm the location", "moderate", "988_remote",
       "Keep the person engaged, try to confirm where they are, and reassess often; escalate if risk rises."),
    _o("out-mobile", "Mobile crisis response", "moderate", "988_mobile_crisis",
       "Dispatch the mobile crisis team; share the risk assessment with them; stay connected until they arrive."),
    _o("out-fallback", "No mobile team available: fallback response", "moderate", "ems_le_with_bh",
       "Request CIT-trained officers or EMS as the agreed fallback, with behavioral-health support by phone; "
       "record that no mobile team was available."),
)


def default_tree() -> Tree:
    return Tree(
        nodes={node.key: node for node in NODES},
        risk_levels=RISK_LEVELS,
        criteria=dict(CRITERIA),
        reassessment_guidance=REASSESSMENT,
    )


# (name, answers, expected risk level, expected route) — for the demo and as examples for coordinators
EXAMPLE_SCENARIOS = (
    ("Overdose reported by a friend", {"medical": "Yes"}, "higher", "ems_le_with_bh"),
    ("Person with a firearm at home", {"medical": "No", "weapon": "Yes"}, "higher", "ems_le_with_bh"),
    ("Caller looking for counseling", {"medical": "No", "weapon": "No", "violence": "No", "bh-primary": "Yes",
                                       "in-crisis": "Looking for information or services"}, "low", "referral"),
    ("Suicidal with plan, declines safety work",
     {"medical": "No", "weapon": "No", "violence": "No", "bh-primary": "Yes", "in-crisis": "In crisis now",
      "caller": "The person in crisis", "suicide": "Yes", "plan": "Yes", "safety": "No"}, "higher", "988_to_911"),
    ("Distressed caller on 911 agrees to 988",
     {"medical": "No", "weapon": "No", "violence": "No", "bh-primary": "Yes", "in-crisis": "In crisis now",
      "caller": "The person in crisis", "suicide": "No", "intoxication": "No", "escalation": "No",
      "remote": "Yes", "line": "911", "consent": "Yes"}, "mild", "911_to_988"),
    ("Distressed caller on 988", {"medical": "No", "weapon": "No", "violence": "No", "bh-primary": "Yes",
                                  "in-crisis": "In crisis now", "caller": "The person in crisis", "suicide": "No",
                                  "intoxication": "No", "escalation": "No", "remote": "Yes", "line": "988"},
     "mild", "988_remote"),
    ("Parent worried, son escalating at home",
     {"medical": "No", "weapon": "No", "violence": "No", "bh-primary": "Yes", "in-crisis": "In crisis now",
      "caller": "Someone worried about them", "suicide": "No", "intoxication": "No", "escalation": "Yes",
      "location": "Yes", "mobile-available": "Yes"}, "moderate", "988_mobile_crisis"),
    ("Escalating, no mobile team free",
     {"medical": "No", "weapon": "No", "violence": "No", "bh-primary": "Yes", "in-crisis": "In crisis now",
      "caller": "The person in crisis", "suicide": "No", "intoxication": "No", "escalation": "Yes",
      "location": "Yes", "mobile-available": "No"}, "moderate", "ems_le_with_bh"),
)
