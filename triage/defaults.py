"""The tree a new protocol starts from: a first question for calls arriving on 911 and one for calls arriving on
988, the criteria its answers settle, the safety rules it keeps on every path, and example scenarios.

Written in our own words from the SAMHSA 988/911 toolkit's "Risk Assessment and Triage Protocols" section (the
Low / Mild / Moderate / Higher levels, the initial assessment, reassessment and documentation) and from common
published practice in 911/988 programs: asking about suicide directly, lethal-means counseling, asking consent
before a transfer or a visit, warm hand-offs. It is a starting point for the workgroup to adapt with its partners
and counsel — not legal or clinical advice. Who responds where (co-response, Tribal and other local teams, what
happens when no team is free) is for the partners to agree and write in.
"""

from __future__ import annotations

from triage.engine import (
    OUTCOME,
    QUESTION,
    RULE_OUTCOME_WHEN,
    RULE_ROUTE_ONLY_WHEN,
    RULE_ROUTE_RECORDS,
    NodeSpec,
    OptionSpec,
    RiskLevelSpec,
    RuleSpec,
    Tree,
)

RISK_LEVELS = (
    RiskLevelSpec("low", "Low", "No immediate danger to the person or anyone else.",
                  "Information, referral to local behavioral health or community services, follow-up if wanted.",
                  "988 counselor or 911 call-taker", "#009e73"),
    RiskLevelSpec("mild", "Mild", "In crisis, no immediate threat to self or others; help by phone, chat or text "
                  "can meet the need.",
                  "Support, safety planning and follow-up from 988; on 911, a warm transfer to 988 if the caller "
                  "agrees.",
                  "988 counselor", "#56b4e9"),
    RiskLevelSpec("moderate", "Moderate", "The situation could escalate, or the person needs someone with them.",
                  "With the person's agreement, a mobile crisis team or a Tribal or other local crisis team, while "
                  "988 stays in touch; reassess while waiting.",
                  "Mobile crisis team; Tribal or other local crisis team; co-response where the partners have it",
                  "#e69f00"),
    RiskLevelSpec("higher", "Higher", "Imminent danger to the person or to others, or a medical emergency.",
                  "Priority response through 911 (EMS, co-response or law enforcement, as the danger calls for), "
                  "with behavioral-health support where possible; on 988, a warm transfer to 911.",
                  "EMS; co-response team; law enforcement (CIT-trained where possible)", "#d55e00"),
)

CRITERIA = {
    "medical_emergency": "Medical emergency: an overdose, an attempt under way, someone hurt",
    "weapon_with_intent": "A weapon with a threat or intent to use it (on others or on themselves)",
    "lethal_means": "Access to a firearm or other lethal means, with no threat to use it",
    "danger_to_others": "Danger to others",
    "imminent_danger_self": "Imminent danger to self",
    "needs_in_person": "Needs someone there in person, or the situation could escalate",
    "caller_consents": "Agrees to the transfer or visit (the person, or the caller on a third-party call)",
    "local_team_covers": "A Tribal or other local crisis team covers the location and can come",
    "mobile_team_available": "A mobile crisis team can come within the agreed time",
    "co_response_available": "A co-response team covers the location and can come now",
    "working_on_safety": "At imminent risk, works with the counselor on safety now and agrees to a team visiting",
}

REASSESSMENT = (
    "Reassess risk whenever new information comes in and before every hand-off: ask the safety questions "
    "again if the person's tone, location or access to means changes. If risk rises, move to the higher "
    "level's response at once and tell the receiving partner why; if it falls, document what changed. "
    "Someone who declined a transfer or a visit may change their mind: ask again before the call ends."
)

WARM_HAND_OFF = (
    "Warm hand-off: tell the person what is happening and why; brief the receiving counselor or call-taker "
    "(who, where, what was said, the risk level, any weapon or lethal means); stay on the line until they have "
    "accepted the call; record the time and the reason for the transfer."
)

MEANS_TIP = ("If they mentioned a firearm or other lethal means, suggest keeping it locked away or with someone "
             "they trust for now.")
NOT_THE_FALLBACK = ("Law enforcement is not the fallback for a missing team: it is for danger to others or a "
                    "weapon with a threat.")

# Answer labels used on both lines (scenarios refer to them too).
YES, NO = "Yes", "No"
WEAPON_THREAT = "Yes, and they are threatening or intending to use it"
WEAPON_ACCESS = "Yes, they have access but no threat to use it (e.g. a firearm at home)"
WEAPON_NONE = "None that we know of"

