"""A passive scan of the app as it runs in production, standing in for an OWASP ZAP baseline scan (not installable
from the package registries here; see docs/security.md).

The security settings are computed by the settings module itself under ``DJANGO_ENV=production`` (in a
subprocess, as ``manage.py`` would start), applied to this test process, and every kind of answer a visitor can
get is requested through the whole middleware stack: pages signed out and signed in, the sign-in redirect, file
downloads, the API, and the 403, 404 and 500 error pages. Each answer is checked for what ZAP's passive rules
look at: the headers (CSP, frame denial, nosniff, referrer, permissions and cross-origin policies, HSTS), caching,
the cookies' flags, the redirect to HTTPS, and error pages that give nothing away.
"""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, path, resolve
from django.utils import timezone

import toolkit.urls
from agreements import services as agreement_services
from agreements.tests.test_views_review import make_mou
from incidents import attachments
from incidents.tests.test_services import report
from toolkit.models import Job, JobStatus
from toolkit.reports import WORKGROUP_SUMMARY
from toolkit.tests.factories import TEST_PASSWORD
from toolkit.tests.test_settings import _production_key, _run
from toolkit.tests.upload_files import pdf_bytes

pytestmark = pytest.mark.django_db

HOST = "toolkit.example.org"
SECURITY_SETTINGS = (
    "DEBUG", "ALLOWED_HOSTS", "MIDDLEWARE", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY", "PERMISSIONS_POLICY_DENIED",
)
_PRINT = """
import json, os
os.environ['DJANGO_SETTINGS_MODULE'] = 'toolkit.settings'
from django.conf import settings
names = {names!r}
print(json.dumps({{name: getattr(settings, name, None) for name in names}}
                 | {{'paths': [str(settings.MEDIA_ROOT), str(settings.STATIC_ROOT),
                               *(str(d[1] if isinstance(d, tuple) else d) for d in settings.STATICFILES_DIRS)]}}))
"""
# What ZAP's CSP rule and the toolkit's own policy ask of every answer.
STRICT_CSP = {"default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "object-src": "'none'",
              "frame-ancestors": "'none'", "base-uri": "'self'", "form-action": "'self'"}
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")
HSTS = "max-age=31536000; includeSubDomains; preload"
LEAKS = re.compile(r"Traceback|File \"|Using the URLconf|Request Method:|DEBUG = True|SECRET_KEY|Django Version|"
                   r"psycopg|toolkit\.settings|the boom detail", re.IGNORECASE)


def _boom(request):
    raise RuntimeError("the boom detail: SECRET_KEY and a path /srv/toolkit/settings.py")


# This module is the URLconf of its tests: the app's URLs, and one that fails, for the 500 page.
urlpatterns = [path("boom/", _boom), *toolkit.urls.urlpatterns]


@pytest.fixture(scope="module")
def production_values() -> dict:
    result = _run(["-c", _PRINT.format(names=SECURITY_SETTINGS)], DJANGO_ENV="production",
                  SECRET_KEY=_production_key(), ALLOWED_HOSTS=HOST, SITE_URL=f"https://{HOST}")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def production(settings, production_values):
    """This process, with the production security settings (and the URLconf that can fail)."""
    for name in SECURITY_SETTINGS:
        value = production_values[name]
        setattr(settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" else value)
    settings.ROOT_URLCONF = __name__
    return production_values


def _browser(*, https: bool = True) -> Client:
    extra = {"HTTP_X_FORWARDED_PROTO": "https"} if https else {}
    return Client(raise_request_exception=False, HTTP_HOST=HOST, **extra)


def _csp(header: str) -> dict[str, str]:
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {name: (rest[0] if rest else "") for name, *rest in directives}


def header_problems(label: str, response, *, https: bool = True) -> list[str]:
    """What a ZAP baseline scan would flag in one answer's headers, in words."""
    headers = response.headers
    problems = []
    expected = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
                "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Resource-Policy": "same-origin"}
    if https:
        expected["Strict-Transport-Security"] = HSTS
    problems += [f"{label}: {name} is {headers.get(name)!r}, not {value!r}"
                 for name, value in expected.items() if headers.get(name) != value]
    csp = _csp(headers.get("Content-Security-Policy", ""))
    problems += [f"{label}: CSP {directive} is {csp.get(directive)!r}" for directive, sources in STRICT_CSP.items()
                 if csp.get(directive) != sources]
    if re.search(r"'unsafe-(inline|eval)'|\*", headers.get("Content-Security-Policy", "")):
        problems.append(f"{label}: the CSP allows inline code or any source")
    policy = headers.get("Permissions-Policy", "")
    problems += [f"{label}: Permissions-Policy does not deny {feature}" for feature in DENIED_FEATURES
                 if f"{feature}=()" not in policy]
    caching = headers.get("Cache-Control", "")
    if "no-store" not in caching or "private" not in caching:
        problems.append(f"{label}: Cache-Control is {caching!r}")
    problems += [f"{label}: {name} names a version: {headers[name]!r}" for name in ("Server", "X-Powered-By")
                 if name in headers and re.search(r"\d", headers[name])]
    return problems


