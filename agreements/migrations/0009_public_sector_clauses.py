# Issue 14, item 6: the default clause library gained the terms a county attorney expects (an MOU's non-binding
# statement, funding subject to appropriation, public records, immunities preserved, notices, governing law,
# HIPAA limited data set terms and 42 CFR Part 2 qualified service organization terms). This adds them to the
# library of every existing workgroup that has no clause with the same key. Templates and edited clauses stay as
# they are: each workgroup decides whether its templates use the new clauses.
#
# The texts are frozen here as they were written for this migration, so later edits of agreements.defaults never
# change what this migration does.
#
# One text fix as well: the old "Not Legal Advice" clause said "the [[workgroup.name]] workgroup", which reads
# "the 988/911 Workgroup workgroup" for such a name. Where a workgroup still has that clause exactly as it was
# delivered, the sentence is corrected; an edited clause is not touched.

from django.db import migrations

NEW_CLAUSES = [
    {
        "key": "mou-not-binding",
        "title": "Nature of this Memorandum",
        "category": "scope",
        "body": (
            "<p>This memorandum of understanding (in its clauses, “this agreement”) records the shared intentions of "
            "the parties and how they mean to cooperate. Except for [[binding_clauses]], by which the parties agree "
            "to be bound, this agreement is not intended to, and does not, create legally binding rights or "
            "obligations. It does not commit any party to spend, transfer or seek funds, to hire staff or to buy "
            "equipment. A commitment of that kind needs a separate written agreement, approved as each party's law "
            "requires and subject to the appropriation of funds.</p><p>A party that cannot carry out something this "
            "agreement describes tells the other parties' liaisons promptly, so that they can adjust call routing "
            "and no person in crisis is left without a route to help.</p>"
        ),
        "guidance": (
            "An MOU usually records intent, but the title alone may not decide whether a document binds: text full "
            "of 'will' and 'shall' can be read as a contract. This statement says plainly that the MOU does not "
            "bind, except for the parts the parties do want to rely on, such as confidentiality. Name those parts in "
            "the variable 'Parts of the MOU that bind the parties' by topic or clause title, not by number, since "
            "numbers change when a condition leaves a clause out. Counsel should check that the list matches the "
            "parties' intent and whether a binding promise needs governing-body approval. Use this clause only in an "
            "MOU; an MOA or a service agreement is meant to bind. A starting point for partners and counsel. Source: "
            "SAMHSA 988/911 Interoperability Toolkit, 'Contractual Considerations' (consult legal representatives "
            "before drafting legally binding agreements) and 'Liability Concerns' (MOUs and MOAs create formal or "
            "informal partnerships); common public-sector contracting practice."
        ),
        "condition": "",
    },
    {
        "key": "funding-appropriation",
        "title": "Funding Subject to Appropriation",
        "category": "legal",
        "body": (
            "<p>Each party's obligations under this agreement that require it to spend money depend on funds for that "
            "purpose being lawfully appropriated, budgeted and available to it. Nothing in this agreement obliges a "
            "party to spend beyond its current appropriations, pledges its credit, or creates a debt that the law "
            "does not allow it to incur.</p><p>If funds a party needs in order to perform are not appropriated, or "
            "are reduced or withdrawn, that party notifies the other parties in writing as soon as it knows. It may "
            "then end its participation in this agreement, or reduce the obligations those funds supported, without "
            "penalty or further liability, from the date the funds end or any later date stated in its "
            "notice.</p><p>This clause does not excuse payment, from funds that were available, for services properly "
            "delivered before that date. The parties cooperate so that no person in crisis is left without a route to "
            "help.</p>"
        ),
        "guidance": (
            "Public bodies generally cannot commit money their legislature, council or board has not appropriated, "
            "and many state constitutions and statutes limit debts that run past the current budget period. A "
            "non-appropriation clause lets a public party sign a multi-year agreement within those rules. In a "
            "service agreement the provider will want as much warning as possible: consider a minimum notice period "
            "and say how work in progress is paid. A federal agency that joins, such as an Indian Health Service "
            "unit, is bound by the federal Anti-Deficiency Act and will bring its own wording. Check each party's "
            "budget cycle with counsel and finance staff. A starting point for partners and counsel. Source: common "
            "public-sector contracting practice (the toolkit does not cover appropriations); it does note that "
            "sustaining 988 systems depends on funding such as state 988 fees ('Jurisdictional Efforts Around "
            "Liability')."
        ),
        "condition": "",
    },
    {
        "key": "public-records",
        "title": "Public Records",
        "category": "legal",
        "body": (
            "<p>This agreement, and records that a party makes or receives in carrying it out, may be public records "
            "under the public records or open records law that applies to that party. Information one party gives to "
            "another may become a record of the party that receives it, subject to the law that applies to the "
            "receiving party.</p><ol><li>Each party answers requests for records it holds under the law that applies "
            "to it, and decides, with its own counsel, what that law requires it to release or allows it to "
            "withhold.</li><li>A party that receives a request for information that another party provided and "
            "identified as confidential tells that party promptly, where the law allows and time permits, before "
            "releasing it, so that the other party can seek to protect it at its own cost.</li><li>Nothing in this "
            "agreement requires a party to withhold a record the law requires it to release, or to release a record "
            "the law protects, such as protected health information, substance use disorder records or 911 recordings "
            "that the law makes confidential.</li></ol>"
        ),
        "guidance": (
            "Most state and local agencies are subject to a public records, open records or freedom of information "
            "law, and the agreement itself is usually a public record. Information one party shares can become a "
            "record of the agency that receives it, under that agency's law: a Tribe or a private provider sharing "
            "information with a state or county agency should know this before sharing. Marking information "
            "'confidential' does not by itself make it exempt, and response deadlines can be short, which is why the "
            "notice promise applies 'where the law allows and time permits'. Ask counsel which exemptions cover call "
            "recordings, health information and crisis records in your state. A starting point for partners and "
            "counsel. Source: common public-sector contracting practice (the toolkit does not cover public records "
            "laws); SAMHSA 988/911 Interoperability Toolkit, 'Liability Concerns' (inappropriate disclosure of "
            "confidential information)."
        ),
        "condition": "",
    },
    {
        "key": "immunities",
        "title": "Immunities and Limits of Liability Preserved",
        "category": "liability",
        "body": (
            "<p>Nothing in this agreement waives, or is to be read as waiving, any immunity from suit or from "
            "liability, any limit on damages, any notice-of-claim requirement, or any other defense or protection "
            "that a party, or its officers, employees or volunteers, has under federal, state or Tribal law. This "
            "includes sovereign and governmental immunity, the protections and limits of a state tort claims act or "
            "similar law, and laws that protect 911, 988 or crisis staff who act in good faith.</p>[[if "
            "tribal_party]]<p>The sovereign immunity of each Tribal party, and of its officers, employees and agents "
            "acting in their official capacity, is expressly preserved. Nothing in this agreement, including any "
            "clause on dispute resolution, governing law or indemnification, waives that immunity or consents to suit "
            "or to the jurisdiction of any court or agency. A waiver has effect only if it is express, in writing, "
            "and approved as the law of the Tribe requires.</p>[[endif]]"
        ),
        "guidance": (
            "County, city and state counsel routinely ask for this clause. Public bodies usually have immunities, "
            "damage caps and notice-of-claim rules under state tort claims acts and similar laws, and an agreement "
            "must not be read as giving them up. Many states protect 911 staff, and some now protect 988 and crisis "
            "staff, who act in good faith; the toolkit gives Washington, Kansas and North Dakota as examples. A "
            "Tribe's sovereign immunity can be waived only clearly and expressly, so set 'A Tribal nation is a party' "
            "to yes when one is, and have the Tribe's counsel review every clause that mentions courts, arbitration "
            "or indemnity. A starting point for partners and counsel. Source: SAMHSA 988/911 Interoperability "
            "Toolkit, 'Liability Concerns' (negligence; qualified immunity and other legal protections), "
            "'Jurisdictional Efforts Around Liability' and 'Considerations with Tribal Nations' (Tribal sovereignty)."
        ),
        "condition": "",
    },
    {
        "key": "limited-data-set",
        "title": "Limited Data Set and Data Use Terms (HIPAA)",
        "category": "information",
        "body": (
            "<p>This clause applies when a party that is a HIPAA covered entity, or a business associate acting for "
            "one (the discloser), gives another party (the recipient) a limited data set as defined in 45 CFR "
            "164.514(e): health information from which the direct identifiers the rule lists (such as names, street "
            "addresses, telephone numbers and e-mail addresses) of the individual and of the individual's relatives, "
            "employers and household members have been removed. For those disclosures this clause is the data use "
            "agreement the rule requires.</p><ol><li><strong>Permitted uses.</strong> The recipient uses and "
            "discloses the limited data set only for [[lds_purposes]], or as the law requires, and never in a way "
            "that would break the HIPAA Privacy Rule if the discloser did it.</li><li><strong>Who may use "
            "it.</strong> Only the recipient's staff and contractors who need the data for those purposes, listed by "
            "role in an attachment, may use or receive it.</li><li><strong>No re-identification or contact.</strong> "
            "The recipient does not identify, or try to identify, any person in the data, and does not contact any "
            "person it describes.</li><li><strong>Safeguards.</strong> The recipient uses appropriate "
            "administrative, physical and technical safeguards to prevent any use or disclosure this clause does not "
            "allow.</li><li><strong>Reporting.</strong> The recipient reports to the discloser any use or disclosure "
            "this clause does not allow as soon as it becomes aware of it, and in any case within "
            "[[breach_notice_hours]] hours.</li><li><strong>Agents and contractors.</strong> The recipient makes "
            "sure that any agent or contractor to which it gives the data agrees in writing to the same restrictions "
            "and conditions.</li></ol><p>If the recipient breaks these terms in a material way, the discloser may "
            "require it to cure the breach and, if it is not cured, stop further disclosures and take the other "
            "steps the rule requires of the discloser. Sharing about a named person to coordinate a response, or for "
            "a joint case review, is not a limited data set disclosure; the clause on information sharing governs "
            "it.</p>"
        ),
        "guidance": (
            "HIPAA lets a covered entity share a limited data set, which may keep dates, town or city, state and ZIP "
            "code but not the direct identifiers the rule lists, of the person or of the person's relatives, "
            "employers or household members, only for research, public health or health care operations, and only "
            "under a data use agreement containing the terms above (45 CFR 164.514(e)). 988 and 911 records almost "
            "always carry call-back numbers and street addresses, often a relative's or a housemate's when someone "
            "called on the person's behalf; they must come out. Confirm with counsel which parties are covered "
            "entities (many PSAPs and some crisis lines are not, and state law may still limit what they share) and "
            "that the purposes written in 'Purposes of the limited data set' fit one of those three. This app "
            "exports a limited data set of incident reports only under an approved or executed data sharing "
            "agreement, so keep this clause in that agreement. A starting point for partners and counsel. Source: 45 "
            "CFR 164.514(e); SAMHSA 988/911 Interoperability Toolkit, 'Policy and Procedure Considerations' "
            "(post-response data sharing) and 'Liability Concerns' (HIPAA)."
        ),
        "condition": "shares_limited_data_set",
    },
    {
        "key": "part2-qso",
        "title": "Qualified Service Organization Terms (42 CFR Part 2)",
        "category": "information",
        "body": (
            "<p>This clause applies where a party (the service organization) provides services to a party that is a "
            "program covered by 42 CFR Part 2, such as data processing, population health management or other "
            "professional services, and receives the program's patient records to do so. For those services, this "
            "clause is the written agreement between the two of them that makes the service organization a qualified "
            "service organization under 42 CFR 2.11. The service organization:</p><ol><li>acknowledges that in "
            "receiving, storing, processing or otherwise dealing with any patient records from the program, it is "
            "fully bound by 42 CFR Part 2;</li><li>if necessary, will resist in judicial proceedings any effort to "
            "obtain access to patient records or patient identifying information related to substance use disorder "
            "diagnosis, treatment or referral for treatment, except as Part 2 permits;</li><li>uses the records only "
            "to provide the services to the program, and does not disclose them to anyone else, including its own "
            "contractors, except as Part 2 permits;</li><li>protects the records with the safeguards this agreement "
            "requires for Protected Information, and tells the program promptly of any use or disclosure this clause "
            "does not allow.</li></ol><p>The program shares with the service organization only the information needed "
            "for the services.</p>"
        ),
        "guidance": (
            "Part 2 lets a program share records without patient consent with a qualified service organization, but "
            "only for services that organization provides to the program and only under a written agreement in which "
            "it accepts the commitments in items 1 and 2 (42 CFR 2.11, definition of qualified service organization, "
            "and 42 CFR 2.12). It does not cover sharing with a 911 center or a crisis line for their own response to "
            "a caller, which needs the person's consent or another Part 2 exception such as a medical emergency (see "
            "the clause on substance use disorder records). Like that clause, this one is included only when a party "
            "is marked as a substance use disorder program when the parties are chosen; delete it if no party "
            "provides services to the program. Part 2 was substantially revised in 2024, so have counsel confirm the "
            "current text and whether a party that is also a HIPAA business associate needs more. A starting point "
            "for partners and counsel. Source: 42 CFR 2.11 and 2.12; SAMHSA 988/911 Interoperability Toolkit, "
            "'Liability Concerns' (Part 2 and substance use crises)."
        ),
        "condition": "has_substance_use_provider",
    },
    {
        "key": "notices",
        "title": "Notices",
        "category": "legal",
        "body": (
            "<p>A notice that this agreement requires in writing, such as notice of withdrawal, of a breach, of a "
            "claim, of a lack of funds or of a new notice address, is given by an authorized representative of the "
            "party to each other party at the notice address that party has listed in the notice attachment to this "
            "agreement. A party may change its notice address by notice to the others.</p><p>Notice may be delivered "
            "by hand, by certified mail with a return receipt, or by a courier that records delivery[[if "
            "notices_by_email]], or by e-mail to the notice e-mail address a party has listed[[endif]]. Notice by "
            "hand, mail or courier takes effect on delivery, or on the date delivery is refused.[[if "
            "notices_by_email]] Notice by e-mail takes effect on the day it is sent if that is a business day for the "
            "recipient and it is sent before 5 p.m. in the recipient's time zone, and otherwise on the recipient's "
            "next business day, unless the sender receives a message that it was not delivered. Notice of withdrawal "
            "or of a claim sent by e-mail is also sent by one of the other methods.[[endif]]</p><p>Day-to-day contact "
            "between liaisons, and the urgent reports this agreement asks for by telephone or to liaisons, such as "
            "reports of outages or suspected data breaches, do not need this form, but a party confirms an urgent "
            "report in writing when another party asks.</p>"
        ),
        "guidance": (
            "Formal notices start deadlines (withdrawal, curing a breach, loss of funding, claims), so the parties "
            "need to agree where notices go and when they count as received. Attach a list of notice addresses "
            "giving, for each party, a position (for example 'County Administrator'), a postal address and, if e-mail "
            "is allowed, a monitored mailbox rather than one person's address, and check it at each periodic review. "
            "Some public bodies accept claims only by mail or hand delivery, and a state notice-of-claim law may set "
            "its own method and deadline, which this clause does not replace. A starting point for partners and "
            "counsel. Source: common public-sector contracting practice; SAMHSA 988/911 Interoperability Toolkit, "
            "'Establishing and Maintaining Interorganizational Trust' (contact information for the exchange of "
            "information) and 'Contractual Considerations' (clear terms and timelines)."
        ),
        "condition": "",
    },
    {
        "key": "governing-law",
        "title": "Governing Law and Venue",
        "category": "legal",
        "body": (
            "<p>This agreement is governed by the laws of [[governing_state]] and by applicable federal law. Each "
            "party's own powers, duties and immunities, and its handling of records, remain governed by the law that "
            "applies to that party.</p>[[if tribal_party]]<p>For a Tribal party, the law of the Tribe and federal law "
            "govern its powers, duties and immunities. Nothing in this agreement is consent by a Tribal party to the "
            "jurisdiction of the courts or agencies of any state, or a waiver of its sovereign "
            "immunity.</p>[[endif]]<p>After the steps in the clause on dispute resolution, any lawsuit arising from "
            "this agreement, where the law permits one, is brought in [[venue]], unless the law requires a claim by "
            "or against a party to be heard in another court.</p>"
        ),
        "guidance": (
            "Governing law matters most when a party is in another state or a Territory, is a Tribal nation or a "
            "federal agency, or is a private provider. Write the state as it should read after 'the laws of', for "
            "example 'the State of Washington' or 'the Commonwealth of Virginia'. Some states require claims against "
            "the state to be heard in a particular court, so leave venue to counsel. Each federally recognized Tribe "
            "is a sovereign government and works with the state government to government: set 'A Tribal nation is a "
            "party' to yes so the agreement says the Tribe does not submit to state courts or agencies, and discuss "
            "any forum with the Tribe's counsel early. A starting point for partners and counsel. Source: SAMHSA "
            "988/911 Interoperability Toolkit, 'Considerations with Tribal Nations' (Tribal sovereignty, "
            "government-to-government consultation, state-Tribal agreements); common public-sector contracting "
            "practice."
        ),
        "condition": "",
    },
]