SUICIDE_TEXT = "Is the person thinking about suicide, or at risk of harming themselves in another way?"
SUICIDE_GUIDANCE = (
    "Ask plainly: “Are you thinking about killing yourself?” (to a third party: “Has she talked about killing "
    "herself?”). Asking directly does not raise the risk, and tells the person they can talk about it."
)
IMMINENT_WEAPON = "Yes, and a firearm or other weapon is within their reach"
IMMINENT_NO_WEAPON = "Yes, with no weapon within reach"
IMMINENT_TEXT = ("Is the danger imminent: a plan, the means at hand and the intent to act now or very soon, or an "
                 "attempt about to start?")
WEAPON_TEXT = "Is there a weapon or other lethal means where the person is?"
WEAPON_GUIDANCE = (
    "Ask directly about firearms. A weapon with a threat or intent to use it, on themselves or anyone else, is an "
    "emergency. Access without a threat (a firearm at home, stored medication) is not a reason to send police: "
    "it calls for lethal-means counseling and a safety plan."
)
OTHERS_TEXT = "Is the person threatening to hurt someone else, or likely to?"
OTHERS_GUIDANCE = "Listen for threats to family, neighbours or responders, and for violence happening now."
LOCAL_TEXT = "Does a Tribal or other local crisis team cover where the person is, and can it come?"
LOCAL_GUIDANCE = ("Check the routing directory or the partners' agreement for the location. Where a Tribal team "
                  "covers it, follow the Tribe's own procedures.")
MOBILE_TEXT = "Can a mobile crisis team come within the agreed time?"
MOBILE_GUIDANCE = "Check the team's status; do not promise a time you cannot keep."
CO_RESPONSE_TEXT = "Does a co-response team (a clinician with officers or EMS) cover this location and can it come now?"


def _q(key: str, text: str, guidance: str, *options: OptionSpec, line: str = "") -> NodeSpec:
    return NodeSpec(key=key, kind=QUESTION, text=text, guidance=guidance, options=options, root=bool(line),
                    line=line)


def _o(key: str, text: str, level: str, route: str, actions: str) -> NodeSpec:
    return NodeSpec(key=key, kind=OUTCOME, text=text, risk_level=level, route=route, actions=actions)


def _a(label: str, next_key: str, **criteria: bool) -> OptionSpec:
    return OptionSpec(label=label, next=next_key, criteria=criteria)


# --- Calls arriving on 911 -----------------------------------------------------------------------------------

