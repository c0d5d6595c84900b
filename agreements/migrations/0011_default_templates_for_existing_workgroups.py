# Issue 14, item 6: 0009 put the public-sector terms in the library of every existing workgroup, but a workgroup's
# templates are its own rows and there is no page to change their clauses. This brings the default templates of
# existing workgroups up to date where nobody has changed them:
#
# 1. a template whose clause keys are still exactly the ones delivered for it (OLD_TEMPLATE_CLAUSES) gets the
#    variables the default template has now and it lacks, the new clauses at the places the defaults give them
#    (the workgroup's own clause of that key; a key its library does not have is left out), loses the old
#    "Not Legal Advice" clause (the clause stays in the library), and gets the new description if it still has
#    the old one; any other template, and every template of another key, is left exactly as it is;
# 2. the indemnification and liability sharing clauses get their new texts where they are still word for word as
#    delivered, and only where every template using them can read the new text: the new indemnification text
#    chooses its wording by the "indemnity_approach" variable (without it the clause would print empty), and the
#    new liability sharing text leaves the immunities sentence to the "immunities" clause.
#
# Agreements are snapshots of their texts and are not touched. Every text is frozen here, so later edits of
# agreements.defaults never change what this migration does. Running it twice changes nothing.

from django.db import migrations

# The clause keys of each default template as delivered before this change (agreements/defaults.py at the time).
OLD_TEMPLATE_CLAUSES = {
    "mou": [
        "purpose-scope", "definitions", "parties-roles", "call-transfer", "decision-matrix", "information-sharing",
        "part2-records", "data-security", "liability-sharing", "performance-metrics", "cross-training",
        "incident-review", "dispute-resolution", "term-termination", "periodic-review", "no-legal-advice",
        "signatures",
    ],
    "moa": [
        "purpose-scope", "definitions", "parties-roles", "call-transfer", "decision-matrix", "information-sharing",
        "part2-records", "data-security", "liability-sharing", "indemnification", "insurance", "performance-metrics",
        "cross-training", "incident-review", "dispute-resolution", "term-termination", "periodic-review",
        "no-legal-advice", "signatures",
    ],
    "data-sharing": [
        "purpose-scope", "definitions", "parties-roles", "data-elements", "information-sharing", "part2-records",
        "data-security", "liability-sharing", "dispute-resolution", "term-termination", "periodic-review",
        "no-legal-advice", "signatures",
    ],
    "service": [
        "purpose-scope", "definitions", "parties-roles", "services-deliverables", "call-transfer", "decision-matrix",
        "information-sharing", "part2-records", "data-security", "performance-metrics", "cross-training",
        "incident-review", "liability-sharing", "indemnification", "insurance", "dispute-resolution",
        "term-termination", "periodic-review", "no-legal-advice", "signatures",
    ],
    "mutual-aid": [
        "purpose-scope", "definitions", "parties-roles", "mutual-aid-requests", "call-transfer", "decision-matrix",
        "information-sharing", "part2-records", "liability-sharing", "cross-training", "incident-review",
        "dispute-resolution", "term-termination", "periodic-review", "no-legal-advice", "signatures",
    ],
}

# The clause keys of each default template now.
NEW_TEMPLATE_CLAUSES = {
    "mou": [
        "purpose-scope", "mou-not-binding", "definitions", "parties-roles", "call-transfer", "decision-matrix",
        "information-sharing", "part2-records", "data-security", "public-records", "liability-sharing", "immunities",
        "performance-metrics", "cross-training", "incident-review", "dispute-resolution", "term-termination",
        "periodic-review", "notices", "governing-law", "signatures",
    ],
    "moa": [
        "purpose-scope", "definitions", "parties-roles", "call-transfer", "decision-matrix", "information-sharing",
        "part2-records", "data-security", "public-records", "liability-sharing", "indemnification", "insurance",
        "immunities", "performance-metrics", "cross-training", "incident-review", "funding-appropriation",
        "dispute-resolution", "term-termination", "periodic-review", "notices", "governing-law", "signatures",
    ],
    "data-sharing": [
        "purpose-scope", "definitions", "parties-roles", "data-elements", "information-sharing", "part2-records",
        "part2-qso", "limited-data-set", "data-security", "public-records", "liability-sharing", "immunities",
        "funding-appropriation", "dispute-resolution", "term-termination", "periodic-review", "notices",
        "governing-law", "signatures",
    ],
    "service": [
        "purpose-scope", "definitions", "parties-roles", "services-deliverables", "call-transfer", "decision-matrix",
        "information-sharing", "part2-records", "part2-qso", "data-security", "public-records", "performance-metrics",
        "cross-training", "incident-review", "liability-sharing", "indemnification", "insurance", "immunities",
        "funding-appropriation", "dispute-resolution", "term-termination", "periodic-review", "notices",
        "governing-law", "signatures",
    ],
    "mutual-aid": [
        "purpose-scope", "definitions", "parties-roles", "mutual-aid-requests", "call-transfer", "decision-matrix",
        "information-sharing", "part2-records", "public-records", "liability-sharing", "immunities", "cross-training",
        "incident-review", "funding-appropriation", "dispute-resolution", "term-termination", "periodic-review",
        "notices", "governing-law", "signatures",
    ],
}

