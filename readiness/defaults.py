"""The default readiness instrument and the readiness stages, in our own words.

Built from the seed's "Assessing readiness for change" steps (define purpose and scope,
choose a self-assessment tool, seek partner feedback, find resource gaps including
leadership turnover and sustainability, agree a strategic plan) and from the dimensions
that collaboration-readiness inventories measure. Reverse-scored statements are the
ones where agreeing is a warning sign.
"""

from __future__ import annotations

from fractions import Fraction

from readiness.scoring import Stage

INSTRUMENT_NAME = "988–911 readiness for change"
INSTRUMENT_DESCRIPTION = (
    "A self-assessment for every partner at the table: how ready is each organization, and the workgroup "
    "as a whole, to change how crisis calls move between 988 and 911? Adapted from the readiness steps in "
    "SAMHSA's 988/911 interoperability toolkit."
)

A, YPN, NUM, TXT = "agreement", "yes_partly_no", "number", "text"

# (key, name, description, suggested action, [(statement, help, type, weight, reverse), ...])
DIMENSIONS: list[tuple[str, str, str, str, list[tuple[str, str, str, str, bool]]]] = [
    (
        "vision", "Shared vision and scope",
        "Whether partners agree on what is being built and for whom.",
        "Write a one-page purpose and scope statement — interoperability or integrated workflows; which calls, "
        "which area, which hours — and ask every partner to confirm it in writing.",
        [
            ("Partners agree on the goal: calls and information moving between 988 and 911, or shared, "
             "integrated workflows.", "Think about what your leadership would say if asked today.", A, "1", False),
            ("The scope of the change (which calls, which area, which hours) is written down and my organization "
             "has seen it.", "", YPN, "1", False),
            ("My organization can say in a sentence or two why 988–911 coordination matters to the people we "
             "serve.", "", A, "1", False),
            ("Partners still hold very different views on who should answer behavioral-health crisis calls.",
             "Agreeing here is a warning sign; it is scored in reverse.", A, "1", True),
        ],
    ),
    (
        "leadership", "Leadership commitment",
        "Whether the people who can say yes have said it, and keep saying it.",
        "Ask each partner to name an executive sponsor, and agree how decisions get made and how fast.",
        [
            ("A named executive in my organization sponsors this work and is there when decisions are needed.",
             "", A, "2", False),
            ("Our leaders have stated their support for 988–911 coordination in writing or in public.", "", YPN,
             "1", False),
            ("Decisions about this work often stall while waiting for leadership approval.",
             "Agreeing here is a warning sign; it is scored in reverse.", A, "1", True),
            ("Leadership has set aside staff time for the workgroup.", "", A, "1", False),
        ],
    ),
    (
        "engagement", "Partner engagement",
        "Whether everyone who has to make a transfer work is at the table, and trusts the others.",
        "Check the partner map for missing sectors, invite them, and keep a contact roster with a back-up "
        "for every partner.",
        [
            ("The organizations needed for call transfers (988 center, PSAPs, mobile crisis, EMS, law "
             "enforcement) all take part.", "", A, "1", False),
            ("People with lived experience help shape decisions, not only review them.", "", A, "1", False),
            ("My organization knows whom to call at each partner when something goes wrong.", "", YPN, "1", False),
            ("Partners trust each other's judgment about crisis calls.", "", A, "1", False),
            ("What would help your organization take a fuller part?", "", TXT, "1", False),
        ],
    ),
    (
        "resources", "Resources and staffing",
        "Whether the people, money and crisis services the change needs exist.",
        "List what each change needs (staff, funding, equipment, mobile crisis hours) and who can provide it; "
        "take the gaps to funders and decision-makers.",
        [
            ("My organization has the staff to take on new transfer or dispatch procedures.", "", A, "1", False),
            ("Funding for the change is identified for at least the next twelve months.", "", YPN, "1", False),
            ("Mobile crisis teams are available when and where they are needed.", "", A, "1", False),
            ("How many of your staff would need to change how they work?", "A rough number is fine.", NUM, "1",
             False),
        ],
    ),
    (
        "protocols", "Policies, protocols and agreements",
        "Whether the written rules exist: who takes which call, who is responsible, what happens when "
        "something goes wrong.",
        "Draft the triage protocol and an MOU from the toolkit's templates, and agree how incidents will be "
        "reviewed together.",
        [
            ("There is a written protocol for deciding which calls go to 988 and which stay with 911.", "",
             YPN, "2", False),
            ("Partners have a signed agreement (MOU/MOA) on roles, transfers and liability, or one is being "
             "drafted.", "", YPN, "1", False),
            ("Our own policies would need major rewriting before we could transfer calls.",
             "Agreeing here is a warning sign; it is scored in reverse.", A, "1", True),
            ("Staff know what to do when a transferred call goes wrong.", "", A, "1", False),
        ],
    ),
    (
        "data", "Data sharing and technology",
        "Whether systems and rules let information move with the call.",
        "Map each system and data flow at a transfer, draft a data sharing agreement (HIPAA, 42 CFR Part 2, "
        "state law), and agree shared measures.",
        [
            ("Partners have agreed what information is shared at a transfer and under which rules.", "", A, "1",
             False),
            ("Our phone and dispatch systems can pass a call to the partner without the caller redialing.", "",
             YPN, "1", False),
            ("We can measure transfers and what happened afterwards across organizations.", "", A, "1", False),
            ("Which of your systems (phone, CAD, records) would need to change?", "", TXT, "1", False),
        ],
    ),
    (
        "training", "Training and cross-training",
        "Whether staff on both sides know how the other side works.",
        "Plan cross-training and joint drills (the triage simulator can help), and track who has completed "
        "them.",
        [
            ("Call-takers and dispatchers are trained to recognize calls that 988 can handle.", "", A, "1", False),
            ("988 staff understand how 911 dispatch and first responders work.", "", A, "1", False),
            ("Partners have practised transfers together (drills, scenarios or shadowing).", "", YPN, "1", False),
            ("How many of your staff have finished cross-training so far?", "", NUM, "1", False),
        ],
    ),
    (
        "sustainability", "Sustainability and turnover risk",
        "Whether the work would survive people leaving and attention moving elsewhere.",
        "Name a back-up for every key role, keep decisions and documents in the toolkit, and set a review "
        "cadence for agreements and protocols.",
        [
            ("This work would carry on if our main contact left the organization.", "", A, "1", False),
            ("What we know about this work is written down, not held by one person.", "", A, "1", False),
            ("Leadership or staff turnover in the next year is likely to set this work back.",
             "Agreeing here is a warning sign; it is scored in reverse.", A, "1", True),
            ("Agreements and protocols are reviewed and renewed on a set schedule.", "", YPN, "1", False),
        ],
    ),
]

