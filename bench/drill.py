"""Two app servers behind one load balancer, sharing one PostgreSQL and one Redis: the
production recipe in deploy/ (gunicorn.conf.py, nginx.conf, routemap.env.example) run twice
on one machine, and the checks that show nothing in the site is tied to one server.

    make drill        (about a minute; writes its section of bench/SOAK.md)

1. A publish through server A is served by server B within a second (B had the old page in
   its cache; publishes reach every process through PostgreSQL's LISTEN/NOTIFY and the
   shared page-cache version in Redis).
2. A session made by signing in on A is signed in on B (sessions in PostgreSQL).
3. Sign-in lockout counts failures on both (django-axes in PostgreSQL): the failures on A
   lock the next attempt on B.
4. Rate limits count on both (the "ratelimit" cache in Redis): the password-reset emails
   one address may ask for are used up on A, and B refuses the next.
5. Server A is killed (its whole process group, SIGKILL) while readers load pages through
   nginx: every request is answered, and B keeps answering on its own.

It needs PostgreSQL and Redis (DRILL_DATABASE_SERVER, default postgres://postgres@127.0.0.1:5432,
and DRILL_REDIS_URL, default redis://127.0.0.1:6379/3, a Redis database it empties first) and
nginx (installed from Debian, as `make bench` does, when missing). The database is its own and
is dropped afterwards.
"""

import http.cookiejar
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.standalone import ROOT, postgres_database, run_facts, write_section

SOAK = ROOT / "bench" / "SOAK.md"
OUT = ROOT / "bench" / "out"
BEGIN, END = "<!-- drill:begin -->", "<!-- drill:end -->"
ROUTE_MAP = "/route-maps/where-children-live/"
EDIT = "/edit/route-maps/where-children-live/"
USER, PASSWORD = "drill-publisher", "drill-" + secrets.token_urlsafe(12)
# The reader as the load balancer reports them (TRUSTED_PROXY_HOPS=1), when a check talks to
# a server directly.
READER = "203.0.113.7"
# Small limits, so the drill reaches them quickly.
LOCKOUT_LIMIT, EMAIL_LIMIT = 5, 3
LOAD_PAGES = [
    "/",
    ROUTE_MAP,
    "/timeline/",
    "/organisations/cosla/",
    "/api/route-maps/where-children-live/",
]


# ------------------------------------------------------------------------------ servers


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    for _ in range(150):
        if process.poll() is not None:
            raise SystemExit(f"drill: the server for {url} exited (see bench/out/)")
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise SystemExit(f"drill: {url} did not answer within 30 s")