REMOVED_CLAUSE = "no-legal-advice"  # its notice is on the paper now (PDF first page and footer, packet cover, DOCX)

# The variables of the default templates now; a variable's order is its place in its template's list.
EFFECTIVE_DATE = {
    "name": "effective_date",
    "label": "Effective date",
    "type": "date",
    "default": "",
    "help": "The date the agreement takes effect, usually after all parties have signed.",
    "choices": [],
}
TERM_MONTHS = {
    "name": "term_months",
    "label": "Term (months)",
    "type": "number",
    "default": "36",
    "help": "How long the agreement lasts before it must be renewed.",
    "choices": [],
}
TERMINATION_NOTICE_DAYS = {
    "name": "termination_notice_days",
    "label": "Termination notice (days)",
    "type": "number",
    "default": "60",
    "help": "Written notice a party must give before withdrawing. Allow time to reroute calls.",
    "choices": [],
}
REVIEW_INTERVAL_MONTHS = {
    "name": "review_interval_months",
    "label": "Review interval (months)",
    "type": "number",
    "default": "12",
    "help": "Maximum time between joint reviews of the agreement and its attachments.",
    "choices": [],
}
BREACH_NOTICE_HOURS = {
    "name": "breach_notice_hours",
    "label": "Breach notice (hours)",
    "type": "number",
    "default": "72",
    "help": "Hours after discovery within which a party must report a suspected data breach to the others.",
    "choices": [],
}
REPORTING_FREQUENCY = {
    "name": "reporting_frequency",
    "label": "Reporting frequency",
    "type": "choice",
    "default": "quarterly",
    "help": "How often each party sends its performance figures to the workgroup.",
    "choices": ["monthly", "quarterly"],
}
BINDING_CLAUSES = {
    "name": "binding_clauses",
    "label": "Parts of the MOU that bind the parties",
    "type": "text",
    "default": (
        "the clauses on information sharing and confidentiality, substance use disorder records (where included), "
        "data security and breach notice, public records, immunities, notices and governing law"
    ),
    "help": "Name them by topic or title, not number. Everything else in an MOU records intent only.",
    "choices": [],
}
GOVERNING_STATE = {
    "name": "governing_state",
    "label": "Governing law",
    "type": "text",
    "default": "",
    "help": "As it reads after “the laws of”, e.g. “the State of Washington” or “the Commonwealth of Virginia”.",
    "choices": [],
}
VENUE = {
    "name": "venue",
    "label": "Courts for any lawsuit (venue)",
    "type": "text",
    "default": "",
    "help": "As it reads after “is brought in”, e.g. “the courts sitting in Riverbend County”. Counsel decides.",
    "choices": [],
}
TRIBAL_PARTY = {
    "name": "tribal_party",
    "label": "A Tribal nation is a party",
    "type": "bool",
    "default": "no",
    "help": (
        "Yes when a Tribe, or a Tribal agency that shares its sovereign immunity, signs: the agreement then says "
        "expressly that the Tribe keeps its immunity and does not submit to state courts."
    ),
    "choices": [],
}
NOTICES_BY_EMAIL = {
    "name": "notices_by_email",
    "label": "Formal notices may be sent by e-mail",
    "type": "bool",
    "default": "yes",
    "help": "Only if every party lists a monitored notice mailbox; notices of withdrawal or claims still go by mail.",
    "choices": [],
}
INSURANCE_MINIMUM = {
    "name": "insurance_minimum",
    "label": "Minimum liability insurance per occurrence",
    "type": "money",
    "default": "1000000.00",
    "help": "Set with your risk manager; applies to general and professional liability policies.",
    "choices": [],
}
INDEMNITY_APPROACH = {
    "name": "indemnity_approach",
    "label": "Indemnity approach",
    "type": "choice",
    "default": "each party bears its own liability",
    "help": "Many public bodies may not indemnify others: ask each party's counsel before choosing “mutual”.",
    "choices": ["mutual, to the extent permitted by law", "each party bears its own liability"],
}
DATA_RETENTION_MONTHS = {
    "name": "data_retention_months",
    "label": "Retention of shared data (months)",
    "type": "number",
    "default": "36",
    "help": "How long recipients keep shared post-response data. Check each party's records schedule.",
    "choices": [],
}
SHARES_LIMITED_DATA_SET = {
    "name": "shares_limited_data_set",
    "label": "A HIPAA limited data set is shared",
    "type": "bool",
    "default": "yes",
    "help": (
        "Yes when a HIPAA covered entity shares records with dates or ZIP codes but no names, phone numbers or "
        "street addresses: the agreement then includes the data use terms HIPAA requires."
    ),
    "choices": [],
}
LDS_PURPOSES = {
    "name": "lds_purposes",
    "label": "Purposes of the limited data set",
    "type": "text",
    "default": "joint quality improvement, incident review and evaluation of the crisis response system",
    "help": "HIPAA allows a limited data set only for research, public health or health care operations.",
    "choices": [],
}
SERVICES_SUMMARY = {
    "name": "services_summary",
    "label": "Summary of services",
    "type": "text",
    "default": "crisis line answering, mobile crisis response and follow-up contacts",
    "help": "One phrase describing what the provider delivers; put detail in an attachment.",
    "choices": [],
}
SERVICE_HOURS = {
    "name": "service_hours",
    "label": "Service hours",
    "type": "choice",
    "default": "24 hours a day, 7 days a week",
    "help": "When the provider's services are available.",
    "choices": ["24 hours a day, 7 days a week", "during the hours set out in an attachment"],
}
PROVIDER_INDEMNITY_APPROACH = {
    "name": "indemnity_approach",
    "label": "Indemnity approach",
    "type": "choice",
    "default": "mutual, to the extent permitted by law",
    "help": "Many public bodies may not indemnify others: ask each party's counsel before choosing “mutual”.",
    "choices": ["mutual, to the extent permitted by law", "each party bears its own liability"],
}
AID_REIMBURSABLE = {
    "name": "aid_reimbursable",
    "label": "Assistance costs reimbursed",
    "type": "bool",
    "default": "no",
    "help": "Whether the requesting party pays for extended assistance from another party.",
    "choices": [],
}
NEW_TEMPLATE_VARIABLES = {
    "mou": [
        EFFECTIVE_DATE, TERM_MONTHS, TERMINATION_NOTICE_DAYS, REVIEW_INTERVAL_MONTHS, BREACH_NOTICE_HOURS,
        REPORTING_FREQUENCY, BINDING_CLAUSES, GOVERNING_STATE, VENUE, TRIBAL_PARTY, NOTICES_BY_EMAIL,
    ],
    "moa": [
        EFFECTIVE_DATE, TERM_MONTHS, TERMINATION_NOTICE_DAYS, REVIEW_INTERVAL_MONTHS, BREACH_NOTICE_HOURS,
        INSURANCE_MINIMUM, REPORTING_FREQUENCY, INDEMNITY_APPROACH, GOVERNING_STATE, VENUE, TRIBAL_PARTY,
        NOTICES_BY_EMAIL,
    ],
    "data-sharing": [
        EFFECTIVE_DATE, TERM_MONTHS, TERMINATION_NOTICE_DAYS, REVIEW_INTERVAL_MONTHS, BREACH_NOTICE_HOURS,
        DATA_RETENTION_MONTHS, SHARES_LIMITED_DATA_SET, LDS_PURPOSES, GOVERNING_STATE, VENUE, TRIBAL_PARTY,
        NOTICES_BY_EMAIL,
    ],
    "service": [
        EFFECTIVE_DATE, TERM_MONTHS, TERMINATION_NOTICE_DAYS, REVIEW_INTERVAL_MONTHS, BREACH_NOTICE_HOURS,
        INSURANCE_MINIMUM, REPORTING_FREQUENCY, SERVICES_SUMMARY, SERVICE_HOURS, PROVIDER_INDEMNITY_APPROACH,
        GOVERNING_STATE, VENUE, TRIBAL_PARTY, NOTICES_BY_EMAIL,
    ],
    "mutual-aid": [
        EFFECTIVE_DATE, TERM_MONTHS, TERMINATION_NOTICE_DAYS, REVIEW_INTERVAL_MONTHS, AID_REIMBURSABLE,
        GOVERNING_STATE, VENUE, TRIBAL_PARTY, NOTICES_BY_EMAIL,
    ],
}

