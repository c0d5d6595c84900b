"""Demo partner map for the Riverbend County workgroup (fictional organizations and people)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from partners import services
from partners.models import InteropFunction, Organization, Sector

if TYPE_CHECKING:
    from toolkit.models import User, Workgroup

# name, sector key, type, status, influence, impact, interest, current, desired, contacts
# contact: (name, title, e-mail, phone, workgroup role, primary, turnover risk)
ORGANIZATIONS = [
    ("Riverbend Crisis Line (988)", "988-center", "provider", "champion", 5, 5, 5, "leading", "leading",
     [("Maya Okonkwo", "Executive Director", "m.okonkwo@riverbend988.example", "(202) 555-0111", "chair", True, "low"),
      ("Luis Ortega", "Call Center Manager", "l.ortega@riverbend988.example", "(202) 555-0112", "voting", False,
       "medium")]),
    ("Riverbend County Emergency Communications (911)", "911-psap", "public_agency", "engaged", 5, 5, 4,
     "supportive", "leading",
     [("Dana Whitfield", "911 Director", "dwhitfield@riverbend911.example", "(202) 555-0113", "chair", True,
       "high")]),
    ("Harbor City Police Dispatch (PSAP)", "911-psap", "public_agency", "invited", 4, 4, 2, "neutral", "supportive",
     [("Sgt. Omar Haddad", "Communications Supervisor", "ohaddad@harborcity.example", "(202) 555-0114", "voting",
       True, "medium")]),
    ("State 911 Board", "state-911-administrator", "public_agency", "engaged", 5, 3, 3, "neutral", "supportive",
     [("Priya Raman", "State 911 Administrator", "praman@state911.example", "(202) 555-0115", "advisory", True,
       "low")]),
    ("State Office of Behavioral Health", "mental-health-authority", "public_agency", "champion", 5, 4, 5,
     "leading", "leading",
     [("Dr. Helen Brooks", "Deputy Director, Crisis Services", "hbrooks@statebh.example", "(202) 555-0116",
       "voting", True, "medium")]),
    ("State Substance Use Services Division", "substance-use-authority", "public_agency", "invited", 4, 3, 3,
     "unaware", "supportive",
     [("Marcus Lee", "SSA Program Manager", "mlee@statesud.example", "(202) 555-0117", "advisory", True, "low")]),
    ("State Medicaid Agency", "medicaid-authority", "public_agency", "identified", 5, 3, 2, "unaware",
     "supportive", []),
    ("Riverbend Mobile Crisis Team", "mobile-crisis", "provider", "engaged", 3, 5, 5, "supportive", "leading",
     [("Tasha Greene", "Clinical Supervisor", "tgreene@rbmobile.example", "(202) 555-0118", "voting", True,
       "high")]),
    ("Voices of Recovery Riverbend", "lived-experience", "community", "engaged", 2, 4, 5, "supportive", "leading",
     [("Jamie Cole", "Peer Advocate", "jamie@voicesrecovery.example", "(202) 555-0119", "voting", True, "low")]),
    ("Riverbend Youth Services", "youth-expert", "provider", "engaged", 2, 4, 4, "neutral", "supportive",
     [("Dr. Aiko Tanaka", "Child Psychologist", "atanaka@rbyouth.example", "(202) 555-0120", "advisory", True,
       "low")]),
    ("Bridgeway Crisis Stabilization Center", "community-organizations", "provider", "engaged", 3, 5, 4,
     "supportive", "supportive",
     [("Nora Fitzgerald", "Program Director", "nfitz@bridgeway.example", "(202) 555-0121", "voting", True,
       "medium")]),
    ("Riverbend County Health Department", "health-agency", "public_agency", "engaged", 3, 2, 3, "neutral",
     "supportive", [("Carl Jensen", "Epidemiologist", "cjensen@rbhealth.example", "(202) 555-0122", "advisory",
                     True, "low")]),
    ("Riverbend County Behavioral Health Authority", "county-behavioral-health", "public_agency", "champion", 4, 4,
     5, "leading", "leading",
     [("Rosa Delgado", "Director", "rdelgado@rbbha.example", "(202) 555-0123", "chair", True, "medium")]),
    ("St. Luke's Regional Medical Center", "hospitals", "provider", "invited", 4, 3, 2, "neutral", "supportive",
     [("Dr. Sam Whitaker", "ED Medical Director", "swhitaker@stlukes.example", "(202) 555-0124", "advisory", True,
       "low")]),
    ("Riverbend County Sheriff's Office", "public-safety", "public_agency", "engaged", 5, 4, 3, "resistant",
     "supportive",
     [("Lt. Grace Park", "CIT Coordinator", "gpark@rbsheriff.example", "(202) 555-0125", "voting", True, "high")]),
    ("Riverbend Fire & EMS", "public-safety", "public_agency", "engaged", 3, 3, 3, "neutral", "supportive",
     [("Chief Ray Alvarez", "EMS Chief", "ralvarez@rbfire.example", "(202) 555-0126", "voting", True, "low")]),
    ("Riverbend Unified School District", "education", "public_agency", "identified", 2, 2, 3, "unaware",
     "neutral", []),
    ("County Commission", "elected-officials", "elected_office", "invited", 5, 2, 2, "neutral", "supportive",
     [("Commissioner Ellen Marsh", "Chair, Health Committee", "emarsh@rbcounty.example", "(202) 555-0127",
       "advisory", True, "high")]),
    ("NAMI Riverbend", "suicide-prevention", "community", "champion", 2, 3, 5, "leading", "leading",
     [("Pat Kowalski", "Board President", "pat@namiriverbend.example", "(202) 555-0128", "voting", True, "low")]),
    ("Riverbend Warmline", "warm-lines", "community", "engaged", 1, 3, 4, "supportive", "supportive",
     [("Chris Boateng", "Coordinator", "chris@rbwarmline.example", "(202) 555-0129", "alternate", True, "medium")]),
]

# function key -> {organization name: role}
RACI = {
    "receive-assess": {"Riverbend Crisis Line (988)": "A", "Riverbend County Emergency Communications (911)": "R",
                       "Harbor City Police Dispatch (PSAP)": "R", "State Office of Behavioral Health": "C"},
    "transfer-911-988": {"Riverbend County Emergency Communications (911)": "A",
                         "Riverbend Crisis Line (988)": "R", "Harbor City Police Dispatch (PSAP)": "R"},
    "transfer-988-911": {"Riverbend Crisis Line (988)": "A", "Riverbend County Emergency Communications (911)": "R",
                         "Riverbend County Sheriff's Office": "I"},
    "dispatch-mobile-crisis": {"Riverbend Crisis Line (988)": "A", "Riverbend Mobile Crisis Team": "R",
                               "Bridgeway Crisis Stabilization Center": "C"},
    "dispatch-ems-police": {"Riverbend County Emergency Communications (911)": "A",
                            "Riverbend County Sheriff's Office": "R", "Riverbend Fire & EMS": "R",
                            "Riverbend Mobile Crisis Team": "I"},
    "follow-up": {"Riverbend Crisis Line (988)": "R", "Bridgeway Crisis Stabilization Center": "R",
                  "Riverbend County Behavioral Health Authority": "A"},
    "data-sharing": {"Riverbend County Behavioral Health Authority": "A", "Riverbend Crisis Line (988)": "R",
                     "Riverbend County Emergency Communications (911)": "R", "State 911 Board": "I"},
    "cross-training": {"Riverbend County Sheriff's Office": "R", "Riverbend Crisis Line (988)": "R",
                       "NAMI Riverbend": "C"},  # no A yet: the matrix shows it as a problem to solve
    "incident-review": {"Riverbend County Behavioral Health Authority": "A", "Riverbend Crisis Line (988)": "R",
                        "Riverbend County Emergency Communications (911)": "R", "Voices of Recovery Riverbend": "C"},
}


# Routing directory: organization -> (profile fields, lines). A line: (name, purpose, number, hours,
# interval in days, days since its last test or None, result). The numbers are fictional (555-01xx).
ROUTING = {
    "Riverbend Crisis Line (988)": (
        {"answers_24_7": True, "counties": "Riverbend County\nAsh Valley County", "cities": "Riverbend\nHarbor City",
         "zip_codes": "20201 20202 20203 20205", "tribal_lands": "Cedar Creek Reservation"},
        [("Warm-transfer line for PSAPs", "from_911", "(202) 555-0131", "", 90, 30, "answered"),
         ("Overflow line for PSAPs", "backup", "(202) 555-0132", "", 90, 130, "answered")]),
    "Riverbend County Emergency Communications (911)": (
        {"answers_24_7": True, "counties": "Riverbend County", "zip_codes": "20201 20202 20203"},
        [("Ten-digit line for 988 transfers", "from_988", "(202) 555-0133", "", 90, 20, "answered")]),
    "Harbor City Police Dispatch (PSAP)": (
        {"answers_24_7": True, "cities": "Harbor City", "zip_codes": "20205"},
        [("Administrative line for 988 transfers", "from_988", "(202) 555-0134", "", 90, 45, "answered")]),
    "Riverbend Mobile Crisis Team": (
        {"hours": "Every day 7:00–23:00; after hours through the 988 center", "counties": "Riverbend County",
         "mobile_response_urban_minutes": 60, "mobile_response_rural_minutes": 90},
        [("Mobile crisis dispatch", "mobile_dispatch", "(202) 555-0135", "7:00–23:00", 60, 14, "answered")]),
}


def seed_routing_demo(*, workgroup: Workgroup, actor: User) -> None:
    """Routing profiles and transfer lines; the 988 center's overflow line is overdue for a test.
    Idempotent: organizations that already have lines or a profile are left as they are."""
    from partners import routing
    from partners.models import RoutingProfile, TransferLine

    today = timezone.localdate()
    done = set(TransferLine.objects.filter(workgroup=workgroup).values_list("organization_id", flat=True))
    done |= set(RoutingProfile.objects.filter(workgroup=workgroup).values_list("organization_id", flat=True))
    organizations = {o.name: o for o in Organization.objects.filter(workgroup=workgroup, name__in=ROUTING)}
    for name, (profile, lines) in ROUTING.items():
        organization = organizations.get(name)
        if organization is None or organization.pk in done:
            continue
        routing.routing_profile_save(actor=actor, organization=organization, **profile)
        for line_name, purpose, number, hours, interval, days_ago, result in lines:
            line = routing.transfer_line_create(actor=actor, organization=organization, name=line_name,
                                                purpose=purpose, number=number, hours=hours,
                                                test_interval_days=interval)
            if days_ago is not None:
                routing.transfer_line_record_test(actor=actor, line=line, result=result, note="Demo test call.",
                                                  tested_on=today - datetime.timedelta(days=days_ago))


def seed_partner_demo(*, workgroup: Workgroup, actor: User) -> None:
    """Idempotent: organizations that already exist (by name) are left as they are.

    The sectors and functions come with the workgroup (its setup step), like any other workgroup's.
    """
    sectors = {s.key: s for s in Sector.objects.filter(workgroup=workgroup)}
    existing = set(Organization.objects.filter(workgroup=workgroup).values_list("name", flat=True))
    for name, sector, org_type, status, influence, impact, interest, current, desired, contacts in ORGANIZATIONS:
        if name in existing:
            continue
        organization = services.organization_create(
            actor=actor, workgroup=workgroup, name=name, sector=sectors[sector], org_type=org_type,
            jurisdiction="Riverbend County", engagement_status=status, influence=influence, impact=impact,
            interest=interest, current_engagement=current, desired_engagement=desired,
        )
        for contact_name, title, email, phone, role, primary, risk in contacts:
            services.contact_create(
                actor=actor, organization=organization, name=contact_name, title=title, email=email,
                phone=phone, workgroup_role=role, is_primary=primary, turnover_risk=risk,
            )
    organizations = {o.name: o for o in Organization.objects.filter(workgroup=workgroup)}
    functions = {f.key: f for f in InteropFunction.objects.filter(workgroup=workgroup)}
    seed_routing_demo(workgroup=workgroup, actor=actor)
    if workgroup.partners_raciassignment_set.exists():
        return
    for key, cells in RACI.items():
        for organization_name, role in cells.items():
            services.raci_set(actor=actor, function=functions[key], organization=organizations[organization_name],
                              role=role)
