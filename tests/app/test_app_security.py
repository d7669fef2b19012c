"""The app's gate: the session token, CSRF, Host and Origin, the security headers, no inline script or style."""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
import webbrowser
from html.parser import HTMLParser

import httpx2 as httpx
import pytest
from click.testing import CliRunner
from conftest import MEETING
from starlette.testclient import TestClient

from formkit.app.config import AppConfig, MeetingFolders
from formkit.app.security import CSP, NO_CSRF, NO_SESSION, WRONG_HOST, WRONG_ORIGIN
from formkit.app.server import start_in_thread
from formkit.app.web import create_app
from formkit.cli.main import main

from .client import BASE, TOKEN, config_for, csrf, finished, post, signed_in, upload


def stranger(config: AppConfig) -> TestClient:
    """Return a client of the same app that never opened its link."""
    return TestClient(create_app(config, token=TOKEN), base_url=BASE)


# --- the session token ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/register", "/overleg", "/static/app.css", "/static/htmx.min.js",
                                  "/taken/onbekend", "/bestaat-niet"])
def test_without_the_cookie_every_address_is_refused_in_dutch(config, path):
    response = stranger(config).get(path, follow_redirects=False)
    assert response.status_code == 403
    assert NO_SESSION in response.text.replace("&#x27;", "'")
    assert "set-cookie" not in response.headers


def test_a_wrong_token_gets_no_cookie(config):
    client = stranger(config)
    response = client.get("/?token=geraden", follow_redirects=False)
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    assert client.get("/register").status_code == 403


#: The session cookie of the test client's app (port 8765).
COOKIE_NAME = "formkit_sessie_8765"


def test_a_cookie_with_another_value_is_no_session(config):
    client = stranger(config)
    client.cookies.set(COOKIE_NAME, "geraden")
    assert client.get("/register").status_code == 403


def test_the_token_itself_is_no_session_cookie(config):
    """The cookie holds a session secret of its own: the token in the terminal or history is not it."""
    client = stranger(config)
    for name in (COOKIE_NAME, "formkit_sessie"):
        client.cookies.set(name, TOKEN)
        assert client.get("/register").status_code == 403


def test_the_cookie_of_an_app_on_another_port_is_no_session_here(config):
    """Two apps in one browser: cookies are per host, not per port, so each app's cookie has its own name."""
    other = TestClient(create_app(config, token=TOKEN), base_url="http://127.0.0.1:8766")
    opened = other.get(f"/?token={TOKEN}", follow_redirects=False)
    assert opened.headers["set-cookie"].startswith("formkit_sessie_8766=")
    here = stranger(config)
    here.cookies.set(COOKIE_NAME, other.cookies["formkit_sessie_8766"])
    assert here.get("/register").status_code == 403


def test_the_link_opens_the_app_again_after_the_browser_was_closed(config):
    """The token is not single use: the link in the terminal opens the app again while it runs."""
    app = create_app(config, token=TOKEN)
    for _ in range(2):
        browser = TestClient(app, base_url=BASE)  # a new browser: no cookie
        assert browser.get(f"/?token={TOKEN}", follow_redirects=False).status_code == 303
        assert browser.get("/register").status_code == 200