# Template descriptions, replaced only where the template was brought fully up to date and still reads as delivered.
OLD_DESCRIPTIONS = {
    "mou": (
        "A shared-understanding agreement for the early stages of 988/911 interoperability: roles, call transfer, "
        "information sharing, training, measurement and review. Indemnification and insurance clauses are left out "
        "because an MOU usually records intent before the parties commit to a legally binding contract; add them "
        "from the clause library, or use the MOA, if the parties want binding risk-transfer terms."
    ),
    "moa": (
        "A fuller agreement in which the parties commit to specific duties. It contains everything in the MOU plus "
        "indemnification and minimum insurance, since an MOA is more likely to be treated as binding and to allocate "
        "financial risk between the parties."
    ),
    "data-sharing": (
        "Sets out what information the parties exchange about shared contacts, for what purposes, and how it is "
        "protected, retained and reported when something goes wrong. Use it alongside an MOU or MOA when "
        "post-response outcome data or case-level reviews are exchanged."
    ),
    "service": (
        "For a state, county or city that contracts an outside organization to run crisis services such as a call "
        "center or mobile crisis teams. Adds clear terms of service, scope and deliverables, performance metrics, "
        "indemnity and minimum insurance so the provider is accountable for the work it has agreed to deliver."
    ),
}
NEW_DESCRIPTIONS = {
    "mou": (
        "A shared-understanding agreement for the early stages of 988/911 interoperability: roles, call transfer, "
        "information sharing, training, measurement and review. It says plainly that it records intent and commits "
        "no funds, and names the parts (such as confidentiality) that do bind the parties. Indemnification, "
        "insurance and funding clauses are left out because an MOU usually records intent before the parties commit "
        "to a legally binding contract; add them from the clause library, or use the MOA, if the parties want "
        "binding risk-transfer terms."
    ),
    "moa": (
        "A fuller agreement in which the parties commit to specific duties. It contains the MOU's operating terms, "
        "without the MOU's statement that it is not binding, plus indemnification (each party bearing its own "
        "liability unless counsel agree a mutual indemnity), minimum insurance and funding subject to appropriation, "
        "since an MOA is meant to bind and to allocate financial risk between the parties."
    ),
    "data-sharing": (
        "Sets out what information the parties exchange about shared contacts, for what purposes, and how it is "
        "protected, retained and reported when something goes wrong, with the HIPAA data use terms for a limited "
        "data set and, where a substance use disorder program is a party, qualified service organization terms under "
        "42 CFR Part 2. Use it alongside an MOU or MOA when post-response outcome data or case-level reviews are "
        "exchanged."
    ),
    "service": (
        "For a state, county or city that contracts an outside organization to run crisis services such as a call "
        "center or mobile crisis teams. Adds clear terms of service, scope and deliverables, performance metrics, "
        "indemnity, minimum insurance and funding subject to appropriation so the provider is accountable for the "
        "work it has agreed to deliver."
    ),
}