# A stage is reached only when the overall score meets its threshold (never rounded up); the
# top two also need every dimension out of the concern band — a strong average cannot hide a
# dimension where partners are not ready.
STAGES: tuple[Stage, ...] = (
    Stage(
        1, "Not yet started", Fraction(1),
        "Partners do not yet share a view that 988 and 911 need to work together, or what that would mean.",
        ("Define the purpose and scope of the change with the partners already at the table.",
         "Use the partner map to find who else is affected and who has the resources to help."),
    ),
    Stage(
        2, "Exploring", Fraction(2),
        "Partners see the need, but leadership, a plan and resources are not yet in place.",
        ("Ask each partner for an executive sponsor.",
         "Agree whether the goal is interoperability or integrated workflows.",
         "List the resources the change needs and who could provide them."),
    ),
    Stage(
        3, "Preparing", Fraction(3),
        "Leaders support the change and planning is under way; the written rules and the people to run them "
        "are still being put together.",
        ("Draft the triage protocol and the MOU.", "Plan cross-training.",
         "Turn this round's concerns into an action plan with owners and dates."),
    ),
    Stage(
        4, "Ready to put into practice", Fraction(4),
        "Partners are ready to start transfers: the rules, people and systems are largely in place.",
        ("Agree a start date and a review of the first weeks.", "Set up incident reporting and joint QA review."),
        needs_no_concerns=True,
    ),
    Stage(
        5, "Sustaining and improving", Fraction(9, 2),
        "Coordination is part of everyday work and would survive turnover.",
        ("Keep the review cadence.", "Share what works with neighbouring jurisdictions.",
         "Re-assess after major changes in leadership or funding."),
        needs_no_concerns=True,
    ),
)

STAGE_SCALE_NOTE = (
    "Stages are reached at overall scores of 1, 2, 3, 4 and 4.5 on the 1–5 scale, never by rounding up; the top "
    "two also need every dimension scored at 3 or more."
)