def test_the_right_token_becomes_a_strict_httponly_cookie_and_leaves_the_address_bar(config):
    client = stranger(config)
    response = client.get(f"/?token={TOKEN}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    session = client.app.state.formkit.keys.session  # type: ignore[attr-defined]
    assert cookie.startswith(f"{COOKIE_NAME}={session};")
    assert TOKEN not in cookie
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= {part.strip() for part in cookie.split(";")}
    home = client.get("/")  # follows to the register page, without the token in its address
    assert home.status_code == 200
    assert str(home.url) == f"{BASE}/register"
    assert "<h1>Register</h1>" in home.text


def test_each_start_has_its_own_random_token(config):
    first, second = create_app(config), create_app(config)
    assert first.state.formkit.keys.token != second.state.formkit.keys.token
    assert len(first.state.formkit.keys.token) >= 40
    assert first.state.formkit.keys.csrf != first.state.formkit.keys.token


# --- CSRF -------------------------------------------------------------------------------


def test_a_post_without_the_csrf_value_is_refused(client, config):
    response = client.post("/register/kiezen", data={"pad": str(config.register)}, follow_redirects=False)
    assert response.status_code == 403
    assert NO_CSRF in response.text


def test_a_post_with_a_wrong_csrf_value_is_refused(client, config):
    response = client.post("/register/kiezen", data={"pad": str(config.register), "csrf": "geraden"},
                           follow_redirects=False)
    assert response.status_code == 403
    wrong_header = client.post("/register/kiezen", data={"pad": str(config.register)},
                               headers={"X-CSRF-Token": "geraden"}, follow_redirects=False)
    assert wrong_header.status_code == 403


def test_a_post_with_the_csrf_field_or_header_works(client, config):
    assert post(client, "/register/kiezen", {"pad": str(config.register)}).status_code == 303
    by_header = client.post("/register/kiezen", data={"pad": str(config.register)},
                            headers={"X-CSRF-Token": csrf(client)}, follow_redirects=False)
    assert by_header.status_code == 303


def test_every_page_carries_the_csrf_value_for_its_forms_and_for_htmx(client):
    html = client.get("/register").text
    value = csrf(client)
    assert f'<meta name="csrf" content="{value}">' in html
    assert f'hx-headers=\'{{"X-CSRF-Token": "{value}"}}\'' in html
    assert html.count(f'name="csrf" value="{value}"') == html.count('method="post"') == 3


def test_a_forged_upload_writes_nothing(client, config):
    response = upload(client, "/register/uploaden", "register.xlsx", config.register.read_bytes(), with_csrf=False)
    assert response.status_code == 403
    assert not any(config.folder.rglob("*.xlsx")) if config.folder.exists() else True


def test_making_forms_needs_the_csrf_value_too(client):
    response = client.post(f"/overleg/{MEETING.isoformat()}/formulieren", follow_redirects=False)
    assert response.status_code == 403
    assert not MeetingFolders(client.app.state.formkit.config.folder, MEETING).forms.exists()


# --- Host and Origin --------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1:9999", "localhost",
                                  "127.0.0.1.evil.example:8765"])
def test_a_request_for_another_host_is_refused(client, host):
    response = client.get("/register", headers={"Host": host})
    assert response.status_code == 403
    assert WRONG_HOST in response.text


def test_localhost_with_the_right_port_is_this_app(client):
    assert client.get("/register", headers={"Host": "localhost:8765"}).status_code == 200


def test_a_post_from_another_origin_is_refused(client, config):
    response = client.post("/register/kiezen", data={"pad": str(config.register), "csrf": csrf(client)},
                           headers={"Origin": "http://evil.example"}, follow_redirects=False)
    assert response.status_code == 403
    assert WRONG_ORIGIN in response.text
    same = client.post("/register/kiezen", data={"pad": str(config.register), "csrf": csrf(client)},
                       headers={"Origin": BASE}, follow_redirects=False)
    assert same.status_code == 303


def test_an_opaque_origin_is_refused_even_with_the_csrf_value(client, config):
    """Under Referrer-Policy same-origin the app's own forms carry its origin; `null` is a sandbox or a file."""
    opaque = client.post("/register/kiezen", data={"pad": str(config.register), "csrf": csrf(client)},
                         headers={"Origin": "null"}, follow_redirects=False)
    assert opaque.status_code == 403
    assert WRONG_ORIGIN in opaque.text
    own_form = client.post("/register/kiezen", data={"pad": str(config.register), "csrf": csrf(client)},
                           headers={"Origin": BASE}, follow_redirects=False)
    assert own_form.status_code == 303


# --- headers and markup -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/register", "/overleg", f"/overleg/{MEETING.isoformat()}", "/static/app.css",
                                  "/static/htmx.min.js", "/bestaat-niet"])
def test_every_response_carries_the_security_headers(client, config, path):
    post(client, "/register/kiezen", {"pad": str(config.register)})
    response = client.get(path)
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "same-origin"


def test_refusals_carry_the_security_headers_too(config):
    response = stranger(config).get("/register")
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["cache-control"] == "no-store"


