"""Guidance topics and the resource library, written from the SAMHSA 988/911 toolkit (paraphrased)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    summary: str  # one or two sentences, plain text
    apps: tuple[str, ...]  # subset of ("partners", "readiness", "agreements", "triage", "incidents")
    seed_section: str  # the seed section(s) it paraphrases


@dataclass(frozen=True)
class Resource:
    title: str
    url: str
    category: str  # one of CATEGORIES
    topic: str  # slug of the Topic it belongs to
    description: str  # one sentence: what a workgroup would use it for


CATEGORIES: tuple[str, ...] = (
    "Partner engagement",
    "Readiness assessment",
    "Agreements and MOUs",
    "Training",
    "Privacy and information sharing",
    "Triage and call processing",
    "Staff safety and wellbeing",
    "Liability and legislation",
    "Quality and data sharing",
    "Tribal coordination",
    "Standards and national guidelines",
    "Research and reports",
)


TOPICS: tuple[Topic, ...] = (
    Topic(
        slug="getting-started",
        title="Getting started with 988/911 interoperability",
        summary=(
            "What this toolkit is for and how a workgroup moves through the app, from mapping partners "
            "to reviewing incidents. Nothing here replaces advice from your own legal counsel."
        ),
        apps=(),
        seed_section="Purpose of Toolkit; Legal Disclaimer; Introduction; Summary and Calls to Action",
    ),
    Topic(
        slug="key-partners-and-readiness",
        title="Key partners and readiness for change",
        summary=(
            "Who belongs in a 988/911 interoperability workgroup, how to weigh each partner's influence, "
            "impact and interest, and five steps for checking whether organizations are ready to change."
        ),
        apps=("partners", "readiness"),
        seed_section=(
            "Key Partners and Readiness Assessment "
            "(Partner Workgroup Members; Assessing Readiness for Change)"
        ),
    ),
    Topic(
        slug="trust-roles-and-cross-training",
        title="Building trust: roles, partnerships and cross-training",
        summary=(
            "How 988, 911, law enforcement and EMS make roles explicit, start with MOUs or mutual aid "
            "agreements before binding contracts, and learn each other's work through cross-training."
        ),
        apps=("partners", "agreements", "triage"),
        seed_section=(
            "Establishing and Maintaining Interorganizational Trust (Communication of Roles; Partnerships "
            "with Local Law Enforcement and Emergency Services; Cross-Training)"
        ),
    ),
    Topic(
        slug="contractual-considerations",
        title="Contractual considerations",
        summary=(
            "What to pin down in service agreements with external crisis providers, and how to share "
            "liability in line with each party's role, including co-response arrangements."
        ),
        apps=("agreements",),
        seed_section="Contractual Considerations",
    ),
    Topic(
        slug="liability-concerns",
        title="Liability concerns: perception and reality",
        summary=(
            "Fear of legal liability is often the first objection to connecting 988 and 911, and it is "
            "frequently overstated; this topic walks through six areas of concern and what the toolkit found."
        ),
        apps=("agreements",),
        seed_section="Liability Concerns (including the Perceived Liability / Reality comparison)",
    ),
    Topic(
        slug="policies-safety-and-triage",
        title="Safety, risk assessment and triage protocols",
        summary=(
            "Keeping people in crisis and staff safe, assessing risk at first contact, sorting calls "
            "into four risk levels, and agreeing the protocols with every partner before adopting them."
        ),
        apps=("triage", "incidents"),
        seed_section=(
            "Policy and Procedure Considerations (Response and Staff Safety; Risk Assessment and Triage "
            "Protocols)"
        ),
    ),
    Topic(
        slug="continuous-improvement-and-data-sharing",
        title="Continuous improvement and data sharing",
        summary=(
            "Quality assurance, program evaluation, incident documentation and reporting, outcome tracking, "
            "and sharing post-response data so partners learn together and trust grows."
        ),
        apps=("incidents", "triage"),
        seed_section="Policy and Procedure Considerations: Additional Procedural Considerations",
    ),
    Topic(
        slug="state-legislation",
        title="State legislation on responder liability and 988 funding",
        summary=(
            "How states are shielding crisis responders acting in good faith and funding 988, with summaries "
            "of laws in Washington, Kansas and North Dakota. A summary only, not legal advice."
        ),
        apps=("agreements",),
        seed_section="Jurisdictional Efforts Around Liability",
    ),
    Topic(
        slug="tribal-considerations",
        title="Working with Tribal nations",
        summary=(
            "Respecting Tribal sovereignty in 988/911 interoperability: understanding jurisdiction and "
            "capacity, consulting government to government, and formalizing state-Tribal agreements."
        ),
        apps=("partners", "agreements"),
        seed_section="Considerations with Tribal Nations (within Jurisdictional Efforts Around Liability)",
    ),
)


RESOURCES: tuple[Resource, ...] = (
    # --- getting-started -------------------------------------------------------------------------
    Resource(
        title="SAMHSA 988 TTAC video playlists (YouTube)",
        url="https://www.youtube.com/%40SAMHSA988TTAC/playlists",
        category="Training",
        topic="getting-started",
        description=(
            "Watch recorded technical-assistance webinars to brief new workgroup members on 988 crisis "
            "system topics."
        ),
    ),
    # --- key-partners-and-readiness --------------------------------------------------------------
    Resource(
        title="A Guide to SAMHSA's Strategic Prevention Framework (SPF)",
        url="https://library.samhsa.gov/sites/default/files/strategic-prevention-framework-pep19-01.pdf",
        category="Partner engagement",
        topic="key-partners-and-readiness",
        description=(
            "Use the framework's capacity-building and partner-engagement steps when planning who to bring "
            "into the workgroup and how."
        ),
    ),
    Resource(
        title="Sample Stakeholder Mapping Worksheet",
        url="https://rhntc.org/sites/default/files/resources/rhntc_stakeholder_mapping_2-16-2023.pdf",
        category="Partner engagement",
        topic="key-partners-and-readiness",
        description=(
            "Fill in a map of potential partners to see who is affected by interoperability and who holds "
            "resources or decision-making power."
        ),
    ),
    Resource(
        title="Stakeholder Analysis Example",
        url="https://coast.noaa.gov/data/digitalcoast/pdf/stakeholder-analysis-worksheet.pdf",
        category="Partner engagement",
        topic="key-partners-and-readiness",
        description=(
            "Follow a worked example for rating partners by influence, impact and interest before deciding "
            "how closely to involve each one."
        ),
    ),
    Resource(
        title="Stakeholder-Engagement Toolkit",
        url="https://www.bridgespan.org/insights/stakeholder-engagement-toolkit",
        category="Partner engagement",
        topic="key-partners-and-readiness",
        description=(
            "Borrow practical methods for keeping partners engaged, especially when early momentum in the "
            "workgroup starts to fade."
        ),
    ),
    Resource(
        title="List of State 911 Administrators (NASNA)",
        url="https://www.nasna911.org/contact-911",
        category="Partner engagement",
        topic="key-partners-and-readiness",
        description=(
            "Find your state's 911 administrator so the state 911 office can be invited to the workgroup."
        ),
    ),
    Resource(
        title="988 Suicide & Crisis Lifeline: Our Network",
        url="https://988lifeline.org/professionals/our-network/",
        category="Partner engagement",
        topic="key-partners-and-readiness",
        description=(
            "Identify the 988 crisis centers and Lifeline network contacts that serve your area as core "
            "workgroup members."
        ),
    ),
    Resource(
        title="State agencies directory (FindTreatment.gov)",
        url="https://findtreatment.gov/state-agencies",
        category="Partner engagement",
        topic="key-partners-and-readiness",
        description=(
            "Look up the mental health authority and substance use agency for your state or Territory when "
            "filling core seats."
        ),
    ),
    Resource(
        title="Single State Agency (SSA) Directory for substance use services",
        url="https://www.samhsa.gov/grants/block-grants/subg/ssa-directory",
        category="Partner engagement",
        topic="key-partners-and-readiness",
        description=(
            "Locate the single state agency responsible for substance use services so it is represented "
            "in the workgroup."
        ),
    ),
    Resource(
        title="Medicaid Directors (National Association of Medicaid Directors)",
        url="https://medicaiddirectors.org/who-we-are/medicaid-directors/",
        category="Partner engagement",
        topic="key-partners-and-readiness",
        description=(
            "Find the state Medicaid director's office, a core partner when crisis services and their "
            "financing are discussed."
        ),
    ),
    Resource(
        title=(
            "Child welfare related organizations by state, Territory and Tribe "
            "(Child Welfare Information Gateway)"
        ),
        url="https://www.childwelfare.gov/resources/states-territories-tribes/related-organizations",
        category="Partner engagement",
        topic="key-partners-and-readiness",
        description=(
            "Identify child welfare agencies to invite when crisis pathways for children, youth and families "
            "are on the agenda."
        ),
    ),
    Resource(
        title="Community Mental Health Services Block Grant (MHBG)",
        url="https://www.samhsa.gov/grants/block-grants/mhbg",
        category="Partner engagement",
        topic="key-partners-and-readiness",
        description=(
            "Understand the mental health block grant so the state's MHBG planner can speak to crisis "
            "funding in the workgroup."
        ),
    ),
    Resource(
        title="Substance Use Prevention, Treatment, and Recovery Services Block Grant (SUBG)",
        url="https://www.samhsa.gov/grants/block-grants/subg",
        category="Partner engagement",
        topic="key-partners-and-readiness",
        description=(
            "Understand the substance use block grant and why its state planner belongs among the "
            "additional workgroup partners."
        ),
    ),
    Resource(
        title="Checklist for Assessing Readiness to Undertake Community Collaboration",
        url=(
            "https://townsandtrailstoolkit.com/wp-content/uploads/2019/05/"
            "checklists_for_assessing_readiness.pdf"
        ),
        category="Readiness assessment",
        topic="key-partners-and-readiness",
        description=(
            "Run a structured self-check of whether partner organizations are ready to commit to joint work "
            "before formal planning begins."
        ),
    ),
    # --- trust-roles-and-cross-training ----------------------------------------------------------
    Resource(
        title="NENA Standard for 911/988 Interactions (NENA-STA-045.1)",
        url="https://cdn.ymaws.com/www.nena.org/resource/resmgr/standards/NENA-STA-045.1-202Y_911-988_.pdf",
        category="Standards and national guidelines",
        topic="trust-roles-and-cross-training",
        description=(
            "Consult the national 911 standard on working with 988; its appendix has sample documents such "
            "as an MOU template, a call triage decision tree and an information sharing agreement."
        ),
    ),
    Resource(
        title="Suicide Prevention Best Practices Registry (SPRC)",
        url="https://bpr.sprc.org/",
        category="Training",
        topic="trust-roles-and-cross-training",
        description=(
            "Search for vetted suicide prevention programs and trainings that 988 and 911 staff could "
            "attend together."
        ),
    ),
    Resource(
        title="988 Suicide and Crisis Lifeline Suicide Safety Policy (2024)",
        url=(
            "https://988lifeline.org/wp-content/uploads/2024/09/"
            "988-Suicide-and-Crisis-Lifeline-Suicide-Safety-Policy-2024.pdf"
        ),
        category="Standards and national guidelines",
        topic="trust-roles-and-cross-training",
        description=(
            "Read the Lifeline's 2024 safety policy, particularly its community engagement expectations, "
            "when aligning 988 practice with local 911 partners."
        ),
    ),
    Resource(
        title="Department of Justice Memorandum of Agreement (MOA) Template (DOCX)",
        url=(
            "https://view.officeapps.live.com/op/view.aspx?src=https%3A%2F%2Fcops.usdoj.gov%2Fpdf%2F"
            "tribal_training%2FMOU_MOA%2FTemplates_and_Reference_Documents%2FFillable_Template_MOA.docx"
        ),
        category="Agreements and MOUs",
        topic="trust-roles-and-cross-training",
        description=(
            "Start a draft MOA from a fillable federal template, then adapt it to local needs with your own "
            "legal counsel."
        ),
    ),
    Resource(
        title="Department of Justice Memorandum of Understanding (MOU) Template (DOCX)",
        url=(
            "https://view.officeapps.live.com/op/view.aspx?src=https%3A%2F%2Fcops.usdoj.gov%2Fpdf%2F"
            "tribal_training%2FMOU_MOA%2FTemplates_and_Reference_Documents%2FFillable_Template_MOU.docx"
        ),
        category="Agreements and MOUs",
        topic="trust-roles-and-cross-training",
        description=(
            "Use a fillable federal template to draft an early-stage MOU setting out roles and expectations "
            "between 988 and 911 partners."
        ),
    ),
    # --- contractual-considerations --------------------------------------------------------------
    Resource(
        title="Writing Guidance for a Memorandum of Understanding (DHS)",
        url="https://transition.fcc.gov/pshs/docs/clearinghouse/DHS-MemorandumOfUnderstanding.pdf",
        category="Agreements and MOUs",
        topic="contractual-considerations",
        description=(
            "Check which sections an MOU should contain and how to word roles, responsibilities and "
            "expectations clearly."
        ),
    ),
    Resource(
        title="Community Responder Liability (LEAP report)",
        url=(
            "https://lawenforcementactionpartnership.org/wp-content/uploads/2024/05/"
            "LEAP-Community-Responder-Liability-Report.pdf"
        ),
        category="Liability and legislation",
        topic="contractual-considerations",
        description=(
            "Read an analysis of the liability exposure of non-police community responders to inform "
            "risk-allocation discussions with legal reviewers."
        ),
    ),
    Resource(
        title="The Road to 988/911 Interoperability (RAND)",
        url="https://www.rand.org/pubs/research_reports/RRA3112-1.html",
        category="Research and reports",
        topic="contractual-considerations",
        description=(
            "Draw on research into how jurisdictions are linking 988 and 911, and the barriers they met, "
            "when scoping agreements."
        ),
    ),
    # --- liability-concerns ----------------------------------------------------------------------
    Resource(
        title="HIPAA Privacy Rule: A Guide for Law Enforcement (HHS)",
        url=(
            "https://www.hhs.gov/sites/default/files/ocr/privacy/hipaa/understanding/special/emergency/"
            "final_hipaa_guide_law_enforcement.pdf"
        ),
        category="Privacy and information sharing",
        topic="liability-concerns",
        description=(
            "Clarify when health information may lawfully be shared with law enforcement and emergency "
            "responders during a crisis."
        ),
    ),
    Resource(
        title="eLearning Module: Part 2's Medical Emergency Exception (COEPHI)",
        url="https://coephi.org/resource/elearning-module-part-2s-medical-emergency-exception/",
        category="Privacy and information sharing",
        topic="liability-concerns",
        description=(
            "Train staff on how the medical emergency exception in the federal substance use confidentiality "
            "rules (42 CFR Part 2) applies to crisis calls."
        ),
    ),
    Resource(
        title="Privacy Considerations for State 988 Crisis Response Networks (COEPHI)",
        url="https://coephi.org/resource/privacy-considerations-for-state-988-crisis-response-networks/",
        category="Privacy and information sharing",
        topic="liability-concerns",
        description=(
            "Work through the privacy questions a state 988 network faces before it shares information with "
            "911 and other partners."
        ),
    ),
    # --- policies-safety-and-triage --------------------------------------------------------------
    Resource(
        title="911 Dispatch Call Processing Protocols: Key Tools for Coordinating Effective Call Triage",
        url=(
            "https://csgjusticecenter.org/wp-content/uploads/2023/11/"
            "911-Dispatch-Call-Processing-Protocols-Key-Tools-for-Coordinating-Effective-Call-Triage.pdf"
        ),
        category="Triage and call processing",
        topic="policies-safety-and-triage",
        description=(
            "Compare how 911 call-processing protocols recognize behavioral health calls and route them to "
            "the appropriate response."
        ),
    ),
    Resource(
        title="Identifying and Triaging Calls: 911, 311, 988, and Beyond (CSG Justice Center)",
        url=(
            "https://takingthecall.csgjusticecenter.org/"
            "identifying-and-triaging-calls-911-311-988-and-beyond/"
        ),
        category="Triage and call processing",
        topic="policies-safety-and-triage",
        description=(
            "Explore how calls can be sorted among 911, 311, 988 and other lines so each one reaches the "
            "right kind of responder."
        ),
    ),
    Resource(
        title="988 Suicide and Crisis Lifeline: Suicide Safety Policy (2023)",
        url=(
            "https://988lifeline.org/wp-content/uploads/2023/02/"
            "FINAL_988_Suicide_and_Crisis_Lifeline_Suicide_Safety_Policy_-3.pdf"
        ),
        category="Standards and national guidelines",
        topic="policies-safety-and-triage",
        description=(
            "Refer to the 2023 edition of the Lifeline safety policy, which the toolkit lists with its "
            "triage resources, when writing imminent-risk procedures (compare with the 2024 edition)."
        ),
    ),
    Resource(
        title="A Primer on Critical Incident Stress Management (CISM) (ICISF)",
        url="https://icisf.org/a-primer-on-critical-incident-stress-management-cism/",
        category="Staff safety and wellbeing",
        topic="policies-safety-and-triage",
        description=(
            "Learn the basics of critical incident stress management and structured debriefing before "
            "setting up post-incident support for staff."
        ),
    ),
    Resource(
        title=(
            "Massachusetts 911 Call Study: Assessing the Potential to Divert Behavioral Health Calls to "
            "Alternative Responses"
        ),
        url="https://www.mass.gov/doc/massachusetts-911-call-study-0/download",
        category="Research and reports",
        topic="policies-safety-and-triage",
        description=(
            "See how one state estimated the share of 911 calls that could go to a behavioral health "
            "response instead, as a model for local call analysis."
        ),
    ),
    # --- continuous-improvement-and-data-sharing -------------------------------------------------
    Resource(
        title="Data Sharing Agreement Template (U.S. Department of State)",
        url=(
            "https://www.state.gov/wp-content/uploads/2024/01/"
            "019.SEITSampleDataSharingAgreement2022.05.11.pdf"
        ),
        category="Quality and data sharing",
        topic="continuous-improvement-and-data-sharing",
        description=(
            "Adapt a sample data sharing agreement as a starting point for exchanging post-response data "
            "between 988 and 911, with legal review."
        ),
    ),
    Resource(
        title="Crisis Reporting Templates (Arizona Health Care Cost Containment System)",
        url="https://www.azahcccs.gov/BehavioralHealth/CrisisReportingTemplates.html",
        category="Quality and data sharing",
        topic="continuous-improvement-and-data-sharing",
        description=(
            "Borrow a state's reporting formats when defining common call reasons and outcome measures for "
            "your own tracking."
        ),
    ),
    # --- state-legislation -----------------------------------------------------------------------
    Resource(
        title="Washington House Bill 2088 (2024)",
        url="https://fastdemocracy.com/bill-search/wa/2023-2024/bills/WAB00020909/",
        category="Liability and legislation",
        topic="state-legislation",
        description=(
            "Read the bill that extended good-faith liability protection to Washington's 988, crisis team "
            "and dispatch staff, as a reference for similar proposals."
        ),
    ),
    Resource(
        title="Kansas LIVES Act: supplemental note on HB 2281 (2022)",
        url="https://www.kslegislature.gov/li_2022/b2021_22/measures/documents/supp_note_hb2281_02_0000.pdf",
        category="Liability and legislation",
        topic="state-legislation",
        description=(
            "Review a plain summary of the Kansas law that created the 988 hotline, its dedicated fund and "
            "good-faith protection for hotline providers."
        ),
    ),
    Resource(
        title="North Dakota Senate Bill 2145 (2025)",
        url=(
            "https://www.sos.nd.gov/sites/www/files/documents/services/leg-bills/2025-69/"
            "senate-bills/2145.pdf"
        ),
        category="Liability and legislation",
        topic="state-legislation",
        description=(
            "See statutory language granting civil immunity to 988, 211 and 911 workers and subcontractors "
            "who act in good faith."
        ),
    ),
    Resource(
        title="988 Crisis Response State Legislation Map (NAMI / Reimagine Crisis)",
        url="https://reimaginecrisis.org/map/",
        category="Liability and legislation",
        topic="state-legislation",
        description=(
            "Check what 988 and crisis response legislation your state has introduced or passed before "
            "assuming what protections apply."
        ),
    ),
    # --- tribal-considerations -------------------------------------------------------------------
    Resource(
        title="Washington State Tribal Crisis Coordination Protocols",
        url="https://doh.wa.gov/sites/default/files/2024-07/TribalCrisisCoordinationProtocols.pdf",
        category="Tribal coordination",
        topic="tribal-considerations",
        description=(
            "Study a working example of how a state and Tribes coordinate crisis referrals and responses "
            "when drafting your own protocol."
        ),
    ),
)