def start(command: list[str], env: dict, log: Path, url: str) -> subprocess.Popen:
    """A server in a process group of its own (so that killing it kills its workers too)."""
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    wait_until_up(url, process)
    return process


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if found:
        return found
    print("Installing nginx from Debian", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Keep the packaged nginx service from starting: only the one configured here runs.
    policy = Path("/usr/sbin/policy-rc.d")
    added = not policy.exists() and os.geteuid() == 0
    if added:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        subprocess.run([*sudo, "apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "nginx"], env=env, check=True)
    finally:
        if added:
            policy.unlink()
    return shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_config(directory: Path, port: int, upstreams: list[str]) -> Path:
    """deploy/nginx.conf as production runs it, with the drill's addresses: its upstream block
    lists both app servers (as a two-server production would), inside the http block that a
    packaged nginx provides."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "\n".join(f"    server {upstream};" for upstream in upstreams)
    site = site.replace("    server 127.0.0.1:8000;", servers, 1)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};", 1)
    site = site.replace("/srv/routemap/staticfiles/", f"{ROOT}/staticfiles/")
    assert all(f"server {u};" in site for u in upstreams), "deploy/nginx.conf has no upstream"
    temporary = directory / "temporary"
    temporary.mkdir(exist_ok=True)
    mime = "/etc/nginx/mime.types"
    config = directory / "nginx.conf"
    config.write_text(
        f"""worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temporary / "body"};
    proxy_temp_path {temporary / "proxy"};
    fastcgi_temp_path {temporary / "fastcgi"};
    uwsgi_temp_path {temporary / "uwsgi"};
    scgi_temp_path {temporary / "scgi"};
    {f"include {mime};" if Path(mime).exists() else ""}
{site}
}}
"""
    )
    return config


# ------------------------------------------------------------------------------ a reader


class Forms(HTMLParser):
    """Every form on a page: its action and the values it would post as it stands."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"] if self.forms else {}
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button"):
                fields[name] = attrs.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and ("selected" in attrs):
            fields[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            fields = self.forms[-1]["fields"]
            fields[self._textarea] += data.lstrip("\n") if not fields[self._textarea] else data


class Reader:
    """A browser of one site: cookies, CSRF, and the forms as the page gives them."""

    def __init__(self, jar=None):
        # Production marks its cookies Secure; the drill talks plain HTTP on loopback.
        self.jar = jar or http.cookiejar.CookieJar(policy=LoopbackCookies())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(self, url: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={
            "X-Forwarded-For": READER, "Referer": url, **(headers or {}),
        })  # fmt: skip
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace"), response
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), error

    def form(self, url: str, *, action: str = "", field: str = "") -> dict:
        """The values of the first form on the page posting to `action` (a part of its
        address) and holding `field`."""
        status, page, _ = self.request(url)
        assert status == 200, f"{url}: HTTP {status}"
        parser = Forms()
        parser.feed(page)
        for form in parser.forms:
            if action in form["action"] and (not field or field in form["fields"]):
                return dict(form["fields"])
        raise AssertionError(f"{url}: no form posting to {action!r} with {field!r}")


class LoopbackCookies(http.cookiejar.DefaultCookiePolicy):
    """Secure cookies go back over plain HTTP too: the drill's servers are on loopback, where
    in production nginx would be speaking HTTPS to the browser."""

    def return_ok_secure(self, cookie, request):
        return True


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(reader: Reader, base: str, username: str, password: str) -> int:
    fields = reader.form(base + "/accounts/login/", field="password")
    fields.update(username=username, password=password)
    return reader.request(base + "/accounts/login/", fields)[0]


# ------------------------------------------------------------------------------ the checks


def check_publish(a: str, b: str) -> dict:
    """Publish on A; how long until B serves the new words."""
    reader = Reader()
    before = urllib.request.urlopen(b + ROUTE_MAP).read()  # B has the old page cached
    assert sign_in(reader, a, USER, PASSWORD) == 302, "the publisher could not sign in on A"
    words = f"Drill {secrets.token_hex(4)}: the summary as published through server A."
    fields = reader.form(a + EDIT, action="/details/")
    fields["summary"] = words
    status, _, _ = reader.request(a + EDIT + "details/", fields)
    assert status in (200, 302), f"saving the summary on A: HTTP {status}"
    fields = reader.form(a + EDIT + "publish/", field="note")
    fields["note"] = "Published by the two-server drill."
    status, _, _ = reader.request(a + EDIT + "publish/", fields)
    published = time.monotonic()
    assert status == 302, f"publishing on A: HTTP {status}"
    seen_after = None
    while time.monotonic() - published < 5:
        if words.encode() in urllib.request.urlopen(b + ROUTE_MAP).read():
            seen_after = time.monotonic() - published
            break
        time.sleep(0.02)
    return {
        "b_served_the_old_page": words.encode() not in before,
        "seconds_until_b_served_it": seen_after,
        "passed": seen_after is not None and seen_after < 1,
        "reader": reader,
    }


def check_session(reader: Reader, b: str) -> dict:
    status, page, _ = reader.request(b + "/edit/")
    signed_in = status == 200 and f"Signed in as <strong>{USER}</strong>" in page
    return {"b_status": status, "passed": signed_in}