class _Markup(HTMLParser):
    """Collects what the CSP forbids: script bodies, style elements and attributes, event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.in_script = False
        self.lang: str | None = None
        self.h1 = 0

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag == "h1":
            self.h1 += 1
        if tag == "script":
            self.in_script = True
            if "src" not in names:
                self.problems.append("script without src")
        if tag == "style":
            self.problems.append("style element")
        if "style" in names:
            self.problems.append(f"style attribute on {tag}")
        self.problems += [f"{name} on {tag}" for name in names if name.startswith("on")]
        if any(name == "href" and (value or "").lower().startswith("javascript:") for name, value in attrs):
            self.problems.append("javascript: link")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append("inline script body")


def test_no_page_has_inline_script_or_style(client, config):
    pages = ["/register", "/overleg"]
    post(client, "/register/kiezen", {"pad": str(config.register)})
    made = post(client, f"/overleg/{MEETING.isoformat()}/formulieren")
    finished(client, made.headers["location"].rsplit("=", 1)[1])
    pages += ["/register", "/overleg", made.headers["location"], "/bestaat-niet"]
    for path in pages:
        markup = _Markup()
        markup.feed(client.get(path).text)
        assert markup.problems == [], path
        assert markup.lang == "nl", path
        assert markup.h1 == 1, path


def test_the_page_names_every_nav_page_and_marks_the_current_one(client):
    html = client.get("/register").text
    assert '<a href="/register" aria-current="page">Register</a>' in html
    assert '<a href="/overleg">Overleg</a>' in html
    assert '<a class="overslaan" href="#inhoud">Naar de inhoud</a>' in html
    assert '<button type="submit">Stoppen</button>' in html


def test_an_unknown_address_gets_a_dutch_page(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Deze pagina bestaat niet." in response.text
    assert "Traceback" not in response.text


# --- the real server ----------------------------------------------------------------------


def test_the_server_listens_on_loopback_and_stops_with_the_button(tmp_path, register_path):
    running = start_in_thread(config_for(tmp_path, register_path))
    try:
        assert running.base.startswith("http://127.0.0.1:")
        assert running.url == f"{running.base}/?token={running.token}"
        with httpx.Client() as browser:
            assert browser.get(f"{running.base}/register").status_code == 403
            opened = browser.get(running.url, follow_redirects=True)
            assert opened.status_code == 200
            assert "Gezin Pietersen" in opened.text
            csrf_value = running.server.config.app.state.formkit.keys.csrf
            stopped = browser.post(f"{running.base}/stoppen", data={"csrf": csrf_value})
            assert stopped.status_code == 200
            assert "formkit is gestopt" in stopped.text
        running.thread.join(10)
        assert not running.thread.is_alive()
    finally:
        running.stop()


# --- the command ----------------------------------------------------------------------------


def test_formkit_app_prints_the_link_opens_the_browser_and_stops_with_the_button(tmp_path, register_path,
                                                                                   monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    outcome = {}

    def run() -> None:
        outcome["result"] = CliRunner().invoke(main, ["app", "--register", str(register_path),
                                                      "--map", str(tmp_path / "werk")])

    command = threading.Thread(target=run)
    command.start()
    for _ in range(500):
        if opened or not command.is_alive():
            break
        time.sleep(0.02)
    assert opened, outcome
    base, _, token = opened[0].partition("/?token=")
    assert base.startswith("http://127.0.0.1:") and token
    with httpx.Client() as browser:
        page = browser.get(opened[0], follow_redirects=True)
        assert "Gezin Pietersen" in page.text
        found = re.search(r'<meta name="csrf" content="([^"]+)">', page.text)
        assert found is not None
        browser.post(f"{base}/stoppen", data={"csrf": found.group(1)})
    command.join(15)
    assert not command.is_alive()
    result = outcome["result"]
    assert result.exit_code == 0, result.output
    assert f"formkit draait op {base} (alleen op deze computer)." in result.output
    assert f"Open formkit met deze link: {opened[0]}" in result.output
    assert result.output.rstrip().endswith("formkit is gestopt.")


def test_formkit_app_with_a_work_folder_that_is_a_file_stops_with_a_dutch_error(tmp_path):
    blocked = tmp_path / "werk"
    blocked.write_text("geen map")
    result = CliRunner().invoke(main, ["app", "--map", str(blocked / "werkmap"), "--geen-browser"])
    assert result.exit_code == 1
    assert f"Fout: kan niet schrijven naar {blocked / 'werkmap'}" in result.output
    assert "formkit draait" not in result.output


def test_formkit_app_with_a_wrong_option_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["app", "--poort", "80"])
    assert result.exit_code == 2
    assert "Onbekende optie '--poort'" in result.output


# --- the security review's findings ---------------------------------------------------------


def test_a_register_upload_never_replaces_a_register_it_did_not_upload(tmp_path, register_path):
    """`formkit app` started without --map in the register's own folder: an upload must leave that register be."""
    config = AppConfig(register=None, folder=register_path.parent)
    client = signed_in(config)
    original = register_path.read_bytes()
    for _ in range(2):  # twice the same name: the second gets a name of its own too
        response = upload(client, "/register/uploaden", register_path.name, original + b"")
        assert response.status_code == 303
    assert register_path.read_bytes() == original
    uploads = sorted(p.relative_to(config.folder).as_posix() for p in (config.folder / "registers").rglob("*.xlsx"))
    assert uploads == ["registers/register (2)/register.xlsx", "registers/register/register.xlsx"]  # each its own folder
    html = client.get(response.headers["location"]).text
    stored = config.folder / "registers" / "register (2)" / "register.xlsx"
    assert f"Het geüploade register is opgeslagen als {stored}." in html