NODES_911 = (
    _q("911-start", "Is a mental health, substance use or suicidal crisis the main reason for the call?",
       "A crime in progress, a fire or a crash is handled as that call type even if someone is upset; tell "
       "responders about any crisis you hear.",
       _a("Yes: someone is in crisis", "911-medical"),
       _a("Someone wants mental health information or services; no emergency", "911-out-info"),
       _a("No: mainly a crime, a fire, a crash or another emergency", "911-out-not-bh"),
       line="911"),
    _q("911-medical", "Is anyone hurt or in medical danger now: an overdose, an attempt under way, someone who "
       "cannot be woken?",
       "A medical emergency comes first, whatever else is going on.",
       _a(YES, "911-out-ems", medical_emergency=True), _a(NO, "911-weapon", medical_emergency=False)),
    _q("911-weapon", WEAPON_TEXT, WEAPON_GUIDANCE + " Note any access for 988 or the team.",
       _a(WEAPON_THREAT, "911-weapon-team", weapon_with_intent=True),
       _a(WEAPON_ACCESS, "911-others", lethal_means=True),
       _a(WEAPON_NONE, "911-others", lethal_means=False)),
    _q("911-weapon-team", CO_RESPONSE_TEXT,
       "Only a team the partners have agreed can attend calls with a weapon. If it would be slower, answer No.",
       _a(YES, "911-out-weapon-co", co_response_available=True),
       _a(NO, "911-out-weapon", co_response_available=False)),
    _q("911-others", OTHERS_TEXT, OTHERS_GUIDANCE,
       _a(YES, "911-others-team", danger_to_others=True), _a(NO, "911-suicide", danger_to_others=False)),
    _q("911-others-team", CO_RESPONSE_TEXT, "If the team would be slower than the danger allows, answer No.",
       _a(YES, "911-out-others-co", co_response_available=True),
       _a(NO, "911-out-others", co_response_available=False)),
    _q("911-suicide", SUICIDE_TEXT, SUICIDE_GUIDANCE,
       _a(YES, "911-imminent"), _a(NO, "911-needs", imminent_danger_self=False)),
    _q("911-imminent", IMMINENT_TEXT,
       "Ask about each: plan, means, intent, when. If they have already hurt themselves or taken something, "
       "that is a medical emergency: send EMS.",
       _a(IMMINENT_WEAPON, "911-imminent-weapon-team", imminent_danger_self=True, weapon_with_intent=True),
       _a(IMMINENT_NO_WEAPON, "911-imminent-team", imminent_danger_self=True, weapon_with_intent=False),
       _a(NO, "911-needs", imminent_danger_self=False)),
    _q("911-imminent-team", CO_RESPONSE_TEXT, "If the team would be slower than EMS, answer No.",
       _a(YES, "911-out-imminent-co", co_response_available=True),
       _a(NO, "911-out-imminent", co_response_available=False)),
    _q("911-imminent-weapon-team", CO_RESPONSE_TEXT,
       "Only a team the partners have agreed can attend calls with a weapon. If it would be slower, answer No.",
       _a(YES, "911-out-imminent-weapon-co", co_response_available=True),
       _a(NO, "911-out-imminent-weapon", co_response_available=False)),
    _q("911-needs", "Does the person need someone with them in person now, or could the situation escalate?",
       "Think about the setting, who is with them, alcohol or drugs, and how the call has gone. If not, 988 can "
       "usually help by phone.",
       _a(YES, "911-visit", needs_in_person=True), _a(NO, "911-offer-988", needs_in_person=False)),
    _q("911-offer-988", "Does the caller agree to be connected to 988 now?",
       "Explain what 988 is, that a counselor will talk with them, and that you will stay on until the counselor "
       "answers. A third-party caller can be connected about the person they are worried about.",
       _a(YES, "911-out-to-988", caller_consents=True), _a(NO, "911-out-declined", caller_consents=False)),
    _q("911-visit", "Does the person agree to a crisis team coming to them, and to 988's support by phone until "
       "then?",
       "Explain who would come and why. On a third-party call, ask the caller and how the person will be told. "
       "Without agreement no team is sent; if danger to self or others comes up, answer those questions again.",
       _a(YES, "911-local", caller_consents=True), _a(NO, "911-out-visit-declined", caller_consents=False)),
    _q("911-local", LOCAL_TEXT, LOCAL_GUIDANCE,
       _a(YES, "911-out-local", local_team_covers=True), _a(NO, "911-mobile", local_team_covers=False)),
    _q("911-mobile", MOBILE_TEXT, MOBILE_GUIDANCE,
       _a(YES, "911-out-mobile", mobile_team_available=True),
       _a(NO, "911-out-no-team", mobile_team_available=False)),
    _o("911-out-not-bh", "Not a behavioral health call: handle as its usual call type", "", "out_of_scope",
       "Handle the call under its usual protocol. If someone also seems to be in crisis, tell the responders and "
       "offer 988 once the emergency is dealt with."),
    _o("911-out-info", "Information or services", "low", "referral",
       "Give the 988 number and local behavioral health services; no dispatch is needed."),
    _o("911-out-ems", "Medical emergency: EMS", "higher", "ems",
       "Dispatch EMS at priority under your medical protocol, including its scene-safety questions. Give the "
       "instructions that protocol allows. Tell responders about the crisis so follow-up with 988 or the mobile "
       "crisis team can be arranged, as the partners agree."),
    _o("911-out-weapon-co", "Weapon with a threat: co-response", "higher", "co_response",
       "Dispatch the co-response team at priority, with EMS staged if anyone may be hurt. Share what is known "
       "about the weapon, the threat and who is there. Keep the caller on the line if it is safe for them; help "
       "them get to safety if not."),
    _o("911-out-weapon", "Weapon with a threat: emergency response", "higher", "ems_le_with_bh",
       "Dispatch law enforcement (CIT-trained where possible) and EMS at priority; share what is known about "
       "the weapon and the threat. Ask for a crisis clinician's support by phone or on scene where the partners "
       "have it. Keep the caller on the line if it is safe for them; help them get to safety if not."),
    _o("911-out-others-co", "Danger to others: co-response", "higher", "co_response",
       "Dispatch the co-response team at priority; add EMS if anyone is hurt. Tell responders what was "
       "threatened, against whom, and what is known about the person's crisis."),
    _o("911-out-others", "Danger to others: law enforcement", "higher", "law_enforcement",
       "Dispatch law enforcement at priority (CIT-trained officers where possible); add EMS if anyone is hurt. "
       "Tell responders this is a behavioral health crisis and what is known; ask for a crisis clinician's "
       "support by phone where the partners have it."),
    _o("911-out-imminent-co", "Imminent danger to self: co-response", "higher", "co_response",
       "Dispatch the co-response team at priority with the location; send EMS as well if the person may already "
       "be hurt. Keep the person talking and away from the means if they can; record what they said."),
    _o("911-out-imminent", "Imminent danger to self: EMS", "higher", "ems",
       "Dispatch EMS at priority with the location. Keep the person talking and away from the means if they can; "
       "where the partners have it, bring a crisis counselor onto the call (911 keeps the call). If a weapon "
       "comes within reach or anyone else is threatened, answer those questions again: EMS is not sent alone "
       "into a scene with a weapon."),
    _o("911-out-imminent-weapon-co", "Imminent danger to self with a weapon at hand: co-response", "higher",
       "co_response",
       "Dispatch the co-response team at priority with EMS staged nearby; tell them about the weapon and the risk. "
       "Keep the person talking and, if they can, away from the weapon; record what they said."),
    _o("911-out-imminent-weapon", "Imminent danger to self with a weapon at hand: EMS and law enforcement",
       "higher", "ems_le_with_bh",
       "Dispatch EMS and law enforcement together (CIT-trained officers where possible) so the scene can be made "
       "safe for EMS; tell them this is a suicide crisis, what the weapon is and what was said; bring in a crisis "
       "clinician by phone where the partners have it."),
    _o("911-out-to-988", "Warm transfer from 911 to 988", "mild", "911_to_988",
       "Transfer to 988 with the caller's agreement; mention any firearm or other lethal means so the counselor "
       "can work on safety. " + WARM_HAND_OFF),
    _o("911-out-declined", "Caller declines 988: no dispatch", "mild", "referral",
       "Give the 988 number and local services; tell them they can call 911 or 988 again at any time. " + MEANS_TIP
       + " Record that they declined. No team is sent."),
    _o("911-out-visit-declined", "Person declines a visit: no team sent", "moderate", "referral",
       "There is no imminent danger or danger to others, so no team is sent without agreement. Give the 988 "
       "number and local crisis services; tell them they can call back at any time. " + MEANS_TIP + " Record the "
       "decline and arrange follow-up as the partners agree."),
    _o("911-out-local", "Tribal or other local crisis team", "moderate", "tribal_local",
       "Request the team that covers the location, as the partners agreed; share the location and what is "
       "known, including any firearm or lethal means. Reassess while they travel and escalate if risk rises."),
    _o("911-out-mobile", "Mobile crisis team", "moderate", "988_mobile_crisis",
       "Request the mobile crisis team as the partners agreed (directly or through the crisis center); share the "
       "location and what is known, including any firearm or lethal means. Reassess while they travel."),
    _o("911-out-no-team", "No team free: 988 support until one is", "moderate", "911_to_988",
       "Transfer to 988 so a counselor supports the person, keeps looking for a team and arranges follow-up. "
       "Record that no team was free. " + NOT_THE_FALLBACK + " " + WARM_HAND_OFF),
)