@pytest.fixture
def world(workgroup, coordinator, legal_reviewer, member):
    agreement = make_mou(workgroup, coordinator)
    agreement_services.agreement_submit(actor=coordinator, agreement=agreement)
    agreement_services.agreement_approve(actor=legal_reviewer, agreement=agreement)
    agreement_services.agreement_attach_signed_scan(actor=coordinator, agreement=agreement,
                                                    uploaded=SimpleUploadedFile("signed.pdf", pdf_bytes()))
    agreement.refresh_from_db()
    incident = report(member, workgroup)
    attachment = attachments.attachment_add(actor=member, incident=incident,
                                            upload=SimpleUploadedFile("notes.txt", b"14:02 transfer\n"))
    job = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, status=JobStatus.SUCCEEDED, progress=100,
                             requested_by=coordinator, finished_at=timezone.now())
    job.result.save("summary.pdf", ContentFile(pdf_bytes()))
    base = f"/w/{workgroup.slug}"
    return {
        "agreement": agreement,
        "downloads": {
            "signed copy": f"{base}/agreements/{agreement.pk}/signed-copy.pdf",
            "incident attachment": f"{base}/incidents/{incident.pk}/attachments/{attachment.pk}/",
            "job file": f"{base}/jobs/{job.pk}/download/",
        },
        "pages": {"dashboard": f"{base}/", "agreement": agreement.get_absolute_url(),
                  "incident": incident.get_absolute_url(), "new workgroup": "/workgroups/new/",
                  "guidance": "/guidance/"},
    }


def _sign_in(browser: Client, email: str):
    browser.get("/accounts/login/")
    return browser.post("/accounts/login/", {"username": email, "password": TEST_PASSWORD})


def test_every_answer_signed_out_carries_the_security_headers(production):
    browser = _browser()
    answers = {
        "sign-in page": browser.get("/accounts/login/"),
        "password reset": browser.get("/accounts/password_reset/"),
        "guidance": browser.get("/guidance/"),
        "API docs": browser.get("/api/docs/"),
        "API without a key": browser.get("/api/v1/transfers/"),
        "sign-in redirect": browser.get("/w/riverbend/"),
        "404": browser.get("/no-such-page/"),
        "500": browser.get("/boom/"),
    }

    assert [status for status in (answers["sign-in page"].status_code, answers["API without a key"].status_code,
                                  answers["404"].status_code, answers["500"].status_code)] == [200, 401, 404, 500]
    assert answers["sign-in redirect"].status_code == 302
    assert answers["sign-in redirect"]["Location"] == "/accounts/login/?next=/w/riverbend/"
    assert [problem for label, answer in answers.items() for problem in header_problems(label, answer)] == []


def test_every_answer_signed_in_carries_the_security_headers_and_is_never_cached(production, world, coordinator,
                                                                                 viewer):
    browser = _browser()
    assert _sign_in(browser, coordinator.email).status_code == 302
    answers = {label: browser.get(url) for label, url in {**world["pages"], **world["downloads"]}.items()}
    answers["404 in a workgroup"] = browser.get("/w/riverbend/agreements/999999/")
    answers["500 signed in"] = browser.get("/boom/")
    answers["403"] = _signed_in_as(viewer).get("/w/riverbend/audit/")

    assert {label: answer.status_code for label, answer in answers.items()} == {
        **dict.fromkeys(world["pages"], 200), **dict.fromkeys(world["downloads"], 200),
        "404 in a workgroup": 404, "500 signed in": 500, "403": 403}
    assert [problem for label, answer in answers.items() for problem in header_problems(label, answer)] == []


def _signed_in_as(user) -> Client:
    browser = _browser()
    browser.force_login(user)
    return browser


def test_downloads_are_attachments_of_the_type_their_content_has(production, world, coordinator):
    browser = _signed_in_as(coordinator)
    expected = {"signed copy": "application/pdf", "incident attachment": "text/plain; charset=utf-8",
                "job file": "application/pdf"}

    for label, url in world["downloads"].items():
        response = browser.get(url)
        assert response["Content-Disposition"].startswith("attachment; filename="), label
        assert (response["Content-Type"], response["X-Content-Type-Options"]) == (expected[label], "nosniff"), label


def test_stored_files_are_reached_only_through_the_permission_checked_downloads(production, world, coordinator):
    """No URL serves the storage folder: not MEDIA_URL, not the static files, not the file's own name."""
    stored = world["agreement"].signed_scan.name
    browser = _signed_in_as(coordinator)

    for url in (f"/media/{stored}", f"/static/{stored}", f"/{stored}", "/media/", "/var/media/" + stored):
        assert browser.get(url).status_code == 404, url
        with pytest.raises(Resolver404):
            resolve(url)
    media_root, static_root, *static_dirs = production["paths"]
    assert not any(media_root.startswith(folder) or folder.startswith(media_root)
                   for folder in [static_root, *static_dirs]), "uploads must not live among the static files"


def test_cookies_are_http_only_secure_and_same_site(production, coordinator):
    browser = _browser()
    form = browser.get("/accounts/login/")
    signed_in = browser.post("/accounts/login/", {"username": coordinator.email, "password": TEST_PASSWORD})

    cookies = {"csrftoken": form.cookies["csrftoken"], "sessionid": signed_in.cookies["sessionid"]}
    flags = {name: (bool(cookie["httponly"]), bool(cookie["secure"]), cookie["samesite"])
             for name, cookie in cookies.items()}
    assert flags == {"csrftoken": (True, True, "Lax"), "sessionid": (True, True, "Lax")}


def test_plain_http_is_sent_to_https_except_the_health_probe(production):
    browser = _browser(https=False)

    for url in ("/accounts/login/", "/w/riverbend/", "/api/v1/transfers/"):
        response = browser.get(url)
        assert (response.status_code, response["Location"]) == (301, f"https://{HOST}{url}"), url
    assert browser.get("/healthz").status_code in (200, 503)  # load balancers probe over plain HTTP


def test_error_pages_give_nothing_away(production, coordinator):
    browser = _browser()
    browser.force_login(coordinator)

    for url, status in (("/boom/", 500), ("/no-such-page/", 404), ("/w/elsewhere/", 404)):
        response = browser.get(url)
        body = response.content.decode()
        assert response.status_code == status
        assert not LEAKS.search(body), f"{url}: {LEAKS.search(body).group(0)!r} shown"
