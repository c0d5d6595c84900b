"""Default clause library and templates for the agreements app.

Everything here is starter content for a workgroup's drafters. It is written for this project, draws its
topics from the SAMHSA 988/911 interoperability toolkit (the seed document), and is not legal advice: every
agreement built from it must be reviewed by each party's own counsel.

Clause bodies use the placeholder language of ``agreements.placeholders``: ``[[variable]]`` inserts a declared
template variable or a built-in (``agreement.title``, ``workgroup.name``, ``workgroup.jurisdiction``,
``parties``, ``party_count``); ``[[if flag]]...[[endif]]`` and ``[[if choice == "value"]]...[[endif]]`` include
text conditionally. Bodies use only ``<p>``, ``<ol>``, ``<ul>``, ``<li>``, ``<strong>`` and ``<em>``.

No clause says "not legal advice": that notice belongs to the paper (the PDF's first page, the packet cover,
the DOCX footer), never to the terms the parties sign. A body never puts "workgroup" after ``[[workgroup.name]]``
(names such as "988/911 Workgroup" would read twice). Workgroups made before a clause was added get it from a data
migration holding a frozen copy of its text (0004 for the first library, 0009 for the public-sector terms).
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = "SAMHSA 988/911 Interoperability Toolkit"
PRACTICE = "common public-sector contracting practice"

# The two ways the indemnification clause can read (values of the ``indemnity_approach`` choice variable).
INDEMNITY_MUTUAL = "mutual, to the extent permitted by law"
INDEMNITY_OWN = "each party bears its own liability"


@dataclass(frozen=True)
class DefaultClause:
    key: str
    title: str
    category: str
    body: str
    guidance: str
    condition: str = ""


@dataclass(frozen=True)
class DefaultVariable:
    name: str
    label: str
    type: str
    default: str = ""
    help: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class DefaultTemplate:
    key: str
    name: str
    kind: str
    description: str
    clauses: tuple[str, ...]
    variables: tuple[DefaultVariable, ...]


CATEGORIES: dict[str, str] = {
    "scope": "Purpose and scope",
    "roles": "Parties and roles",
    "operations": "Operations",
    "information": "Information sharing and security",
    "liability": "Liability and risk",
    "governance": "Governance and review",
    "legal": "General legal terms",
    "signatures": "Signatures",
}

# --------------------------------------------------------------------------------------------------------------
# Clauses
# --------------------------------------------------------------------------------------------------------------

CLAUSES: tuple[DefaultClause, ...] = (
    DefaultClause(
        key="purpose-scope",
        title="Purpose and Scope",
        category="scope",
        body=(
            "<p>This agreement, <strong>[[agreement.title]]</strong>, is made among [[parties]] through "
            "[[workgroup.name]]. Its purpose is to make the 988 crisis line and the 911 emergency system "
            "in [[workgroup.jurisdiction]] work together so that a person in a behavioral health crisis reaches "
            "the most suitable help, by the quickest safe route, whichever number they contact first.</p>"
            "<p>The agreement covers how contacts move between the parties, what information travels with them, "
            "how the parties train together, measure results and review difficult cases, and how they share the "
            "risks of working together. It does not change any party's legal authority, funding obligations or "
            "duty to respond to emergencies, and it does not create rights for anyone who is not a party.</p>"
        ),
        guidance=(
            "Open by stating the shared goal and the limits of the arrangement. A clear scope lets each party's "
            "counsel see quickly what is and is not being promised, and the third-party sentence reduces the "
            "chance that a member of the public treats the agreement as a source of enforceable duties. Source: "
            f"{SOURCE}, 'Partnerships with Local Law Enforcement and Emergency Services' (agreements set shared "
            "expectations and how systems interact)."
        ),
    ),
    DefaultClause(
        key="definitions",
        title="Definitions",
        category="scope",
        body=(
            "<p>In this agreement the following words have these meanings:</p>"
            "<ul>"
            "<li><strong>988 Center</strong>: a crisis contact center answering calls, texts and chats routed "
            "through the 988 Suicide and Crisis Lifeline.</li>"
            "<li><strong>PSAP</strong>: a public safety answering point that receives 911 calls and dispatches "
            "police, fire or emergency medical services.</li>"
            "<li><strong>Mobile Crisis Team</strong>: a behavioral health team that responds in person in the "
            "community.</li>"
            "<li><strong>Transfer</strong>: moving a live contact from one party to another.</li>"
            "<li><strong>Warm Hand-off</strong>: a Transfer in which the sending staff member stays connected "
            "until the receiving staff member has accepted the contact and heard a summary.</li>"
            "<li><strong>Triage Protocol</strong>: the risk assessment and call routing protocol adopted by "
            "[[workgroup.name]], as in force from time to time.</li>"
            "<li><strong>Protected Information</strong>: any information that identifies, or could reasonably "
            "identify, a person who contacted a party.</li>"
            "</ul>"
        ),
        guidance=(
            "Shared vocabulary prevents two agencies from reading the same sentence differently, which is a "
            "common source of disputes after an adverse event. Keep definitions consistent with the workgroup's "
            "triage protocol and local statutes, and add terms for any local programs (for example co-responder "
            f"units). Source: {SOURCE}, 'Establishing and Maintaining Interorganizational Trust' (communication of "
            "roles) and 'Policy and Procedure Considerations' (risk assessment and triage protocols)."
        ),
    ),
    DefaultClause(
        key="parties-roles",
        title="Parties and Roles",
        category="roles",
        body=(
            "<p>The [[party_count]] parties to this agreement are [[parties]].</p>"
            "<p>Each party keeps control of its own staff, equipment and decisions, and will:</p>"
            "<ol>"
            "<li>name a liaison who answers questions about this agreement and keeps contact details current;</li>"
            "<li>share a short description of its services, hours, escalation path and after-hours contacts;</li>"
            "<li>follow the Triage Protocol when deciding whether a contact belongs with another party;</li>"
            "<li>tell the other parties promptly about changes that affect their work, such as outages, new "
            "phone numbers or reduced coverage.</li>"
            "</ol>"
            "<p>Law enforcement and emergency medical responders act where there is an imminent threat to life "
            "or safety or a medical need. Behavioral health responders lead on de-escalation and support where "
            "no such threat exists. Joint or co-response is used where the Triage Protocol calls for it.</p>"
        ),
        guidance=(
            "Most liability worries trace back to unclear roles: who was supposed to act, and when. Spell out "
            "the split between public safety and behavioral health responders, and attach workflow charts or an "
            "organization chart if they help. Confirm each liaison really has authority to act. Source: "
            f"{SOURCE}, 'Establishing and Maintaining Interorganizational Trust' (communication of roles) and "
            "'Contractual Considerations' (distinguishing law enforcement from crisis response teams)."
        ),
    ),
    DefaultClause(
        key="call-transfer",
        title="Call Transfer Procedures",
        category="operations",
        body=(
            "<p>The parties will route contacts according to the Triage Protocol and the decision-point matrix.</p>"
            "<ol>"
            "<li><strong>911 to 988.</strong> When a PSAP call taker finds a behavioral health concern with no "
            "imminent danger and no medical or fire need, the call taker offers a transfer to the 988 Center and "
            "stays on the line until the 988 counselor answers.</li>"
            "<li><strong>988 to 911.</strong> When a 988 counselor finds imminent danger to the person or others, "
            "a medical emergency, or a situation that cannot be managed remotely, the counselor contacts the PSAP "
            "on the agreed priority line, gives location and safety details, and stays with the person where "
            "possible until responders are engaged.</li>"
            "<li><strong>Warm hand-off.</strong> Transfers are made as Warm Hand-offs wherever practical. The "
            "sending party shares the reason for transfer, location, known risks and call-back number.</li>"
            "<li><strong>Failed transfer.</strong> If a transfer does not connect, the sending party keeps "
            "responsibility for the contact and tries again or escalates.</li>"
            "</ol>"
        ),
        guidance=(
            "Transfers are where callers are most at risk of being lost, and where staff worry most about being "
            "blamed. A written sequence, including what happens when a transfer fails, shows that each party "
            "acted under an agreed procedure rather than individual judgment alone. Align the steps with the "
            f"workgroup's triage protocol and test them in exercises. Source: {SOURCE}, 'Liability Concerns' (risk "
            "in transferring calls) and 'Policy and Procedure Considerations' (risk assessment and triage)."
        ),
    ),
    DefaultClause(
        key="decision-matrix",
        title="Decision-Point Matrix",
        category="operations",
        body=(
            "<p>The parties adopt the decision-point matrix maintained with the Triage Protocol of "
            "[[workgroup.name]]. The matrix sets out, for each risk level, which party leads, which "
            "party supports, and when a contact is transferred, shared or dispatched.</p>"
            "<p>The matrix is a working document. The parties may update it by written agreement of their "
            "liaisons without amending this agreement, provided the change is recorded with a version number "
            "and date and circulated to all parties before it takes effect. Staff follow the version in force "
            "on the date of the contact.</p>"
            "<p>Where staff depart from the matrix because of information the matrix does not anticipate, they "
            "record the reason, and the departure is considered at the next joint review.</p>"
        ),
        guidance=(
            "Putting the matrix in an attachment, rather than the agreement body, lets operations staff refine "
            "it without a full re-signing, while version control still shows which rules applied to a given "
            "call. Recording departures protects staff who use sound judgment and feeds quality improvement. "
            f"Source: {SOURCE}, 'Establishing and Maintaining Interorganizational Trust' (decision point matrices "
            "for call transfer) and 'Policy and Procedure Considerations' (triage categories)."
        ),
    ),
    DefaultClause(
        key="information-sharing",
        title="Information Sharing and Confidentiality",
        category="information",
        body=(
            "<p>Each party will keep Protected Information confidential and use it only to serve the person, "
            "coordinate the response, and carry out the reviews described in this agreement.</p>"
            "<p>The parties understand that HIPAA, where it applies to a party, sets rules for handling health "
            "information but does not stand in the way of sharing what is needed to transfer a contact or "
            "coordinate an emergency response. Withholding needed information can delay help. Each party shares "
            "the minimum information necessary for the purpose and records what it shared and with whom.</p>"
            "<p>Each party also follows the confidentiality laws of its state, which may be stricter than "
            "federal law, and its own licensing or accreditation rules.</p>"
            "[[if has_substance_use_provider]]<p>Records covered by 42 CFR Part 2 are handled under the separate "
            "clause on substance use disorder records.</p>[[endif]]"
        ),
        guidance=(
            "Fear of HIPAA penalties is one of the most common reasons staff hold back information during a "
            "transfer, yet failing to share can itself lead to harm and legal exposure. This clause states the "
            "shared understanding while keeping each party responsible for its own compliance. Ask counsel to "
            f"check state mental health confidentiality statutes. Source: {SOURCE}, 'Liability Concerns' (HIPAA "
            "liability, perceived and actual)."
        ),
    ),
    DefaultClause(
        key="part2-records",
        title="Substance Use Disorder Records (42 CFR Part 2)",
        category="information",
        body=(
            "<p>At least one party operates a program whose substance use disorder records are protected by "
            "42 CFR Part 2. Those records carry stricter limits than general health information.</p>"
            "<ol>"
            "<li>The program discloses Part 2 records only with the person's written consent or under an "
            "exception the regulation allows, such as a genuine medical emergency.</li>"
            "<li>A disclosure made in a medical emergency is documented as the regulation requires, including "
            "who received it, when, and the nature of the emergency.</li>"
            "<li>A party receiving Part 2 information keeps it separate where practical, does not re-disclose it "
            "except as the regulation permits, and does not use it to investigate or prosecute the person.</li>"
            "<li>Routine call transfers are made without identifying a person as a substance use patient unless "
            "that fact is needed for the response.</li>"
            "</ol>"
        ),
        guidance=(
            "Include this clause whenever a party is a substance use treatment program or the single state "
            "agency for substance use. Part 2 is narrower than HIPAA, and a mistaken re-disclosure can expose "
            "both the sending and receiving party. Have counsel confirm the current consent and emergency "
            f"provisions, which were revised recently. Source: {SOURCE}, 'Liability Concerns' (HIPAA exceptions in "
            "substance use crises; Part 2 medical emergency exception resource)."
        ),
        condition="has_substance_use_provider",
    ),
    DefaultClause(
        key="data-security",
        title="Data Security and Breach Notice",
        category="information",
        body=(
            "<p>Each party protects Protected Information it holds with administrative, physical and technical "
            "safeguards suited to its sensitivity, including:</p>"
            "<ul>"
            "<li>access limited to staff who need it for their role, with individual log-ins;</li>"
            "<li>encryption of information sent between parties outside a secured network;</li>"
            "<li>secure disposal once the information is no longer needed or required to be kept.</li>"
            "</ul>"
            "<p>A party that discovers, or reasonably suspects, unauthorized access to or disclosure of "
            "Protected Information received under this agreement will notify the affected parties' liaisons "
            "within <strong>[[breach_notice_hours]] hours</strong> of discovery. The notice describes what is "
            "known, the steps taken to contain the incident, and a contact for follow-up. The parties cooperate "
            "in any investigation and in notices owed to individuals or regulators, which remain the duty of the "
            "party responsible under law.</p>"
        ),
        guidance=(
            "A clear notice window lets every party meet its own legal deadlines for notifying people and "
            "regulators. Check that the hours chosen are shorter than the strictest deadline that applies to any "
            "party, and that liaisons can be reached outside business hours. Source: "
            f"{SOURCE}, 'Liability Concerns' (inappropriate disclosure of confidential information) and 'Policy "
            "and Procedure Considerations' (post-response data sharing)."
        ),
    ),
    DefaultClause(
        key="data-elements",
        title="Shared Data Elements and Permitted Uses",
        category="information",
        body=(
            "<p>For coordination and improvement, the parties exchange post-response data on contacts that moved "
            "between them. The data set is limited to:</p>"
            "<ul>"
            "<li>date, time and direction of each transfer;</li>"
            "<li>risk level under the Triage Protocol at intake and at close;</li>"
            "<li>time to answer and time to connect or dispatch;</li>"
            "<li>disposition, such as resolved remotely, mobile crisis dispatched, or emergency services "
            "dispatched;</li>"
            "<li>whether follow-up was offered and completed.</li>"
            "</ul>"
            "<p>Shared reports are de-identified unless the parties are jointly reviewing a named case. "
            "Recipients use the data only for coordination, quality improvement and required reporting, "
            "and do not sell it or use it for enforcement. Shared data is kept no longer than "
            "[[data_retention_months]] months unless a law or records schedule requires longer.</p>"
        ),
        guidance=(
            "Listing the data elements keeps sharing proportionate and makes the agreement easier for privacy "
            "officers to approve. Outcome data on transferred calls builds trust between agencies and shows "
            "where the process needs work. Check the retention period against each party's records schedule. "
            f"Source: {SOURCE}, 'Policy and Procedure Considerations' (client interaction and outcome tracking; "
            "post-response data sharing)."
        ),
    ),
    DefaultClause(
        key="services-deliverables",
        title="Scope of Services and Deliverables",
        category="operations",
        body=(
            "<p>The party identified in this agreement as the service provider will deliver the following "
            "services: [[services_summary]].</p>"
            "<p>Services are available [[service_hours]].</p>"
            "<p>The provider will:</p>"
            "<ol>"
            "<li>staff the services with trained, supervised personnel and keep training records;</li>"
            "<li>meet the performance metrics set out in this agreement and report on them as agreed;</li>"
            "<li>follow the Triage Protocol and the call transfer procedures in this agreement;</li>"
            "<li>give written notice before changing subcontractors, locations or technology that affect the "
            "services;</li>"
            "<li>deliver any plans, reports or system changes listed in an attachment by the dates stated "
            "there.</li>"
            "</ol>"
            "<p>Work outside this scope needs a written amendment before it begins.</p>"
        ),
        guidance=(
            "Clear terms of service are the main protection when a jurisdiction relies on an outside provider "
            "to run crisis services. Vague scope makes it hard to hold the provider to account and can leave the "
            "contracting agency sharing blame for the provider's failures. List deliverables and dates in an "
            f"attachment so they can be tracked. Source: {SOURCE}, 'Contractual Considerations' (service agreements "
            "with external partners) and 'Liability Concerns' (contractual risks with external providers)."
        ),
    ),
    DefaultClause(
        key="mutual-aid-requests",
        title="Requests for Assistance",
        category="operations",
        body=(
            "<p>A party facing a surge in contacts, a system outage or a staffing shortfall may ask another party "
            "for help, such as overflow answering, backup routing or additional responders.</p>"
            "<ol>"
            "<li>Requests are made by the requesting party's liaison or shift supervisor through the agreed "
            "contact route and confirmed in writing as soon as practical.</li>"
            "<li>The receiving party decides whether and how far it can help, and may decline or withdraw help "
            "if its own service would be put at risk.</li>"
            "<li>Staff providing help remain employees of their own party and follow their own policies, while "
            "respecting the requesting party's operational direction on the incident.</li>"
            "</ol>"
            "[[if aid_reimbursable]]<p>The requesting party reimburses reasonable, documented costs of help "
            "lasting more than one operational period, on terms set out in an attachment.</p>[[endif]]"
            "<p>Each request and its outcome is logged and considered at the next joint review.</p>"
        ),
        guidance=(
            "Mutual aid lets partners support one another before a formal contract exists, but it raises "
            "questions about who directs borrowed staff and who pays. Keeping employment and policy with the home "
            "party limits confusion about vicarious liability. Decide in advance whether costs are reimbursed. "
            f"Source: {SOURCE}, 'Partnerships with Local Law Enforcement and Emergency Services' (mutual aid "
            "agreements) and 'Liability Concerns' (vicarious liability)."
        ),
    ),
    DefaultClause(
        key="liability-sharing",
        title="Liability Sharing and Risk Allocation",
        category="liability",
        body=(
            "<p>Each party is responsible for the acts and omissions of its own officers, employees, volunteers "
            "and contractors in carrying out this agreement, to the extent of its role in the response.</p>"
            "<p>Where more than one party contributed to a loss, responsibility is shared in proportion to each "
            "party's role and conduct, as agreed by the parties or decided by a court. No party takes on "
            "another party's liability simply by transferring a contact, receiving a transfer, or supporting a "
            "response led by another party.</p>"
        ),
        guidance=(
            "Tying responsibility to each party's role answers the common fear that taking a transfer means "
            "inheriting the sending party's risk. Immunities and good-faith protections are kept in their own "
            "clause (Immunities and Limits of Liability Preserved), so keep that clause wherever this one is used. "
            f"Source: {SOURCE}, 'Contractual Considerations' (liability sharing and risk allocation) "
            "and 'Liability Concerns' (negligence and vicarious liability)."
        ),
    ),
    DefaultClause(
        key="indemnification",
        title="Indemnification",
        category="liability",
        body=(
            f'[[if indemnity_approach == "{INDEMNITY_MUTUAL}"]]'
            "<p>To the extent permitted by the law that applies to it, each party will indemnify and hold harmless "
            "the other parties, and their officers and employees, against third-party claims, losses and "
            "reasonable costs to the extent caused by:</p>"
            "<ol>"
            "<li>its negligent or wrongful acts or omissions in performing this agreement;</li>"
            "<li>its breach of the confidentiality or data security clauses; or</li>"
            "<li>the acts or omissions of its subcontractors.</li>"
            "</ol>"
            "<p>Where that law allows a party to defend another, it also defends the claim. A party seeking "
            "indemnity gives prompt written notice of the claim, lets the indemnifying party control the defense "
            "with counsel reasonably acceptable to both, subject to any law that gives a public official, such as "
            "an attorney general, control of a public party's defense, and cooperates reasonably. No party "
            "settles a claim in a way that admits fault on behalf of another party without that party's "
            "consent.</p>"
            "<p>A party whose law does not allow it to indemnify or defend another, or allows it only within "
            "limits such as those of a tort claims act or of its appropriations, is bound by this clause only "
            "within those limits. Beyond them, it remains responsible for its own acts and omissions as the "
            "clause on liability sharing provides.</p>"
            "[[endif]]"
            f'[[if indemnity_approach == "{INDEMNITY_OWN}"]]'
            "<p>No party agrees to defend, indemnify or hold harmless any other party. Each party is "
            "responsible, to the extent the law that applies to it provides, for its own acts and omissions and "
            "those of its officers, employees, volunteers and agents, and for the claims, losses and costs that "
            "result from them.</p>"
            "<p>This clause does not limit any defense a party has, or any right to seek contribution from "
            "another party that the law allows.</p>"
            "[[endif]]"
        ),
        guidance=(
            "Choose the approach with the template variable 'Indemnity approach'. Many public bodies may not "
            "promise to defend or indemnify another party, or may do so only within limits: constitutional debt "
            "and credit limits, appropriation rules and tort claims acts differ by state, and some states reserve "
            "a public body's defense to the attorney general. 'Each party bears its own liability' is the usual "
            "choice between public agencies. Where a public agency contracts an outside provider to run crisis "
            "services, the agency normally wants the provider to indemnify it; if the agency cannot indemnify in "
            "return, counsel can edit the mutual wording so it runs from the provider only. Each party's counsel "
            "should confirm which wording it can sign; this is a starting point for partners and counsel. Source: "
            f"{SOURCE}, 'Contractual Considerations' (indemnity clauses; holding contractors and providers "
            "accountable) and 'Liability Concerns' (contractual risks with external providers)."
        ),
    ),
    DefaultClause(
        key="insurance",
        title="Insurance Minimums",
        category="liability",
        body=(
            "<p>Each party that is not self-insured will keep in force, for the whole term of this agreement, "
            "insurance appropriate to its role, including at least:</p>"
            "<ul>"
            "<li>general liability coverage;</li>"
            "<li>professional liability coverage for clinical and crisis services;</li>"
            "<li>cyber liability coverage where the party holds Protected Information;</li>"
            "<li>workers' compensation as the law requires.</li>"
            "</ul>"
            "<p>Each liability policy carries limits of not less than <strong>[[insurance_minimum]]</strong> per "
            "occurrence. On request, a party provides a certificate of insurance or a letter describing its "
            "self-insurance program, and gives at least thirty days' notice before cancellation or a material "
            "reduction in coverage. Contractors providing services under this agreement are held to the same "
            "minimums.</p>"
        ),
        guidance=(
            "Minimum insurance makes sure an indemnity promise can actually be paid, particularly by smaller "
            "community providers. Set limits with your risk manager; professional liability and cyber cover are "
            "often overlooked for crisis lines. Public bodies may self-insure, so accept a letter in place of a "
            f"certificate. Source: {SOURCE}, 'Contractual Considerations' (minimum level of insurance clauses for "
            "service agreements)."
        ),
    ),
    DefaultClause(
        key="performance-metrics",
        title="Performance Metrics and Reporting",
        category="governance",
        body=(
            "<p>The parties will track and share a common set of measures, including:</p>"
            "<ul>"
            "<li>contact volume by channel and by direction of transfer;</li>"
            "<li>time to answer, time to complete a transfer, and time to on-scene arrival where a team is "
            "dispatched;</li>"
            "<li>transfer outcomes, including completed, abandoned and returned transfers;</li>"
            "<li>dispositions and follow-up completed.</li>"
            "</ul>"
            "<p>Each party sends its figures to the workgroup on a [[reporting_frequency]] basis, using the "
            "shared definitions and without identifying individuals.</p>"
            '[[if reporting_frequency == "quarterly"]]<p>Because reports are quarterly, a party will also raise '
            "any sharp change in a measure with the other liaisons as soon as it is noticed rather than waiting "
            "for the next report.</p>[[endif]]"
            "<p>Targets, where set, are listed in an attachment and reviewed at each periodic review.</p>"
        ),
        guidance=(
            "Shared measures turn the agreement into something partners can check, and outcome data on "
            "transferred calls builds trust between 988 and 911 staff. Agree definitions first, or each party "
            "will count differently. For external providers, tie metrics to the scope of services. Source: "
            f"{SOURCE}, 'Policy and Procedure Considerations' (program evaluations, outcome tracking, post-response "
            "data sharing) and 'Contractual Considerations' (performance metrics)."
        ),
    ),
    DefaultClause(
        key="cross-training",
        title="Cross-Training",
        category="operations",
        body=(
            "<p>The parties will help their staff understand each other's work. Each party will:</p>"
            "<ol>"
            "<li>include the Triage Protocol and the transfer procedures in training for new call takers, "
            "counselors and supervisors, and refresh it when either changes;</li>"
            "<li>offer places in relevant courses, such as de-escalation, suicide intervention or crisis "
            "intervention team training, to the other parties' staff where possible;</li>"
            "<li>arrange sit-alongs and, where safe and lawful, ride-alongs so staff see how the other party "
            "handles crisis contacts;</li>"
            "<li>keep simple records of who completed which training.</li>"
            "</ol>"
            "<p>Cross-training builds understanding only. It does not authorize staff of one party to perform "
            "the duties of another party's staff.</p>"
        ),
        guidance=(
            "Inadequate training is a frequent basis for claims against organizations for their staff's errors. "
            "Joint training shows each party took reasonable steps, and training records are useful evidence. "
            "The last sentence avoids the impression that a dispatcher may act as a counselor or the reverse. "
            f"Source: {SOURCE}, 'Cross-Training' (within 'Partnerships with Local Law Enforcement and Emergency "
            "Services') and 'Liability Concerns' (vicarious liability)."
        ),
    ),
    DefaultClause(
        key="incident-review",
        title="Incident Reporting and Joint Review",
        category="governance",
        body=(
            "<p>Each party will keep an internal system for staff to report problems in joint work, including "
            "delayed or failed transfers, miscommunication, technical faults, and serious adverse events.</p>"
            "<ol>"
            "<li>A party tells the other affected liaisons about a serious adverse event involving a transfer or "
            "joint response as soon as practical.</li>"
            "<li>Representatives of each involved party meet to review the event, focusing on what happened and "
            "how to prevent it recurring rather than on individual blame.</li>"
            "<li>The review agrees corrective actions, owners and dates, and the workgroup tracks them to "
            "completion.</li>"
            "<li>Review discussions are kept confidential to the extent the law allows, including any quality "
            "improvement privilege.</li>"
            "</ol>"
            "<p>Each party also offers a structured debrief and access to staff support after a critical "
            "incident.</p>"
        ),
        guidance=(
            "Joint review catches weak points before they cause harm and shows a pattern of diligent oversight "
            "if a claim is made. Ask counsel whether a quality improvement privilege applies, since review notes "
            "may otherwise be discoverable. Staff debriefing supports wellbeing and retention. Source: "
            f"{SOURCE}, 'Policy and Procedure Considerations' (incident reporting procedures, incident response "
            "documentation, debriefing process)."
        ),
    ),
    DefaultClause(
        key="dispute-resolution",
        title="Dispute Resolution",
        category="governance",
        body=(
            "<p>The parties will try to settle any disagreement about this agreement informally and at the "
            "lowest level able to resolve it.</p>"
            "<ol>"
            "<li>The liaisons meet and try to resolve the matter within fifteen business days after either "
            "raises it in writing.</li>"
            "<li>If they cannot, the matter goes to the senior leaders of the parties involved, who meet within "
            "a further fifteen business days.</li>"
            "<li>If the leaders cannot agree, they may ask a neutral facilitator or mediator to help, with costs "
            "shared equally unless agreed otherwise.</li>"
            "</ol>"
            "<p>While a dispute is open, each party keeps performing its duties under this agreement, and "
            "nothing in this clause delays a response to a person in crisis or stops a party from seeking "
            "urgent relief to protect people or data.</p>"
        ),
        guidance=(
            "A stepped process keeps disagreements from escalating straight to litigation and preserves working "
            "relationships between agencies that must keep cooperating on live calls. The carve-out for urgent "
            "action ensures the process never gets in the way of safety. Source: "
            f"{SOURCE}, 'Partnerships with Local Law Enforcement and Emergency Services' (agreements mitigate "
            "disputes by settling key details early)."
        ),
    ),
    DefaultClause(
        key="term-termination",
        title="Term, Amendment and Termination",
        category="governance",
        body=(
            "<p>This agreement takes effect on <strong>[[effective_date]]</strong> and continues for "
            "[[term_months]] months, unless ended earlier under this clause. The parties may renew it by written "
            "agreement.</p>"
            "<p>Any amendment must be in writing and signed by authorized representatives of all parties, except "
            "updates to attachments that this agreement allows the liaisons to make.</p>"
            "<p>A party may withdraw for any reason by giving at least [[termination_notice_days]] days' written "
            "notice to the other parties. Where more than two parties have signed, the agreement continues among "
            "the rest. A party may withdraw sooner if another party materially breaches the agreement and does "
            "not cure the breach within thirty days after written notice.</p>"
            "<p>On withdrawal or expiry, the parties cooperate so that no person in crisis is left without a "
            "route to help, and the confidentiality, data protection and liability terms continue to apply to "
            "information and events from before the end date.</p>"
        ),
        guidance=(
            "A notice period gives partners time to rework call routing so callers are not stranded when one "
            "party leaves. Survival of the confidentiality and liability terms prevents gaps in protection for "
            "events that happened during the agreement. Check whether any party's governing body must approve "
            f"amendments. Source: {SOURCE}, 'Contractual Considerations' (clear terms and timelines) and 'Liability "
            "Concerns' (review of agreements by legal counsel)."
        ),
    ),
    DefaultClause(
        key="periodic-review",
        title="Periodic Review",
        category="governance",
        body=(
            "<p>The parties will review this agreement, its attachments and any shared performance data "
            "together at least every [[review_interval_months]] months, and also whenever:</p>"
            "<ul>"
            "<li>the Triage Protocol is replaced or materially changed;</li>"
            "<li>a law, regulation or funding condition affecting the parties' work changes;</li>"
            "<li>a serious adverse event review recommends it; or</li>"
            "<li>a party joins or leaves.</li>"
            "</ul>"
            "<p>The review confirms that contacts, roles and procedures are still accurate, considers trends in "
            "shared data and the status of corrective actions, and records agreed changes. Changes "
            "needing an amendment follow the amendment process in this agreement.</p>"
        ),
        guidance=(
            "Agreements that are signed and forgotten drift away from practice, and an outdated procedure can be "
            "worse than none when a case is examined afterwards. Regular review keeps the document, the protocol "
            "and real operations in line and supports continuous improvement. Source: "
            f"{SOURCE}, 'Policy and Procedure Considerations' (continuous improvement process, quality assurance "
            "and auditing, regular program evaluations)."
        ),
    ),
    DefaultClause(
        key="mou-not-binding",
        title="Nature of this Memorandum",
        category="scope",
        body=(
            "<p>This memorandum of understanding (in its clauses, “this agreement”) records the shared "
            "intentions of the parties and how they mean to cooperate. Except for [[binding_clauses]], by which the "
            "parties agree to be bound, this agreement is not intended to, and does not, create legally binding "
            "rights or obligations. It does not commit any party to spend, transfer or seek funds, to hire staff "
            "or to buy equipment. A commitment of that kind needs a separate written agreement, approved as each "
            "party's law requires and subject to the appropriation of funds.</p>"
            "<p>A party that cannot carry out something this agreement describes tells the other parties' "
            "liaisons promptly, so that they can adjust call routing and no person in crisis is left without a "
            "route to help.</p>"
        ),
        guidance=(
            "An MOU usually records intent, but the title alone may not decide whether a document binds: text "
            "full of 'will' and 'shall' can be read as a contract. This statement says plainly that the MOU does "
            "not bind, except for the parts the parties do want to rely on, such as confidentiality. "
            "Name those parts in the variable 'Parts of the MOU that bind the parties' by topic or clause "
            "title, not by number, since numbers change when a condition leaves a clause out. Counsel should "
            "check that the list matches the parties' intent and whether a binding promise needs governing-body "
            "approval. Use this clause only in an MOU; an MOA or a service agreement is meant to bind. A "
            f"starting point for partners and counsel. Source: {SOURCE}, 'Contractual Considerations' (consult "
            "legal representatives before drafting legally binding agreements) and 'Liability Concerns' "
            f"(MOUs and MOAs create formal or informal partnerships); {PRACTICE}."
        ),
    ),
    DefaultClause(
        key="funding-appropriation",
        title="Funding Subject to Appropriation",
        category="legal",
        body=(
            "<p>Each party's obligations under this agreement that require it to spend money depend on funds for "
            "that purpose being lawfully appropriated, budgeted and available to it. Nothing in this agreement "
            "obliges a party to spend beyond its current appropriations, pledges its credit, or creates a debt "
            "that the law does not allow it to incur.</p>"
            "<p>If funds a party needs in order to perform are not appropriated, or are reduced or withdrawn, "
            "that party notifies the other parties in writing as soon as it knows. It may then end its "
            "participation in this agreement, or reduce the obligations those funds supported, without penalty "
            "or further liability, from the date the funds end or any later date stated in its notice.</p>"
            "<p>This clause does not excuse payment, from funds that were available, for services properly "
            "delivered before that date. The parties cooperate so that no person in crisis is left without a "
            "route to help.</p>"
        ),
        guidance=(
            "Public bodies generally cannot commit money their legislature, council or board has not "
            "appropriated, and many state constitutions and statutes limit debts that run past the current "
            "budget period. A non-appropriation clause lets a public party sign a multi-year agreement within "
            "those rules. In a service agreement the provider will want as much warning as possible: consider a "
            "minimum notice period and say how work in progress is paid. A federal agency that joins, such as an "
            "Indian Health Service unit, is bound by the federal Anti-Deficiency Act and will bring its own "
            "wording. Check each party's budget cycle with counsel and finance staff. A starting point for "
            f"partners and counsel. Source: {PRACTICE} (the toolkit does not cover appropriations); it does note "
            "that sustaining 988 systems depends on funding such as state 988 fees ('Jurisdictional Efforts "
            "Around Liability')."
        ),
    ),
    DefaultClause(
        key="public-records",
        title="Public Records",
        category="legal",
        body=(
            "<p>This agreement, and records that a party makes or receives in carrying it out, may be public "
            "records under the public records or open records law that applies to that party. Information one "
            "party gives to another may become a record of the party that receives it, subject to the law that "
            "applies to the receiving party.</p>"
            "<ol>"
            "<li>Each party answers requests for records it holds under the law that applies to it, and decides, "
            "with its own counsel, what that law requires it to release or allows it to withhold.</li>"
            "<li>A party that receives a request for information that another party provided and identified as "
            "confidential tells that party promptly, where the law allows and time permits, before releasing it, "
            "so that the other party can seek to protect it at its own cost.</li>"
            "<li>Nothing in this agreement requires a party to withhold a record the law requires it to release, "
            "or to release a record the law protects, such as protected health information, substance use "
            "disorder records or 911 recordings that the law makes confidential.</li>"
            "</ol>"
        ),
        guidance=(
            "Most state and local agencies are subject to a public records, open records or freedom of "
            "information law, and the agreement itself is usually a public record. Information one party shares "
            "can become a record of the agency that receives it, under that agency's law: a Tribe or a private "
            "provider sharing information with a state or county agency should know this before sharing. Marking "
            "information 'confidential' does not by itself make it exempt, and response deadlines can be short, "
            "which is why the notice promise applies 'where the law allows and time permits'. Ask counsel which "
            "exemptions cover call recordings, health information and crisis records in your state. A starting "
            f"point for partners and counsel. Source: {PRACTICE} (the toolkit does not cover public records "
            f"laws); {SOURCE}, 'Liability Concerns' (inappropriate disclosure of confidential information)."
        ),
    ),
    DefaultClause(
        key="immunities",
        title="Immunities and Limits of Liability Preserved",
        category="liability",
        body=(
            "<p>Nothing in this agreement waives, or is to be read as waiving, any immunity from suit or from "
            "liability, any limit on damages, any notice-of-claim requirement, or any other defense or "
            "protection that a party, or its officers, employees or volunteers, has under federal, state or "
            "Tribal law. This includes sovereign and governmental immunity, the protections and limits of a "
            "state tort claims act or similar law, and laws that protect 911, 988 or crisis staff who act in "
            "good faith.</p>"
            "[[if tribal_party]]<p>The sovereign immunity of each Tribal party, and of its officers, employees "
            "and agents acting in their official capacity, is expressly preserved. Nothing in this agreement, "
            "including any clause on dispute resolution, governing law or indemnification, waives that immunity "
            "or consents to suit or to the jurisdiction of any court or agency. A waiver has effect only if it is "
            "express, in writing, and approved as the law of the Tribe requires.</p>[[endif]]"
        ),
        guidance=(
            "County, city and state counsel routinely ask for this clause. Public bodies usually have immunities, "
            "damage caps and notice-of-claim rules under state tort claims acts and similar laws, and an "
            "agreement must not be read as giving them up. Many states protect 911 staff, and some now protect "
            "988 and crisis staff, who act in good faith; the toolkit gives Washington, Kansas and North Dakota "
            "as examples. A Tribe's sovereign immunity can be waived only clearly and expressly, so set 'A Tribal "
            "nation is a party' to yes when one is, and have the Tribe's counsel review every clause that "
            "mentions courts, arbitration or indemnity. A starting point for partners and counsel. Source: "
            f"{SOURCE}, 'Liability Concerns' (negligence; qualified immunity and other legal protections), "
            "'Jurisdictional Efforts Around Liability' and 'Considerations with Tribal Nations' (Tribal "
            "sovereignty)."
        ),
    ),
    DefaultClause(
        key="limited-data-set",
        title="Limited Data Set and Data Use Terms (HIPAA)",
        category="information",
        body=(
            "<p>This clause applies when a party that is a HIPAA covered entity, or a business associate acting "
            "for one (the discloser), gives another party (the recipient) a limited data set as defined in "
            "45 CFR 164.514(e): health information from which the direct identifiers the rule lists (such as "
            "names, street addresses, telephone numbers and e-mail addresses) of the individual and of the "
            "individual's relatives, employers and household members have been removed. For those disclosures "
            "this clause is the data use agreement the rule requires.</p>"
            "<ol>"
            "<li><strong>Permitted uses.</strong> The recipient uses and discloses the limited data set only for "
            "[[lds_purposes]], or as the law requires, and never in a way that would break the HIPAA Privacy Rule "
            "if the discloser did it.</li>"
            "<li><strong>Who may use it.</strong> Only the recipient's staff and contractors who need the data "
            "for those purposes, listed by role in an attachment, may use or receive it.</li>"
            "<li><strong>No re-identification or contact.</strong> The recipient does not identify, or try to "
            "identify, any person in the data, and does not contact any person it describes.</li>"
            "<li><strong>Safeguards.</strong> The recipient uses appropriate administrative, physical and "
            "technical safeguards to prevent any use or disclosure this clause does not allow.</li>"
            "<li><strong>Reporting.</strong> The recipient reports to the discloser any use or disclosure this "
            "clause does not allow as soon as it becomes aware of it, and in any case within "
            "[[breach_notice_hours]] hours.</li>"
            "<li><strong>Agents and contractors.</strong> The recipient makes sure that any agent or contractor "
            "to which it gives the data agrees in writing to the same restrictions and conditions.</li>"
            "</ol>"
            "<p>If the recipient breaks these terms in a material way, the discloser may require it to cure the "
            "breach and, if it is not cured, stop further disclosures and take the other steps the rule requires "
            "of the discloser. Sharing about a named person to coordinate a response, or for a joint case review, "
            "is not a limited data set disclosure; the clause on information sharing governs it.</p>"
        ),
        guidance=(
            "HIPAA lets a covered entity share a limited data set, which may keep dates, town or city, state and "
            "ZIP code but not the direct identifiers the rule lists, of the person or of the person's relatives, "
            "employers or household members, only for research, public health or health care operations, and "
            "only under a data use agreement containing the terms above (45 CFR 164.514(e)). 988 and 911 records "
            "almost always carry call-back numbers and street addresses, often a relative's or a housemate's when "
            "someone called on the person's behalf; they must come out. Confirm with counsel which parties are "
            "covered entities (many PSAPs and some crisis lines are not, and state law may still limit what they "
            "share) and that the purposes written in "
            "'Purposes of the limited data set' fit one of those three. This app exports a limited data set of "
            "incident reports only under an approved or executed data sharing agreement, so keep this clause in "
            "that agreement. A starting point for partners and counsel. Source: 45 CFR 164.514(e); "
            f"{SOURCE}, 'Policy and Procedure Considerations' (post-response data sharing) and 'Liability "
            "Concerns' (HIPAA)."
        ),
        condition="shares_limited_data_set",
    ),
    DefaultClause(
        key="part2-qso",
        title="Qualified Service Organization Terms (42 CFR Part 2)",
        category="information",
        body=(
            "<p>This clause applies where a party (the service organization) provides services to a party that "
            "is a program covered by 42 CFR Part 2, such as data processing, population health management or "
            "other professional services, and receives the program's patient records to do so. For those "
            "services, this clause is the written agreement between the two of them that makes the service "
            "organization a qualified service organization under 42 CFR 2.11. The service organization:</p>"
            "<ol>"
            "<li>acknowledges that in receiving, storing, processing or otherwise dealing with any patient records "
            "from the program, it is fully bound by 42 CFR Part 2;</li>"
            "<li>if necessary, will resist in judicial proceedings any effort to obtain access to patient records "
            "or patient identifying information related to substance use disorder diagnosis, treatment or "
            "referral for treatment, except as Part 2 permits;</li>"
            "<li>uses the records only to provide the services to the program, and does not disclose them to "
            "anyone else, including its own contractors, except as Part 2 permits;</li>"
            "<li>protects the records with the safeguards this agreement requires for Protected Information, and "
            "tells the program promptly of any use or disclosure this clause does not allow.</li>"
            "</ol>"
            "<p>The program shares with the service organization only the information needed for the "
            "services.</p>"
        ),
        guidance=(
            "Part 2 lets a program share records without patient consent with a qualified service organization, "
            "but only for services that organization provides to the program and only under a written agreement "
            "in which it accepts the commitments in items 1 and 2 (42 CFR 2.11, definition of qualified service "
            "organization, and 42 CFR 2.12). It does not cover sharing with a 911 center or a crisis line for "
            "their own response to a caller, which needs the person's consent or another Part 2 exception such "
            "as a medical emergency (see the clause on substance use disorder records). Like that clause, this "
            "one is included only when a party is marked as a substance use disorder program when the parties "
            "are chosen; delete it if no party provides services to the program. Part 2 was substantially "
            "revised in 2024, so have counsel confirm the current text and whether a party that is also a HIPAA "
            "business associate needs more. A starting point for partners and counsel. Source: 42 CFR 2.11 and "
            f"2.12; {SOURCE}, 'Liability Concerns' (Part 2 and substance use crises)."
        ),
        condition="has_substance_use_provider",
    ),
    DefaultClause(
        key="notices",
        title="Notices",
        category="legal",
        body=(
            "<p>A notice that this agreement requires in writing, such as notice of withdrawal, of a breach, of a "
            "claim, of a lack of funds or of a new notice address, is given by an authorized representative of "
            "the party to each other party at the notice address that party has listed in the notice attachment "
            "to this agreement. A party may change its notice address by notice to the others.</p>"
            "<p>Notice may be delivered by hand, by certified mail with a return receipt, or by a courier that "
            "records delivery[[if notices_by_email]], or by e-mail to the notice e-mail address a party has "
            "listed[[endif]]. Notice by hand, mail or courier takes effect on delivery, or on the date delivery "
            "is refused.[[if notices_by_email]] Notice by e-mail takes effect on the day it is sent if that is a "
            "business day for the recipient and it is sent before 5 p.m. in the recipient's time zone, and "
            "otherwise on the recipient's next business day, unless the sender receives a message that it was "
            "not delivered. Notice of withdrawal or of a claim sent by e-mail is also sent by one of the other "
            "methods.[[endif]]</p>"
            "<p>Day-to-day contact between liaisons, and the urgent reports this agreement asks for by telephone "
            "or to liaisons, such as reports of outages or suspected data breaches, do not need this form, but a "
            "party confirms an urgent report in writing when another party asks.</p>"
        ),
        guidance=(
            "Formal notices start deadlines (withdrawal, curing a breach, loss of funding, claims), so the "
            "parties need to agree where notices go and when they count as received. Attach a list of notice "
            "addresses giving, for each party, a position (for example 'County Administrator'), a postal address "
            "and, if e-mail is allowed, a monitored mailbox rather than one person's address, and check it at "
            "each periodic review. Some public bodies accept claims only by mail or hand delivery, and a state "
            "notice-of-claim law may set its own method and deadline, which this clause does not replace. A "
            f"starting point for partners and counsel. Source: {PRACTICE}; {SOURCE}, 'Establishing and "
            "Maintaining Interorganizational Trust' (contact information for the exchange of information) and "
            "'Contractual Considerations' (clear terms and timelines)."
        ),
    ),
    DefaultClause(
        key="governing-law",
        title="Governing Law and Venue",
        category="legal",
        body=(
            "<p>This agreement is governed by the laws of [[governing_state]] and by applicable federal law. Each "
            "party's own powers, duties and immunities, and its handling of records, remain governed by the law "
            "that applies to that party.</p>"
            "[[if tribal_party]]<p>For a Tribal party, the law of the Tribe and federal law govern its powers, "
            "duties and immunities. Nothing in this agreement is consent by a Tribal party to the jurisdiction "
            "of the courts or agencies of any state, or a waiver of its sovereign immunity.</p>[[endif]]"
            "<p>After the steps in the clause on dispute resolution, any lawsuit arising from this agreement, "
            "where the law permits one, is brought in [[venue]], unless the law requires a claim by or against a "
            "party to be heard in another court.</p>"
        ),
        guidance=(
            "Governing law matters most when a party is in another state or a Territory, is a Tribal nation or a "
            "federal agency, or is a private provider. Write the state as it should read after 'the laws of', "
            "for example 'the State of Washington' or 'the Commonwealth of Virginia'. Some states require claims "
            "against the state to be heard in a particular court, so leave venue to counsel. Each federally "
            "recognized Tribe is a sovereign government and works with the state government to government: set "
            "'A Tribal nation is a party' to yes so the agreement says the Tribe does not submit to state courts "
            "or agencies, and discuss any forum with the Tribe's counsel early. A starting point for partners and "
            f"counsel. Source: {SOURCE}, 'Considerations with Tribal Nations' (Tribal sovereignty, "
            f"government-to-government consultation, state-Tribal agreements); {PRACTICE}."
        ),
    ),
    DefaultClause(
        key="signatures",
        title="Signatures",
        category="signatures",
        body=(
            "<p>Each person signing below confirms that they are authorized to sign [[agreement.title]] on "
            "behalf of the party named with their signature, and that the party has completed any internal "
            "approvals it requires.</p>"
            "<p>This agreement may be signed in counterparts, including by electronic signature, and the "
            "counterparts together form one agreement. It takes effect for the [[party_count]] parties on the "
            "effective date stated above, or when the last party signs if that is later.</p>"
        ),
        guidance=(
            "Confirming signing authority avoids later arguments that an agreement never bound a party because "
            "the wrong official signed. Check each organization's delegation rules, since some public bodies need "
            "board or council approval first. The app generates the signature blocks from the parties and "
            f"their signatories. Source: {SOURCE}, 'Liability Concerns' (agreements should be sound and executable, "
            "reviewed by each party's legal team)."
        ),
    ),
)


# --------------------------------------------------------------------------------------------------------------
# Variables (shared definitions, reused by the templates below)
# --------------------------------------------------------------------------------------------------------------

EFFECTIVE_DATE = DefaultVariable(
    name="effective_date",
    label="Effective date",
    type="date",
    help="The date the agreement takes effect, usually after all parties have signed.",
)
TERM_MONTHS = DefaultVariable(
    name="term_months",
    label="Term (months)",
    type="number",
    default="36",
    help="How long the agreement lasts before it must be renewed.",
)
TERMINATION_NOTICE_DAYS = DefaultVariable(
    name="termination_notice_days",
    label="Termination notice (days)",
    type="number",
    default="60",
    help="Written notice a party must give before withdrawing. Allow time to reroute calls.",
)
REVIEW_INTERVAL_MONTHS = DefaultVariable(
    name="review_interval_months",
    label="Review interval (months)",
    type="number",
    default="12",
    help="Maximum time between joint reviews of the agreement and its attachments.",
)
BREACH_NOTICE_HOURS = DefaultVariable(
    name="breach_notice_hours",
    label="Breach notice (hours)",
    type="number",
    default="72",
    help="Hours after discovery within which a party must report a suspected data breach to the others.",
)
INSURANCE_MINIMUM = DefaultVariable(
    name="insurance_minimum",
    label="Minimum liability insurance per occurrence",
    type="money",
    default="1000000.00",
    help="Set with your risk manager; applies to general and professional liability policies.",
)
REPORTING_FREQUENCY = DefaultVariable(
    name="reporting_frequency",
    label="Reporting frequency",
    type="choice",
    default="quarterly",
    help="How often each party sends its performance figures to the workgroup.",
    choices=("monthly", "quarterly"),
)
DATA_RETENTION_MONTHS = DefaultVariable(
    name="data_retention_months",
    label="Retention of shared data (months)",
    type="number",
    default="36",
    help="How long recipients keep shared post-response data. Check each party's records schedule.",
)
SERVICES_SUMMARY = DefaultVariable(
    name="services_summary",
    label="Summary of services",
    type="text",
    default="crisis line answering, mobile crisis response and follow-up contacts",
    help="One phrase describing what the provider delivers; put detail in an attachment.",
)
SERVICE_HOURS = DefaultVariable(
    name="service_hours",
    label="Service hours",
    type="choice",
    default="24 hours a day, 7 days a week",
    help="When the provider's services are available.",
    choices=("24 hours a day, 7 days a week", "during the hours set out in an attachment"),
)
AID_REIMBURSABLE = DefaultVariable(
    name="aid_reimbursable",
    label="Assistance costs reimbursed",
    type="bool",
    default="no",
    help="Whether the requesting party pays for extended assistance from another party.",
)

GOVERNING_STATE = DefaultVariable(
    name="governing_state",
    label="Governing law",
    type="text",
    help="As it reads after “the laws of”, e.g. “the State of Washington” or “the Commonwealth of Virginia”.",
)
VENUE = DefaultVariable(
    name="venue",
    label="Courts for any lawsuit (venue)",
    type="text",
    help="As it reads after “is brought in”, e.g. “the courts sitting in Riverbend County”. Counsel decides.",
)
TRIBAL_PARTY = DefaultVariable(
    name="tribal_party",
    label="A Tribal nation is a party",
    type="bool",
    default="no",
    help="Yes when a Tribe, or a Tribal agency that shares its sovereign immunity, signs: the agreement then "
         "says expressly that the Tribe keeps its immunity and does not submit to state courts.",
)
NOTICES_BY_EMAIL = DefaultVariable(
    name="notices_by_email",
    label="Formal notices may be sent by e-mail",
    type="bool",
    default="yes",
    help="Only if every party lists a monitored notice mailbox; notices of withdrawal or claims still go by mail.",
)
BINDING_CLAUSES = DefaultVariable(
    name="binding_clauses",
    label="Parts of the MOU that bind the parties",
    type="text",
    default=("the clauses on information sharing and confidentiality, substance use disorder records (where "
             "included), data security and breach notice, public records, immunities, notices and governing law"),
    help="Name them by topic or title, not number. Everything else in an MOU records intent only.",
)
INDEMNITY_CHOICES = (INDEMNITY_MUTUAL, INDEMNITY_OWN)
INDEMNITY_HELP = "Many public bodies may not indemnify others: ask each party's counsel before choosing “mutual”."
INDEMNITY_APPROACH = DefaultVariable(
    name="indemnity_approach",
    label="Indemnity approach",
    type="choice",
    default=INDEMNITY_OWN,  # between public agencies the usual, and often the only lawful, choice
    help=INDEMNITY_HELP,
    choices=INDEMNITY_CHOICES,
)
PROVIDER_INDEMNITY_APPROACH = DefaultVariable(
    name="indemnity_approach",
    label="Indemnity approach",
    type="choice",
    default=INDEMNITY_MUTUAL,  # an outside provider answers for its own work, within what the law allows
    help=INDEMNITY_HELP,
    choices=INDEMNITY_CHOICES,
)
SHARES_LIMITED_DATA_SET = DefaultVariable(
    name="shares_limited_data_set",
    label="A HIPAA limited data set is shared",
    type="bool",
    default="yes",
    help="Yes when a HIPAA covered entity shares records with dates or ZIP codes but no names, phone numbers or "
         "street addresses: the agreement then includes the data use terms HIPAA requires.",
)
LDS_PURPOSES = DefaultVariable(
    name="lds_purposes",
    label="Purposes of the limited data set",
    type="text",
    default="joint quality improvement, incident review and evaluation of the crisis response system",
    help="HIPAA allows a limited data set only for research, public health or health care operations.",
)
# The general legal terms every template ends with.
LEGAL_TERMS = (GOVERNING_STATE, VENUE, TRIBAL_PARTY, NOTICES_BY_EMAIL)

# --------------------------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------------------------

TEMPLATES: tuple[DefaultTemplate, ...] = (
    DefaultTemplate(
        key="mou",
        name="Memorandum of Understanding (MOU)",
        kind="mou",
        description=(
            "A shared-understanding agreement for the early stages of 988/911 interoperability: roles, call "
            "transfer, information sharing, training, measurement and review. It says plainly that it records "
            "intent and commits no funds, and names the parts (such as confidentiality) that do bind the parties. "
            "Indemnification, insurance and funding clauses are left out because an MOU usually records intent "
            "before the parties commit to a legally binding contract; add them from the clause library, or use "
            "the MOA, if the parties want binding risk-transfer terms."
        ),
        clauses=(
            "purpose-scope",
            "mou-not-binding",
            "definitions",
            "parties-roles",
            "call-transfer",
            "decision-matrix",
            "information-sharing",
            "part2-records",
            "data-security",
            "public-records",
            "liability-sharing",
            "immunities",
            "performance-metrics",
            "cross-training",
            "incident-review",
            "dispute-resolution",
            "term-termination",
            "periodic-review",
            "notices",
            "governing-law",
            "signatures",
        ),
        variables=(
            EFFECTIVE_DATE,
            TERM_MONTHS,
            TERMINATION_NOTICE_DAYS,
            REVIEW_INTERVAL_MONTHS,
            BREACH_NOTICE_HOURS,
            REPORTING_FREQUENCY,
            BINDING_CLAUSES,
            *LEGAL_TERMS,
        ),
    ),
    DefaultTemplate(
        key="moa",
        name="Memorandum of Agreement (MOA)",
        kind="moa",
        description=(
            "A fuller agreement in which the parties commit to specific duties. It contains the MOU's operating "
            "terms, without the MOU's statement that it is not binding, plus indemnification (each party bearing "
            "its own liability unless counsel agree a mutual indemnity), minimum insurance and funding subject to "
            "appropriation, since an MOA is meant to bind and to allocate financial risk between the parties."
        ),
        clauses=(
            "purpose-scope",
            "definitions",
            "parties-roles",
            "call-transfer",
            "decision-matrix",
            "information-sharing",
            "part2-records",
            "data-security",
            "public-records",
            "liability-sharing",
            "indemnification",
            "insurance",
            "immunities",
            "performance-metrics",
            "cross-training",
            "incident-review",
            "funding-appropriation",
            "dispute-resolution",
            "term-termination",
            "periodic-review",
            "notices",
            "governing-law",
            "signatures",
        ),
        variables=(
            EFFECTIVE_DATE,
            TERM_MONTHS,
            TERMINATION_NOTICE_DAYS,
            REVIEW_INTERVAL_MONTHS,
            BREACH_NOTICE_HOURS,
            INSURANCE_MINIMUM,
            REPORTING_FREQUENCY,
            INDEMNITY_APPROACH,
            *LEGAL_TERMS,
        ),
    ),
    DefaultTemplate(
        key="data-sharing",
        name="Data Sharing Agreement",
        kind="data_sharing",
        description=(
            "Sets out what information the parties exchange about shared contacts, for what purposes, and how "
            "it is protected, retained and reported when something goes wrong, with the HIPAA data use terms "
            "for a limited data set and, where a substance use disorder program is a party, qualified service "
            "organization terms under 42 CFR Part 2. Use it alongside an MOU or MOA when post-response outcome "
            "data or case-level reviews are exchanged."
        ),
        clauses=(
            "purpose-scope",
            "definitions",
            "parties-roles",
            "data-elements",
            "information-sharing",
            "part2-records",
            "part2-qso",
            "limited-data-set",
            "data-security",
            "public-records",
            "liability-sharing",
            "immunities",
            "funding-appropriation",
            "dispute-resolution",
            "term-termination",
            "periodic-review",
            "notices",
            "governing-law",
            "signatures",
        ),
        variables=(
            EFFECTIVE_DATE,
            TERM_MONTHS,
            TERMINATION_NOTICE_DAYS,
            REVIEW_INTERVAL_MONTHS,
            BREACH_NOTICE_HOURS,
            DATA_RETENTION_MONTHS,
            SHARES_LIMITED_DATA_SET,
            LDS_PURPOSES,
            *LEGAL_TERMS,
        ),
    ),
    DefaultTemplate(
        key="service",
        name="Service Agreement with an External Provider",
        kind="service",
        description=(
            "For a state, county or city that contracts an outside organization to run crisis services such as "
            "a call center or mobile crisis teams. Adds clear terms of service, scope and deliverables, "
            "performance metrics, indemnity, minimum insurance and funding subject to appropriation so the "
            "provider is accountable for the work it has agreed to deliver."
        ),
        clauses=(
            "purpose-scope",
            "definitions",
            "parties-roles",
            "services-deliverables",
            "call-transfer",
            "decision-matrix",
            "information-sharing",
            "part2-records",
            "part2-qso",
            "data-security",
            "public-records",
            "performance-metrics",
            "cross-training",
            "incident-review",
            "liability-sharing",
            "indemnification",
            "insurance",
            "immunities",
            "funding-appropriation",
            "dispute-resolution",
            "term-termination",
            "periodic-review",
            "notices",
            "governing-law",
            "signatures",
        ),
        variables=(
            EFFECTIVE_DATE,
            TERM_MONTHS,
            TERMINATION_NOTICE_DAYS,
            REVIEW_INTERVAL_MONTHS,
            BREACH_NOTICE_HOURS,
            INSURANCE_MINIMUM,
            REPORTING_FREQUENCY,
            SERVICES_SUMMARY,
            SERVICE_HOURS,
            PROVIDER_INDEMNITY_APPROACH,
            *LEGAL_TERMS,
        ),
    ),
    DefaultTemplate(
        key="mutual-aid",
        name="Mutual Aid Agreement",
        kind="mutual_aid",
        description=(
            "Lets 988, 911 and emergency service partners ask one another for help during surges, outages or "
            "staffing shortfalls, and settles who directs borrowed staff and whether costs are reimbursed. "
            "Often a first step before a fuller MOA or contract."
        ),
        clauses=(
            "purpose-scope",
            "definitions",
            "parties-roles",
            "mutual-aid-requests",
            "call-transfer",
            "decision-matrix",
            "information-sharing",
            "part2-records",
            "public-records",
            "liability-sharing",
            "immunities",
            "cross-training",
            "incident-review",
            "funding-appropriation",
            "dispute-resolution",
            "term-termination",
            "periodic-review",
            "notices",
            "governing-law",
            "signatures",
        ),
        variables=(
            EFFECTIVE_DATE,
            TERM_MONTHS,
            TERMINATION_NOTICE_DAYS,
            REVIEW_INTERVAL_MONTHS,
            AID_REIMBURSABLE,
            *LEGAL_TERMS,
        ),
    ),
)