# --- Calls arriving on 988 -----------------------------------------------------------------------------------

NODES_988 = (
    _q("988-start", "What is the call about?",
       "Ask about suicide on every call, including calls for information; if there is any risk, choose the first "
       "answer. For a third-party call, ask what they see and hear, and whether the person knows they called.",
       _a("Someone in distress or crisis (the caller, or a person they are worried about)", "988-medical"),
       _a("Information or services, with no crisis now", "988-out-info"),
       _a("An emergency that is not a crisis (a fire, a crime, a crash)", "988-out-not-bh"),
       line="988"),
    _q("988-medical", "Is anyone hurt or in medical danger now: an overdose, an attempt under way, someone who "
       "cannot be woken?",
       "A medical emergency comes first: EMS is reached through 911.",
       _a(YES, "988-out-medical", medical_emergency=True), _a(NO, "988-weapon", medical_emergency=False)),
    _q("988-weapon", WEAPON_TEXT, WEAPON_GUIDANCE,
       _a(WEAPON_THREAT, "988-out-weapon", weapon_with_intent=True),
       _a(WEAPON_ACCESS, "988-means", lethal_means=True),
       _a(WEAPON_NONE, "988-others", lethal_means=False)),
    _q("988-means", "Lethal-means counseling: will the person, or someone with them, put the means out of reach "
       "for now?",
       "Talk about time and distance: a firearm locked away, or held by someone they trust or outside the home; "
       "medication handed to someone else. It is for now, while things are hard. Make it part of the safety plan, "
       "then carry on with the assessment.",
       _a("Yes, agreed", "988-others"), _a("Not yet: keep working on it", "988-others")),
    _q("988-others", OTHERS_TEXT, OTHERS_GUIDANCE,
       _a(YES, "988-out-others", danger_to_others=True), _a(NO, "988-suicide", danger_to_others=False)),
    _q("988-suicide", SUICIDE_TEXT, SUICIDE_GUIDANCE,
       _a(YES, "988-imminent"), _a(NO, "988-needs", imminent_danger_self=False)),
    _q("988-imminent", IMMINENT_TEXT,
       "Ask about each: plan, means, intent, when. If they have already hurt themselves or taken something, "
       "that is a medical emergency.",
       _a(IMMINENT_WEAPON, "988-location", imminent_danger_self=True, weapon_with_intent=True),
       _a(IMMINENT_NO_WEAPON, "988-safety", imminent_danger_self=True, weapon_with_intent=False),
       _a(NO, "988-needs", imminent_danger_self=False)),
    _q("988-safety", "Is the person willing and able to work with you on staying safe right now, and to a crisis "
       "team coming to them?",
       "Work on it together first: means out of reach, someone with them, a team visiting or going to an "
       "emergency department with someone. If they cannot or will not, or you are unsure, answer No: 911 is "
       "brought in.",
       _a(YES, "988-imminent-team", working_on_safety=True, caller_consents=True),
       _a(NO, "988-location", working_on_safety=False)),
    _q("988-imminent-team", "Do you know where the person is, and can a mobile crisis team (or the Tribal or local "
       "team that covers it) reach them now?",
       "Only a team the partners have agreed can attend imminent-risk calls, and only if it can come at once. "
       "If not, answer No: 911 is brought in.",
       _a(YES, "988-out-imminent-visit", mobile_team_available=True),
       _a(NO, "988-location", mobile_team_available=False)),
    _q("988-location", "Do you know where the person is now?",
       "Either way 911 is brought in now: do not hold the transfer to find the address.",
       _a(YES, "988-out-imminent"), _a(NO, "988-out-imminent-locate")),
    _q("988-needs", "Does the person need someone with them in person, or could the situation escalate?",
       "Think about the setting, who is with them, alcohol or drugs, and how the call has gone.",
       _a(YES, "988-visit", needs_in_person=True), _a(NO, "988-phone", needs_in_person=False)),
    _q("988-phone", "Will the person accept support by phone, chat or text now?",
       "Ask what would help right now. If not, offer a visit; do not send one without their agreement.",
       _a(YES, "988-out-remote"), _a(NO, "988-visit")),
    _q("988-visit", "Does the person agree to a crisis team visiting them?",
       "Explain who would come and why. On a third-party call, ask the caller and how the person will be told. "
       "Without agreement no team is sent; if danger to self or others comes up, answer those questions again.",
       _a(YES, "988-local", caller_consents=True), _a(NO, "988-out-declined", caller_consents=False)),
    _q("988-local", LOCAL_TEXT, LOCAL_GUIDANCE,
       _a(YES, "988-out-local", local_team_covers=True), _a(NO, "988-mobile", local_team_covers=False)),
    _q("988-mobile", MOBILE_TEXT, MOBILE_GUIDANCE,
       _a(YES, "988-out-mobile", mobile_team_available=True),
       _a(NO, "988-out-no-team", mobile_team_available=False)),
    _o("988-out-not-bh", "Not a crisis call: the caller needs 911", "", "out_of_scope",
       "Ask the caller to call 911 now, or connect them if your center has agreed a way to; note "
       "the call."),
    _o("988-out-info", "Information or services", "low", "referral",
       "Give information and referrals to local behavioral health and community services; tell them 988 is there "
       "any time; offer follow-up if they want it."),
    _o("988-out-medical", "Medical emergency: warm transfer to 911 for EMS", "higher", "988_to_911",
       "Bring 911 in now for EMS: where, what happened or was taken, and when. Help the caller follow 911's "
       "instructions while you stay on. " + WARM_HAND_OFF),
    _o("988-out-weapon", "Weapon with a threat: warm transfer to 911", "higher", "988_to_911",
       "Bring 911 in now for an emergency response; tell them about the weapon, the threat, who is at risk and "
       "where, and ask for co-response where the partners have it. If the caller is at risk, help them get to "
       "safety first. " + WARM_HAND_OFF),
    _o("988-out-others", "Danger to others: warm transfer to 911", "higher", "988_to_911",
       "Bring 911 in now; tell them what was threatened, against whom, and where, and ask for co-response where "
       "the partners have it. " + WARM_HAND_OFF),
    _o("988-out-imminent", "Imminent danger to self: warm transfer to 911", "higher", "988_to_911",
       "Tell the person you are bringing in 911 to help keep them safe. Give 911 the location and the risk (plan, "
       "means, intent, when) and ask for EMS or co-response where the partners have it. Keep working on safety "
       "with the person while you stay on. " + WARM_HAND_OFF),
    _o("988-out-imminent-locate", "Imminent danger to self, location unknown: warm transfer to 911", "higher",
       "988_to_911",
       "Bring 911 in now. Give 911 the person's callback number and everything that may help find them (what "
       "they said about where they are, what you hear): a transferred call shows 911 the 988 center's number, not "
       "the person's. Any request to the phone carrier for a location follows the procedure the partners agreed. "
       "Keep them talking and working on safety while you stay on. " + WARM_HAND_OFF),
    _o("988-out-imminent-visit", "Imminent danger to self, working on safety: crisis team at priority", "higher",
       "988_mobile_crisis",
       "Dispatch the team at priority with the location and the risk (plan, means, intent, when). Stay connected "
       "and keep working on safety until the team is with the person. If they stop working with you, the risk "
       "rises or the team is delayed, bring 911 in at once with a warm transfer."),
    _o("988-out-remote", "Support from 988", "mild", "988_remote",
       "Continue support by phone, chat or text. Make a safety plan together: warning signs, coping steps, people "
       "to contact, keeping means out of reach. Offer a follow-up contact."),
    _o("988-out-declined", "Person declines a visit: 988 stays available", "moderate", "988_remote",
       "There is no imminent danger or danger to others, so no team is sent without agreement. Stay connected as "
       "long as they allow; agree a safety plan and a follow-up contact; tell them they can ask for a visit at "
       "any time."),
    _o("988-out-local", "Tribal or other local crisis team", "moderate", "tribal_local",
       "Request the team that covers the location, as the partners agreed; confirm how to reach the person and "
       "share the risk assessment, including any lethal means. Stay in touch and reassess until they arrive."),
    _o("988-out-mobile", "Mobile crisis team", "moderate", "988_mobile_crisis",
       "Dispatch the mobile crisis team; confirm how to reach the person and share the risk assessment, "
       "including any lethal means. Stay in touch and reassess until the team arrives."),
    _o("988-out-no-team", "No team free: 988 stays connected", "moderate", "988_remote",
       "Keep supporting the person by phone, chat or text; reassess often; arrange a visit when a team is free "
       "and a follow-up contact. Where the partners have agreed it, a co-response team through 911 is an option "
       "if the person agrees. Record that no team was free. " + NOT_THE_FALLBACK),
)