def test_a_forged_retour_upload_makes_no_folder(client, config):
    response = upload(client, f"/retour/{MEETING.isoformat()}/uploaden", "a.xlsx", config.register.read_bytes(),
                      with_csrf=False)
    assert response.status_code == 403
    assert not MeetingFolders(config.folder, MEETING).root.exists()


@pytest.mark.parametrize("url, field", [("/register/kiezen", "pad"), (f"/retour/{MEETING.isoformat()}/map", "pad")])
@pytest.mark.parametrize("typed, says", [
    ("~gebruiker-die-niet-bestaat/x", "begint met ~, maar die gebruiker is op deze computer niet bekend"),
    ("/tmp/" + "a" * 5000, "Dit pad is te lang (meer dan 4096 tekens)"),
    ("/tmp/" + "a" * 300, "bestaat niet"),  # a name longer than the file system takes
    ("/tmp/x\x00y", "bevat een teken dat in geen pad kan staan"),
])
def test_an_odd_path_gets_a_dutch_answer(client, url, field, typed, says):
    response = post(client, url, {field: typed})
    assert response.status_code == 400
    assert says in response.text
    assert "a" * 100 not in response.text  # a long path is not repeated whole


def test_an_odd_certificate_path_on_the_mail_page_gets_a_dutch_answer(client):
    made = post(client, f"/overleg/{MEETING.isoformat()}/formulieren")
    finished(client, made.headers["location"].rsplit("taak=", 1)[1])  # the forms to send exist
    response = post(client, f"/mail/{MEETING.isoformat()}/versturen",
                    {"soort": "formulieren", "wijze": "smtp", "server": "localhost", "afzender": "a@b.example",
                     "certificaat": "~gebruiker-die-niet-bestaat/ca.pem"})
    assert response.status_code == 400
    assert "die gebruiker is op deze computer niet bekend" in response.text


@pytest.mark.parametrize("version", ["²", "9" * 5000, "-1", "1e3"])
def test_an_odd_plan_version_gets_a_dutch_answer(client, version):
    response = client.get(f"/plannen/{MEETING.isoformat()}/2026-101", params={"versie": version})
    assert response.status_code == 200
    assert "van dit plan bestaat niet of is beschadigd." in response.text
    assert "9" * 100 not in response.text


def test_an_unexpected_error_is_a_dutch_page_and_logs_its_type_only(config, monkeypatch, caplog):
    """Starlette raises the error again after its 500 page: uvicorn would print it, message and path and all."""
    def broken(self, path):
        raise RuntimeError(f"Gezin Pietersen in {path}")

    client = TestClient(create_app(config, token=TOKEN), base_url=BASE)  # raises what the app lets through
    monkeypatch.setattr("formkit.app.state.AppState.choose_register", broken)
    client.get(f"/?token={TOKEN}", follow_redirects=False)
    with caplog.at_level(logging.DEBUG):
        response = post(client, "/register/kiezen", {"pad": str(config.register)})
    assert response.status_code == 500
    assert "Er ging iets onverwachts mis." in response.text
    assert "Pietersen" not in response.text and "Traceback" not in response.text
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore")))
    assert "RuntimeError" in logged  # the test client's own request lines aside: what the app logs
    assert "Pietersen" not in logged and "/register" not in logged and str(config.register) not in logged
    assert not any(r.exc_info for r in caplog.records)  # no traceback either