OLD_NO_LEGAL_ADVICE_BODY = (
    "<p>This document was prepared with the help of a drafting tool used by the [[workgroup.name]] workgroup. The "
    "tool's starting text and guidance are general information for planning purposes only. They are not legal advice "
    "and do not create a lawyer-client relationship with anyone.</p><p>Each party has had the opportunity to have "
    "this agreement reviewed by its own legal counsel before signing, and relies on its own counsel, not on any other "
    "party or the drafting tool, for advice about its rights and obligations. Laws on confidentiality, liability and "
    "immunity differ by state and change over time, and each party remains responsible for confirming that this "
    "agreement is lawful and enforceable for it.</p>"
)
FIXED_NO_LEGAL_ADVICE_BODY = (
    "<p>This document was prepared with the help of a drafting tool used by the workgroup [[workgroup.name]]. The "
    "tool's starting text and guidance are general information for planning purposes only. They are not legal advice "
    "and do not create a lawyer-client relationship with anyone.</p><p>Each party has had the opportunity to have "
    "this agreement reviewed by its own legal counsel before signing, and relies on its own counsel, not on any other "
    "party or the drafting tool, for advice about its rights and obligations. Laws on confidentiality, liability and "
    "immunity differ by state and change over time, and each party remains responsible for confirming that this "
    "agreement is lawful and enforceable for it.</p>"
)


def add_new_clauses(apps, schema_editor):
    Workgroup = apps.get_model("toolkit", "Workgroup")
    Clause = apps.get_model("agreements", "Clause")
    keys = [spec["key"] for spec in NEW_CLAUSES]
    for workgroup in Workgroup.objects.only("pk").iterator():
        existing = set(Clause.objects.filter(workgroup=workgroup, key__in=keys).values_list("key", flat=True))
        Clause.objects.bulk_create(
            Clause(workgroup=workgroup, **spec) for spec in NEW_CLAUSES if spec["key"] not in existing
        )
    Clause.objects.filter(key="no-legal-advice", body=OLD_NO_LEGAL_ADVICE_BODY).update(
        body=FIXED_NO_LEGAL_ADVICE_BODY
    )


class Migration(migrations.Migration):

    dependencies = [
        ("agreements", "0008_review_that_follows_the_clause"),
    ]

    operations = [
        migrations.RunPython(add_new_clauses, migrations.RunPython.noop),
    ]