# Clause texts replaced only where a workgroup still has them word for word as delivered.
CLAUSE_UPDATES = {
    "indemnification": {
        "old_body": (
            "<p>To the extent permitted by law, each party will defend, indemnify and hold harmless the other "
            "parties and their officers and employees against third-party claims, losses and reasonable costs to the "
            "extent caused by:</p><ol><li>its negligent or wrongful acts or omissions in performing this "
            "agreement;</li><li>its breach of the confidentiality or data security clauses; or</li><li>the acts or "
            "omissions of its subcontractors.</li></ol><p>A party seeking indemnity gives prompt written notice of "
            "the claim, allows the indemnifying party to control the defense with counsel reasonably acceptable to "
            "both, and cooperates reasonably. No party settles a claim in a way that admits fault on behalf of "
            "another party without that party's consent. Public bodies that cannot indemnify under their governing "
            "law are bound only to the extent that law allows.</p>"
        ),
        "new_body": (
            "[[if indemnity_approach == \"mutual, to the extent permitted by law\"]]<p>To the extent permitted by "
            "the law that applies to it, each party will indemnify and hold harmless the other parties, and their "
            "officers and employees, against third-party claims, losses and reasonable costs to the extent caused "
            "by:</p><ol><li>its negligent or wrongful acts or omissions in performing this agreement;</li><li>its "
            "breach of the confidentiality or data security clauses; or</li><li>the acts or omissions of its "
            "subcontractors.</li></ol><p>Where that law allows a party to defend another, it also defends the claim. "
            "A party seeking indemnity gives prompt written notice of the claim, lets the indemnifying party control "
            "the defense with counsel reasonably acceptable to both, subject to any law that gives a public "
            "official, such as an attorney general, control of a public party's defense, and cooperates reasonably. "
            "No party settles a claim in a way that admits fault on behalf of another party without that party's "
            "consent.</p><p>A party whose law does not allow it to indemnify or defend another, or allows it only "
            "within limits such as those of a tort claims act or of its appropriations, is bound by this clause only "
            "within those limits. Beyond them, it remains responsible for its own acts and omissions as the clause "
            "on liability sharing provides.</p>[[endif]][[if indemnity_approach == \"each party bears its own "
            "liability\"]]<p>No party agrees to defend, indemnify or hold harmless any other party. Each party is "
            "responsible, to the extent the law that applies to it provides, for its own acts and omissions and "
            "those of its officers, employees, volunteers and agents, and for the claims, losses and costs that "
            "result from them.</p><p>This clause does not limit any defense a party has, or any right to seek "
            "contribution from another party that the law allows.</p>[[endif]]"
        ),
        "old_guidance": (
            "Indemnity shifts the cost of claims to the party whose conduct caused them, which is especially "
            "important when an outside provider runs crisis services for a public agency. Many government bodies are "
            "restricted in what they may indemnify, so the final sentence lets counsel adapt the clause rather than "
            "delete it. Source: SAMHSA 988/911 Interoperability Toolkit, 'Contractual Considerations' (indemnity "
            "clauses) and 'Liability Concerns' (contractual risks with external providers)."
        ),
        "new_guidance": (
            "Choose the approach with the template variable 'Indemnity approach'. Many public bodies may not promise "
            "to defend or indemnify another party, or may do so only within limits: constitutional debt and credit "
            "limits, appropriation rules and tort claims acts differ by state, and some states reserve a public "
            "body's defense to the attorney general. 'Each party bears its own liability' is the usual choice "
            "between public agencies. Where a public agency contracts an outside provider to run crisis services, "
            "the agency normally wants the provider to indemnify it; if the agency cannot indemnify in return, "
            "counsel can edit the mutual wording so it runs from the provider only. Each party's counsel should "
            "confirm which wording it can sign; this is a starting point for partners and counsel. Source: SAMHSA "
            "988/911 Interoperability Toolkit, 'Contractual Considerations' (indemnity clauses; holding contractors "
            "and providers accountable) and 'Liability Concerns' (contractual risks with external providers)."
        ),
        "needs_variable": "indemnity_approach",
    },
    "liability-sharing": {
        "old_body": (
            "<p>Each party is responsible for the acts and omissions of its own officers, employees, volunteers and "
            "contractors in carrying out this agreement, to the extent of its role in the response.</p><p>Where more "
            "than one party contributed to a loss, responsibility is shared in proportion to each party's role and "
            "conduct, as agreed by the parties or decided by a court. No party takes on another party's liability "
            "simply by transferring a contact, receiving a transfer, or supporting a response led by another "
            "party.</p><p>Nothing in this agreement waives any immunity, good-faith protection, damages limit or "
            "other defense available to a party or its staff under state or federal law.</p>"
        ),
        "new_body": (
            "<p>Each party is responsible for the acts and omissions of its own officers, employees, volunteers and "
            "contractors in carrying out this agreement, to the extent of its role in the response.</p><p>Where more "
            "than one party contributed to a loss, responsibility is shared in proportion to each party's role and "
            "conduct, as agreed by the parties or decided by a court. No party takes on another party's liability "
            "simply by transferring a contact, receiving a transfer, or supporting a response led by another "
            "party.</p>"
        ),
        "old_guidance": (
            "Tying responsibility to each party's role answers the common fear that taking a transfer means "
            "inheriting the sending party's risk. The non-waiver sentence matters for public bodies and for states "
            "that protect 911 and 988 staff acting in good faith. Counsel should check which protections apply "
            "locally. Source: SAMHSA 988/911 Interoperability Toolkit, 'Contractual Considerations' (liability "
            "sharing and risk allocation) and 'Liability Concerns' (negligence and vicarious liability)."
        ),
        "new_guidance": (
            "Tying responsibility to each party's role answers the common fear that taking a transfer means "
            "inheriting the sending party's risk. Immunities and good-faith protections are kept in their own clause "
            "(Immunities and Limits of Liability Preserved), so keep that clause wherever this one is used. Source: "
            "SAMHSA 988/911 Interoperability Toolkit, 'Contractual Considerations' (liability sharing and risk "
            "allocation) and 'Liability Concerns' (negligence and vicarious liability)."
        ),
        "needs_clause": "immunities",
    },
}