def test_the_live_server_prints_no_traceback_and_no_uvicorn_warning(tmp_path, register_path, monkeypatch, capfd):
    def broken(self, path):
        raise RuntimeError("Gezin Pietersen")

    running = start_in_thread(config_for(tmp_path, register_path))
    monkeypatch.setattr("formkit.app.state.AppState.choose_register", broken)
    try:
        with httpx.Client() as browser:
            browser.get(running.url)
            csrf_value = running.server.config.app.state.formkit.keys.csrf
            answer = browser.post(f"{running.base}/register/kiezen", data={"csrf": csrf_value, "pad": str(register_path)})
            assert answer.status_code == 500
            with socket.create_connection(("127.0.0.1", int(running.base.rsplit(":", 1)[1]))) as raw:
                raw.sendall(b"NIET HTTP\r\n\r\n")  # uvicorn: "Invalid HTTP request received."
                raw.recv(1024)
    finally:
        running.stop()
    printed = capfd.readouterr()
    console = printed.out + printed.err
    assert "Traceback" not in console and "Pietersen" not in console and str(register_path) not in console
    assert "/register/kiezen" not in console
    assert "Invalid HTTP request" not in console


def test_a_form_over_one_megabyte_is_refused_before_it_is_read(client, config):
    big = post(client, "/register/kiezen", {"pad": str(config.register), "opvulling": "x" * (1024 * 1024)})
    assert big.status_code == 413
    assert "Dit formulier is te groot" in big.text
    assert post(client, "/register/kiezen", {"pad": str(config.register)}).status_code == 303


def test_reading_a_large_register_does_not_hold_up_other_requests(tmp_path, register_path, monkeypatch):
    """The register is read in a worker thread: the stylesheet answers while it is read."""
    from formkit.app import state as app_state

    started, go_on = threading.Event(), threading.Event()
    real = app_state.load

    def slow(path):
        started.set()
        go_on.wait(10)
        return real(path)

    running = start_in_thread(config_for(tmp_path, register_path))
    monkeypatch.setattr(app_state, "load", slow)
    try:
        with httpx.Client(timeout=20) as browser:
            browser.get(running.url)
            csrf_value = running.server.config.app.state.formkit.keys.csrf
            chosen: list[int] = []
            choosing = threading.Thread(target=lambda: chosen.append(browser.post(
                f"{running.base}/register/kiezen", data={"csrf": csrf_value, "pad": str(register_path)}).status_code))
            choosing.start()
            assert started.wait(10)
            with httpx.Client(timeout=3, cookies=browser.cookies) as other:
                assert other.get(f"{running.base}/static/app.css").status_code == 200
            go_on.set()
            choosing.join(20)
            assert chosen == [303]
    finally:
        go_on.set()
        running.stop()


def test_stopping_the_server_cancels_the_waiting_jobs_and_stops_the_running_one_between_items(tmp_path, register_path):
    running = start_in_thread(config_for(tmp_path, register_path))
    jobs = running.jobs
    items_done: list[int] = []
    went: list[str] = []

    def long_job(progress):
        for item in range(50):
            time.sleep(0.02)
            items_done.append(item)
            progress(item + 1, 50, "Pakketten samenstellen")

    first = jobs.start("Vergaderpakket maken", long_job)
    queued = jobs.start("Berichten versturen", lambda progress: went.append("verstuurd"))
    while not items_done:
        time.sleep(0.01)
    running.stop()  # what Ctrl+C does in serve()
    deadline = time.monotonic() + 10
    while not (first.finished and queued.finished) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    assert went == []  # the queued send never went out after "gestopt"
    assert queued.state == "mislukt" and queued.text == "Berichten versturen is niet (helemaal) gedaan: formkit is gestopt."
    assert first.state == "mislukt" and len(items_done) < 50  # told to stop after its current item
    assert jobs.start("Nog een taak", lambda progress: went.append("later")).state == "mislukt"
    assert went == []