def check_lockout(a: str, b: str, limit: int) -> dict:
    """One failure short of the limit on A; the last, on B, locks the account out."""
    reader = Reader()
    statuses = [sign_in(reader, a, "drill-nobody", "wrong password") for _ in range(limit - 1)]
    status = sign_in(Reader(), b, "drill-nobody", "wrong password")
    passed = all(s == 200 for s in statuses) and status == 429
    return {"a_statuses": statuses, "b_status": status, "passed": passed}


def check_rate_limit(a: str, b: str, limit: int) -> dict:
    def ask(base):
        reader = Reader()
        fields = reader.form(base + "/accounts/password_reset/", field="email")
        fields["email"] = f"drill-{secrets.token_hex(3)}@example.org"
        return reader.request(base + "/accounts/password_reset/", fields)[0]

    statuses = [ask(a) for _ in range(limit)]
    status = ask(b)
    passed = all(s == 302 for s in statuses) and status == 429
    return {"a_statuses": statuses, "b_status": status, "passed": passed}


def check_failover(proxy: str, b: str, server_a: subprocess.Popen, seconds: float = 6.0) -> dict:
    """Readers load pages through nginx; A is killed a third of the way through."""
    answers: list[tuple[float, int]] = []
    lock = threading.Lock()
    started = time.monotonic()

    def read(offset: int) -> None:
        i = offset
        while time.monotonic() - started < seconds:
            url = proxy + LOAD_PAGES[i % len(LOAD_PAGES)]
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                status = 0
            with lock:
                answers.append((time.monotonic() - started, status))
            i += 1

    threads = [threading.Thread(target=read, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(seconds / 3)
    killed_at = time.monotonic() - started
    stop(server_a, signal.SIGKILL)
    for thread in threads:
        thread.join()
    after = [status for at, status in answers if at > killed_at]
    b_alone = urllib.request.urlopen(b + ROUTE_MAP).status
    return {
        "requests": len(answers),
        "after_kill": len(after),
        "not_200": sum(1 for _, status in answers if status != 200),
        "killed_at_seconds": round(killed_at, 2),
        "b_alone_status": b_alone,
        "passed": bool(after) and all(s == 200 for _, s in answers) and b_alone == 200,
    }


# ------------------------------------------------------------------------------ the run


def main() -> int:
    OUT.mkdir(exist_ok=True)
    started_at, code, load = run_facts()
    server_url = os.environ.get("DRILL_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
    redis_url = os.environ.get("DRILL_REDIS_URL", "redis://127.0.0.1:6379/3")
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    nginx = nginx_binary()
    lockout_limit, email_limit = LOCKOUT_LIMIT, EMAIL_LIMIT
    with postgres_database(server_url, f"drill_{os.getpid()}") as database_url:
        env = {
            **os.environ,
            # The recipe's environment (deploy/routemap.env.example), for one machine.
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "TRUSTED_PROXY_HOPS": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "AXES_FAILURE_LIMIT": str(lockout_limit),
            "EMAILS_PER_CLIENT_PER_HOUR": str(email_limit),
            "DEMO_USERNAME": USER,
            "DEMO_PASSWORD": PASSWORD,
            "WEB_CONCURRENCY": "2",
        }
        manage = [sys.executable, "manage.py"]
        for command in (
            ["migrate", "--no-input", "-v0"],
            ["createcachetable"],
            ["load_seed"],
            ["create_demo_user"],
            ["collectstatic", "--no-input", "-v0"],
        ):
            subprocess.run(manage + command, env=env, cwd=ROOT, check=True, capture_output=True)
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        servers, ports = [], []
        directory = Path(tempfile.mkdtemp(prefix="drill-nginx."))
        try:
            for name in ("a", "b"):
                port = free_port()
                ports.append(port)
                command = [gunicorn, "-c", "deploy/gunicorn.conf.py", "config.wsgi:application"]
                servers.append(start(
                    command, {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                    OUT / f"drill-{name}.log", f"http://127.0.0.1:{port}/",
                ))  # fmt: skip
            proxy_port = free_port()
            config = nginx_config(directory, proxy_port, [f"127.0.0.1:{p}" for p in ports])
            proxy_process = start(
                [nginx, "-e", str(directory / "error.log"), "-p", str(directory), "-c",
                 str(config), "-g", "daemon off;"],
                env, OUT / "drill-nginx.log", f"http://127.0.0.1:{proxy_port}/",
            )  # fmt: skip
            servers.append(proxy_process)
            a, b = (f"http://127.0.0.1:{p}" for p in ports)
            proxy = f"http://127.0.0.1:{proxy_port}"
            publish = check_publish(a, b)
            results = {
                "publish": publish,
                "session": check_session(publish.pop("reader"), b),
                "lockout": check_lockout(a, b, lockout_limit),
                "rate_limit": check_rate_limit(a, b, email_limit),
                "failover": check_failover(proxy, b, servers[0]),
            }
        finally:
            for process in reversed(servers):
                stop(process)
            shutil.rmtree(directory, ignore_errors=True)
    (OUT / "drill.json").write_text(json.dumps(results, indent=2))
    passed = all(check["passed"] for check in results.values())
    write_section(SOAK, report(results, started_at, code, load, passed), BEGIN, END)
    print(json.dumps(results, indent=2))
    print("Two-server drill:", "PASS" if passed else "FAIL", "(bench/SOAK.md)")
    return 0 if passed else 1


def report(results: dict, started_at: str, code: str, load: str, passed: bool) -> str:
    lockout_limit, email_limit = LOCKOUT_LIMIT, EMAIL_LIMIT

    def mark(check):
        return "yes" if check["passed"] else "**NO**"

    publish, failover = results["publish"], results["failover"]
    seen = publish["seconds_until_b_served_it"]
    lines = [
        BEGIN,
        "## Two servers behind one load balancer",
        "",
        f"Run {started_at} with `make drill` (bench/drill.py) on code {code}, load {load}: two "
        "gunicorn servers (deploy/gunicorn.conf.py, 2 workers each, production settings) "
        "sharing one PostgreSQL database and one Redis, behind nginx configured as "
        "deploy/nginx.conf with both in its upstream block.",
        "",
        "| check | result | passed |",
        "| --- | --- | --- |",
        f"| A publish through server A is served by server B (which had served the old page "
        f"just before: {'yes' if publish['b_served_the_old_page'] else 'no'}) within a second | "
        f"{f'{seen * 1000:.0f} ms' if seen is not None else 'not within 5 s'} | {mark(publish)} |",
        f"| A session made on A is signed in on B | B answered HTTP "
        f"{results['session']['b_status']} to /edit/ | {mark(results['session'])} |",
        f"| Sign-in lockout counts on both servers (locked at {lockout_limit} failures) | "
        f"{len(results['lockout']['a_statuses'])} failures on A, then the next on B answered "
        f"HTTP {results['lockout']['b_status']} | "
        f"{mark(results['lockout'])} |",
        f"| Rate limits count on both servers ({email_limit} emails an hour from one address) "
        f"| {len(results['rate_limit']['a_statuses'])} password-reset emails asked for on A, "
        f"then B answered HTTP "
        f"{results['rate_limit']['b_status']} | {mark(results['rate_limit'])} |",
        f"| Server A killed (SIGKILL) at {failover['killed_at_seconds']} s while 8 readers "
        f"loaded pages through nginx | {failover['requests']} requests, "
        f"{failover['after_kill']} after the kill, {failover['not_200']} not answered 200; B "
        f"alone answered HTTP {failover['b_alone_status']} | {mark(failover)} |",
        "",
        f"Result: **{'PASS' if passed else 'FAIL'}**",
        END,
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