def _bring_template_up_to_date(template, library, TemplateClause, TemplateVariable):
    """Step 1 of the header, for a template whose clauses are still the delivered ones (any other is left)."""
    rows = list(TemplateClause.objects.filter(template=template).select_related("clause").order_by("order", "pk"))
    if [row.clause.key for row in rows] != OLD_TEMPLATE_CLAUSES[template.key]:
        return  # changed by the workgroup, or already up to date

    have = set(TemplateVariable.objects.filter(template=template).values_list("name", flat=True))
    TemplateVariable.objects.bulk_create(
        TemplateVariable(template=template, order=order, **spec)
        for order, spec in enumerate(NEW_TEMPLATE_VARIABLES[template.key])
        if spec["name"] not in have
    )

    kept = {row.clause.key: row for row in rows if row.clause.key != REMOVED_CLAUSE}
    TemplateClause.objects.filter(template=template, clause__key=REMOVED_CLAUSE).delete()
    wanted = [key for key in NEW_TEMPLATE_CLAUSES[template.key] if key in kept or key in library]
    for order, key in enumerate(wanted):
        row = kept.get(key)
        if row is None:
            TemplateClause.objects.create(template=template, clause=library[key], order=order)
        elif row.order != order:
            row.order = order
            row.save(update_fields=["order"])

    fields = ["updated_at"]
    if wanted == NEW_TEMPLATE_CLAUSES[template.key] and template.description == OLD_DESCRIPTIONS.get(template.key):
        template.description = NEW_DESCRIPTIONS[template.key]
        fields.append("description")
    template.save(update_fields=fields)


