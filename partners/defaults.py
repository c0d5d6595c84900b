"""Default sectors and interoperability functions, from the SAMHSA 988/911 toolkit (paraphrased).

"Key Partners and Readiness Assessment" lists eleven core members a workgroup should
have and a longer list of additional ones; "Communication of Roles" asks partners to
make explicit who does what. Each workgroup gets its own copy of these lists, which
coordinators can extend.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultSector:
    key: str
    name: str
    tier: str  # "core" or "additional"
    why: str


CORE = "core"
ADDITIONAL = "additional"

SECTORS: tuple[DefaultSector, ...] = (
    DefaultSector("988-center", "988 center leadership", CORE,
                  "Runs the crisis line that receives diverted calls; sets what 988 can take on."),
    DefaultSector("911-psap", "911 / PSAP leadership", CORE,
                  "Decides how call-takers identify and transfer behavioral health calls."),
    DefaultSector("state-911-administrator", "State 911 administrator", CORE,
                  "Shapes statewide 911 policy, funding and technology that transfers depend on."),
    DefaultSector("988-lifeline-administrator", "988 Lifeline administrator", CORE,
                  "Connects local work to the national 988 network and its standards."),
    DefaultSector("mental-health-authority", "State, Territorial or Tribal mental health authority", CORE,
                  "Funds and oversees the crisis system the workgroup is connecting."),
    DefaultSector("substance-use-authority", "Single state agency for substance use", CORE,
                  "Brings substance use services and the rules that protect their records."),
    DefaultSector("medicaid-authority", "State Medicaid authority", CORE,
                  "Pays for much of crisis care; coverage shapes what responses are sustainable."),
    DefaultSector("lived-experience", "People with lived experience (and parents of youth in crisis)", CORE,
                  "Keeps the design honest about what a person in crisis actually needs."),
    DefaultSector("mobile-crisis", "Mobile crisis provider", CORE,
                  "The in-person alternative to police response; its capacity limits diversion."),
    DefaultSector("youth-expert", "Behavioral health youth expert", CORE,
                  "Young callers need different questions, responders and follow-up."),
    DefaultSector("community-organizations", "Community-based organizations (stabilization, clinics, CCBHCs)", CORE,
                  "Where people go after the call; without them follow-up has nowhere to land."),
    DefaultSector("health-agency", "State, Territory or Tribal health agency", ADDITIONAL,
                  "Public health data, licensing and emergency preparedness."),
    DefaultSector("county-behavioral-health", "County behavioral health authorities", ADDITIONAL,
                  "Local funders and providers of crisis services."),
    DefaultSector("hospitals", "Hospitals and health systems", ADDITIONAL,
                  "Emergency departments receive many crisis patients; hand-offs matter."),
    DefaultSector("public-safety", "Fire, law enforcement and EMS", ADDITIONAL,
                  "Respond when there is danger; their protocols must match 988's."),
    DefaultSector("education", "State education department (school-based services)", ADDITIONAL,
                  "Schools refer young people and run suicide prevention programs."),
    DefaultSector("child-welfare", "Child welfare agencies", ADDITIONAL,
                  "Involved when a child's safety or custody is part of the crisis."),
    DefaultSector("elected-officials", "Elected officials and decision-makers", ADDITIONAL,
                  "Pass the laws and budgets that make the system last."),
    DefaultSector("suicide-prevention", "Suicide prevention organizations (e.g. AFSP, NAMI chapters)", ADDITIONAL,
                  "Advocacy, training and a link to families and survivors."),
    DefaultSector("mhbg-planner", "Mental Health Block Grant planner", ADDITIONAL,
                  "Federal block grant funds can pay for crisis services."),
    DefaultSector("subg-planner", "Substance Use Block Grant state planner", ADDITIONAL,
                  "Federal substance use funds and planning."),
    DefaultSector("warm-lines", "Local hotlines, peer-run warm lines and support lines", ADDITIONAL,
                  "Take calls that need support rather than crisis response."),
)


@dataclass(frozen=True)
class DefaultFunction:
    key: str
    name: str
    description: str


FUNCTIONS: tuple[DefaultFunction, ...] = (
    DefaultFunction("receive-assess", "Receive and assess a crisis call",
                    "Answer, gather the initial risk information and decide the level of response."),
    DefaultFunction("transfer-911-988", "Transfer a call from 911 to 988",
                    "Warm hand-off of a behavioral health call that needs no emergency dispatch."),
    DefaultFunction("transfer-988-911", "Transfer a call from 988 to 911",
                    "Hand-off when there is imminent danger or a medical emergency."),
    DefaultFunction("dispatch-mobile-crisis", "Dispatch mobile crisis",
                    "Send a behavioral health team in person."),
    DefaultFunction("dispatch-ems-police", "Dispatch EMS or law enforcement",
                    "Priority emergency response, with behavioral health support where possible."),
    DefaultFunction("follow-up", "Follow up after the call",
                    "Check on the person and connect them to ongoing care."),
    DefaultFunction("data-sharing", "Share post-response data",
                    "Tell partners what happened after transfers, so the system can learn."),
    DefaultFunction("cross-training", "Cross-train staff",
                    "Joint training, sit-alongs and ride-alongs for 988 and 911 staff."),
    DefaultFunction("incident-review", "Review incidents together",
                    "Joint review of adverse events, delays and miscommunication."),
)