NODES = NODES_911 + NODES_988

_EMERGENCY_ROUTES = ("988_to_911", "co_response", "law_enforcement", "ems_le_with_bh")

DEFAULT_RULES = (
    RuleSpec("Imminent danger to self is Higher", RULE_OUTCOME_WHEN,
             when={"imminent_danger_self": True}, levels=("higher",)),
    RuleSpec("On 911, imminent danger to self gets an emergency response", RULE_OUTCOME_WHEN,
             when={"imminent_danger_self": True}, line="911", routes=("ems", "co_response", "ems_le_with_bh")),
    RuleSpec("On 988, imminent danger to self goes to 911 unless the person works on safety with a team coming",
             RULE_OUTCOME_WHEN, when={"imminent_danger_self": True}, line="988",
             routes=("988_to_911", "988_mobile_crisis", "tribal_local")),
    RuleSpec("On 988, imminent danger without safety work is a warm transfer to 911", RULE_OUTCOME_WHEN,
             when={"imminent_danger_self": True, "working_on_safety": False}, line="988", routes=("988_to_911",)),
    RuleSpec("An imminent-risk visit only when the person works on safety", RULE_ROUTE_ONLY_WHEN,
             when={"working_on_safety": True, "imminent_danger_self": False},
             routes=("988_mobile_crisis", "tribal_local")),
    RuleSpec("Danger to others gets an emergency response at Higher", RULE_OUTCOME_WHEN,
             when={"danger_to_others": True}, levels=("higher",), routes=_EMERGENCY_ROUTES),
    RuleSpec("A weapon with a threat gets an emergency response at Higher", RULE_OUTCOME_WHEN,
             when={"weapon_with_intent": True}, levels=("higher",), routes=_EMERGENCY_ROUTES),
    RuleSpec("Medical emergencies get EMS", RULE_OUTCOME_WHEN,
             when={"medical_emergency": True}, levels=("higher",), routes=("ems", "ems_le_with_bh", "988_to_911")),
    RuleSpec("Law enforcement only for danger to others or a weapon with intent", RULE_ROUTE_ONLY_WHEN,
             when={"danger_to_others": True, "weapon_with_intent": True},
             routes=("law_enforcement", "ems_le_with_bh")),
    RuleSpec("988 → 911 transfers only for an emergency", RULE_ROUTE_ONLY_WHEN,
             when={"medical_emergency": True, "weapon_with_intent": True, "danger_to_others": True,
                   "imminent_danger_self": True},
             routes=("988_to_911",)),
    RuleSpec("911 → 988 transfers only with consent", RULE_ROUTE_RECORDS,
             routes=("911_to_988",), criterion="caller_consents", criterion_yes=True),
    RuleSpec("Mobile crisis and local responder visits record consent", RULE_ROUTE_RECORDS,
             routes=("988_mobile_crisis", "tribal_local"), criterion="caller_consents", criterion_yes=True),
)