def _readable_everywhere(clause, change, AgreementTemplate, TemplateClause, TemplateVariable):
    """Whether every template using the clause can print its new text (step 2 of the header)."""
    templates = AgreementTemplate.objects.filter(template_clauses__clause=clause)
    if "needs_variable" in change:
        with_variable = TemplateVariable.objects.filter(name=change["needs_variable"]).values("template_id")
        return not templates.exclude(pk__in=with_variable).exists()
    with_clause = TemplateClause.objects.filter(clause__key=change["needs_clause"]).values("template_id")
    return not templates.exclude(pk__in=with_clause).exists()


def update_default_templates(apps, schema_editor):
    Workgroup = apps.get_model("toolkit", "Workgroup")
    Clause = apps.get_model("agreements", "Clause")
    AgreementTemplate = apps.get_model("agreements", "AgreementTemplate")
    TemplateClause = apps.get_model("agreements", "TemplateClause")
    TemplateVariable = apps.get_model("agreements", "TemplateVariable")
    for workgroup in Workgroup.objects.only("pk").iterator():
        library = {clause.key: clause for clause in Clause.objects.filter(workgroup=workgroup)}
        for template in AgreementTemplate.objects.filter(workgroup=workgroup, key__in=OLD_TEMPLATE_CLAUSES):
            _bring_template_up_to_date(template, library, TemplateClause, TemplateVariable)
        for key, change in CLAUSE_UPDATES.items():
            clause = library.get(key)
            if clause is None or clause.body != change["old_body"]:
                continue  # edited by the workgroup, or already replaced
            if not _readable_everywhere(clause, change, AgreementTemplate, TemplateClause, TemplateVariable):
                continue
            clause.body = change["new_body"]
            if clause.guidance == change["old_guidance"]:
                clause.guidance = change["new_guidance"]
            clause.save(update_fields=["body", "guidance", "updated_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("agreements", "0010_review_history"),
    ]

    operations = [
        migrations.RunPython(update_default_templates, migrations.RunPython.noop),
    ]
