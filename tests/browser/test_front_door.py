"""What a person meets first, in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright), with
every host but 127.0.0.1 blocked, as on a machine without internet: the API docs, the admin's appointment list
and an illegal status change. Screenshots go to tests/browser/screenshots/ (git-ignored).

Run with `make browser` (CI runs it too). The server is the production one, as `make run` starts it
(`manage.py serve`: collectstatic, then uvicorn with WhiteNoise serving the static files), on the test database."""

import datetime as dt
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from scheduling.demo import Seeder
from scheduling.lifecycle import AppointmentStatus as S
from scheduling.models import Appointment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent / "screenshots"
ALLOWED_HOSTS = {"127.0.0.1"}
# The browser asks for /favicon.ico on its own; the admin and the docs do not reference one.
IGNORED_PATHS = {"/favicon.ico"}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium (make browser does it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own database calls are still plain
    # synchronous ones, so Django's async-context guard is lifted for as long as the browser runs (only then).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Page:
    """A page whose requests outside 127.0.0.1 are blocked, and which records every request that failed."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.failed: list[str] = []
        self.blocked: list[str] = []
        self.context.route("**/*", self._only_local)
        self.page.on("requestfailed", lambda r: self._failed(r.url, r.failure or "failed"))
        self.page.on("response", lambda r: r.status >= 400 and self._failed(r.url, str(r.status)))

    def _only_local(self, route):
        if urlsplit(route.request.url).hostname in ALLOWED_HOSTS:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def _failed(self, url: str, why: str) -> None:
        if urlsplit(url).path not in IGNORED_PATHS:
            self.failed.append(f"{why} {url}")

    def shot(self, name: str, full_page: bool = True) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self):
        self.context.close()


@pytest.fixture
def page(browser):
    wrapped = Page(browser)
    yield wrapped
    wrapped.close()


@pytest.fixture(scope="module")
def site(django_db_setup, tmp_path_factory) -> str:
    """`manage.py serve` on a free port of 127.0.0.1 (the one host not blocked), on the test database."""
    from django.db import connection

    from config.backup import url_from_settings
    from config.serving import running_server

    log = tmp_path_factory.mktemp("serve") / "serve.log"
    command = [sys.executable, "manage.py", "serve", "--no-seed", "--workers", "1"]
    env = {"DATABASE_URL": url_from_settings(connection.settings_dict)}
    with running_server(command, env=env, log_path=log, timeout=180) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def _fast_password_hashing():
    """Overrides the suite's MD5 shortcut: the server process checks passwords with the production hashers."""


@pytest.fixture
def demo(transactional_db):
    Seeder("small", progress=False).run()


def test_the_api_docs_show_the_operations_offline_and_one_expands(site, page):
    page.page.goto(f"{site}/api/docs")
    page.page.wait_for_selector(".opblock", timeout=20_000)
    operations = page.page.locator(".opblock")
    assert operations.count() > 50
    login = page.page.locator(".opblock-post", has_text="/api/auth/login/").first
    login.locator(".opblock-summary").click()
    page.page.wait_for_selector(".opblock.is-open .opblock-body", timeout=10_000)
    assert page.page.locator(".opblock.is-open").count() == 1
    page.shot("docs", full_page=False)  # the whole page is 13,000 px tall
    assert page.blocked == [], "the docs must not need the internet"
    assert page.failed == []


def login_to_admin(page, site) -> None:
    page.page.goto(f"{site}/admin/login/?next=/admin/scheduling/appointment/")
    page.page.fill("#id_username", "operator1")
    page.page.fill("#id_password", settings.DEMO_PASSWORD)
    page.page.click("input[type=submit]")
    page.page.wait_for_url(lambda url: urlsplit(url).path == "/admin/scheduling/appointment/", timeout=20_000)


def test_an_operator_logs_in_and_the_appointment_list_is_styled_with_no_failed_request(site, page, demo):
    login_to_admin(page, site)
    assert page.page.locator("#result_list tbody tr").count() > 0
    # styled: the admin's stylesheet applied (a plain page has a transparent header and Times)
    header_color = page.page.eval_on_selector("#header", "e => getComputedStyle(e).backgroundColor")
    assert header_color not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.page.locator("#changelist-filter").is_visible()
    page.shot("admin-appointments")
    assert page.blocked == []
    assert page.failed == []


def test_an_illegal_status_change_shows_a_form_error(site, page, demo):
    appointment = Appointment.objects.filter(status=S.PENDING, date__gte=dt.date.today()).order_by("id").first()
    assert appointment is not None
    login_to_admin(page, site)
    page.page.goto(f"{site}/admin/scheduling/appointment/{appointment.pk}/change/")
    offered = page.page.eval_on_selector_all("#id_status option", "options => options.map(o => o.value)")
    assert offered == [S.PENDING, S.AUTO_CANCELLED, S.CANCELLED]
    # what a stale tab or a hand-edited form would send: a status no step leads to from pending
    page.page.eval_on_selector(
        "#id_status", "select => { select.add(new Option('Completed', 'completed')); select.value = 'completed'; }"
    )
    page.page.click("input[name=_save]")
    page.page.wait_for_selector(".errorlist", timeout=20_000)
    assert "Select a valid choice" in page.page.locator(".errorlist").first.inner_text()
    page.shot("admin-illegal-status")
    appointment.refresh_from_db()
    assert appointment.status == S.PENDING
    assert page.failed == []