def default_tree() -> Tree:
    return Tree(
        nodes={node.key: node for node in NODES},
        risk_levels=RISK_LEVELS,
        criteria=dict(CRITERIA),
        reassessment_guidance=REASSESSMENT,
        rules=DEFAULT_RULES,
    )


# Answers shared by many scenarios: a crisis call with no medical emergency, weapon threat or danger to others.
_911_TO_WEAPON = {"911-start": "Yes: someone is in crisis", "911-medical": NO}
_911_CRISIS = {**_911_TO_WEAPON, "911-weapon": WEAPON_NONE, "911-others": NO}
_911_NOT_SUICIDAL = {**_911_CRISIS, "911-suicide": NO}
_988_TO_WEAPON = {"988-start": "Someone in distress or crisis (the caller, or a person they are worried about)",
                  "988-medical": NO}
_988_CRISIS = {**_988_TO_WEAPON, "988-weapon": WEAPON_NONE, "988-others": NO}
_988_NOT_SUICIDAL = {**_988_CRISIS, "988-suicide": NO}

# (name, answers, expected risk level ("" outside the protocol), expected route, the line the call arrives on)
EXAMPLE_SCENARIOS = (
    # 911
    ("911: overdose reported by a friend", {"911-start": "Yes: someone is in crisis", "911-medical": YES},
     "higher", "ems", "911"),
    ("911: weapon and a threat to use it, co-response team free",
     {**_911_TO_WEAPON, "911-weapon": WEAPON_THREAT, "911-weapon-team": YES}, "higher", "co_response", "911"),
    ("911: weapon and a threat to use it, no co-response team",
     {**_911_TO_WEAPON, "911-weapon": WEAPON_THREAT, "911-weapon-team": NO}, "higher", "ems_le_with_bh", "911"),
    ("911: threatening to hurt a neighbour, no co-response team",
     {**_911_CRISIS, "911-others": YES, "911-others-team": NO}, "higher", "law_enforcement", "911"),
    ("911: imminent suicide risk", {**_911_CRISIS, "911-suicide": YES, "911-imminent": IMMINENT_NO_WEAPON,
                                    "911-imminent-team": NO}, "higher", "ems", "911"),
    ("911: imminent suicide risk with a firearm within reach, no co-response team",
     {**_911_CRISIS, "911-suicide": YES, "911-imminent": IMMINENT_WEAPON, "911-imminent-weapon-team": NO},
     "higher", "ems_le_with_bh", "911"),
    ("911: a house fire", {"911-start": "No: mainly a crime, a fire, a crash or another emergency"},
     "", "out_of_scope", "911"),
    ("911: asking where to find counseling",
     {"911-start": "Someone wants mental health information or services; no emergency"}, "low", "referral", "911"),
    ("911: distressed caller agrees to 988",
     {**_911_NOT_SUICIDAL, "911-needs": NO, "911-offer-988": YES}, "mild", "911_to_988", "911"),
    ("911: distressed caller declines 988", {**_911_NOT_SUICIDAL, "911-needs": NO, "911-offer-988": NO},
     "mild", "referral", "911"),
    ("911: firearm at home, no threat, caller agrees to 988",
     {**_911_NOT_SUICIDAL, "911-weapon": WEAPON_ACCESS, "911-needs": NO, "911-offer-988": YES},
     "mild", "911_to_988", "911"),
    ("911: needs someone there but declines a visit", {**_911_NOT_SUICIDAL, "911-needs": YES, "911-visit": NO},
     "moderate", "referral", "911"),
    ("911: Tribal crisis team covers the location",
     {**_911_NOT_SUICIDAL, "911-needs": YES, "911-visit": YES, "911-local": YES}, "moderate", "tribal_local",
     "911"),
    ("911: no crisis team free",
     {**_911_NOT_SUICIDAL, "911-needs": YES, "911-visit": YES, "911-local": NO, "911-mobile": NO},
     "moderate", "911_to_988", "911"),
    # 988
    ("988: overdose reported by a friend", {"988-start": _988_CRISIS["988-start"], "988-medical": YES},
     "higher", "988_to_911", "988"),
    ("988: holding a knife and threatening to use it", {**_988_TO_WEAPON, "988-weapon": WEAPON_THREAT},
     "higher", "988_to_911", "988"),
    ("988: imminent suicide risk, location unknown",
     {**_988_CRISIS, "988-suicide": YES, "988-imminent": IMMINENT_NO_WEAPON, "988-safety": NO, "988-location": NO},
     "higher", "988_to_911", "988"),
    ("988: imminent risk, works on safety and a team can come now",
     {**_988_CRISIS, "988-suicide": YES, "988-imminent": IMMINENT_NO_WEAPON, "988-safety": YES,
      "988-imminent-team": YES}, "higher", "988_mobile_crisis", "988"),
    ("988: imminent risk with a firearm within reach",
     {**_988_CRISIS, "988-suicide": YES, "988-imminent": IMMINENT_WEAPON, "988-location": YES},
     "higher", "988_to_911", "988"),
    ("988: firearm at home, no threat, accepts phone support",
     {**_988_NOT_SUICIDAL, "988-weapon": WEAPON_ACCESS, "988-means": "Yes, agreed", "988-needs": NO,
      "988-phone": YES}, "mild", "988_remote", "988"),
    ("988: suicidal thoughts without a plan, accepts phone support",
     {**_988_CRISIS, "988-suicide": YES, "988-imminent": NO, "988-needs": NO, "988-phone": YES},
     "mild", "988_remote", "988"),
    ("988: parent worried about their son, agrees to a visit",
     {**_988_NOT_SUICIDAL, "988-needs": YES, "988-visit": YES, "988-local": NO, "988-mobile": YES},
     "moderate", "988_mobile_crisis", "988"),
    ("988: declines phone help and a visit",
     {**_988_NOT_SUICIDAL, "988-needs": NO, "988-phone": NO, "988-visit": NO}, "moderate", "988_remote", "988"),
    ("988: no team free", {**_988_NOT_SUICIDAL, "988-needs": YES, "988-visit": YES, "988-local": NO,
                           "988-mobile": NO}, "moderate", "988_remote", "988"),
    ("988: Tribal crisis team covers the location",
     {**_988_NOT_SUICIDAL, "988-needs": YES, "988-visit": YES, "988-local": YES}, "moderate", "tribal_local",
     "988"),
    ("988: caller looking for counseling", {"988-start": "Information or services, with no crisis now"},
     "low", "referral", "988"),
    ("988: reporting a crash", {"988-start": "An emergency that is not a crisis (a fire, a crime, a crash)"},
     "", "out_of_scope", "988"),
)
