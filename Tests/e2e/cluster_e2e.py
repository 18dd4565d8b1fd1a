#!/usr/bin/env python3
"""Two IOC instances behind nginx on one PostgreSQL, tested live in real headless Chromium.

Usage (from the repository root, with the server binary built and a PostgreSQL to use):

    python3 Tests/e2e/cluster_e2e.py --binary .build/debug/ioc --database-url URL [--artifacts test-artifacts/e2e]

It creates a PostgreSQL schema of its own in that database (dropped again at the end), runs `ioc migrate` and
`ioc demo` into it, starts two `ioc serve` instances (A and B) on it and an nginx of its own in front of them:
the API round-robin over both, the live WebSocket on A with B as backup. A leader's wall in Chromium then has to
show reports filed on either instance (the LISTEN/NOTIFY bridge), survive A being killed (it reconnects through
nginx to B and shows the report filed while it was disconnected) and go on when A comes back.
Every check prints `PASS name` or `FAIL name: reason`; the last line is `N passed, M failed`, exit code 1 on
failure. Processes, the schema and the temporary directory are always cleaned up, also on failure or time-out.
Needs: nginx, python3-selenium, Debian's chromium and chromium-driver, psql (to drop the schema).
"""

import argparse
import ctypes
import glob
import http.client
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

# Selenium must not try to download anything (Selenium Manager): the driver path is given below.
os.environ.setdefault("SE_OFFLINE", "true")

from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

import browser  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PHOTO = os.path.join(ROOT, "Resources", "demo-photos", "demo-3.jpg")
TOTAL_BUDGET_S = 180  # the whole run, hard limit (SIGALRM)
CLI_TIMEOUT_S = 60
FEED_WITHIN_S = 2.0  # a report filed on either instance must be on the wall within this
LEADER = ("lanhdao", "IOC-lanhdao-2026")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


class OutOfTime(BaseException):
    """Raised by the alarm (or SIGTERM) when the run must stop; never swallowed by a check."""


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.on_fail = None  # callback(name), e.g. a screenshot

    def ok(self, name, note=""):
        self.passed += 1
        print(f"PASS {name}" + (f" ({note})" if note else ""), flush=True)

    def fail(self, name, reason):
        self.failed += 1
        reason = " ".join(str(reason).split())[:600] or "failed"
        print(f"FAIL {name}: {reason}", flush=True)
        if self.on_fail:
            try:
                self.on_fail(name)
            except Exception:  # a debugging aid only
                pass

    def check(self, name, fn, *args):
        """Runs fn; its return value (a string) is shown as a note. Exceptions become FAIL; returns success."""
        try:
            note = fn(*args)
        except OutOfTime:
            raise
        except TimeoutException as error:
            self.fail(name, f"timed out waiting ({error.msg or 'condition not met'})")
        except Exception as error:  # noqa: BLE001 - every failure is reported, not raised
            self.fail(name, f"{type(error).__name__}: {error}")
        else:
            self.ok(name, note or "")
            return True
        return False


# ---------------------------------------------------------------------------------------------
# HTTP (standard library, never through a proxy, 127.0.0.1 only)

_direct = urllib.request.ProxyHandler({})


def http_call(method, url, headers=None, data=None, opener=None, timeout=10):
    """Returns (status, headers, body bytes); never raises for HTTP error statuses."""
    expect(url.startswith("http://127.0.0.1:"), f"refusing non-local URL {url}")
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    try:
        with (opener or urllib.request.build_opener(_direct)).open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class Api:
    """A signed-in API client (cookie + CSRF) that can talk to any instance (sessions live in the database)."""

    def __init__(self, base, username, password):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(_direct, urllib.request.HTTPCookieProcessor(self.jar))
        status, body = self.call("POST", "/api/v1/session", {"username": username, "password": password}, csrf=False)
        expect(status == 200, f"login {username}: HTTP {status} {body}")
        self.csrf = body["csrfToken"]

    def call(self, method, path, body=None, csrf=True, base=None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        status, _, text = http_call(method, (base or self.base) + path, headers, data, opener=self.opener)
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text.decode("utf-8", "replace")


def file_report(base):
    """A citizen's report through the public API of `base` (multipart, one photo); returns its code."""
    boundary = "----cluster" + uuid.uuid4().hex
    parts = []
    for name, value in (("category", "rac-thai"), ("description", "Rác tồn đọng trước chợ (kiểm thử hai máy chủ)."),
                        ("lat", "12.6681"), ("lon", "108.0391")):
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
    with open(PHOTO, "rb") as f:
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"a.jpg\"\r\n"
                     "Content-Type: image/jpeg\r\n\r\n".encode() + f.read() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    status, _, body = http_call("POST", base + "/api/v1/field-reports", {
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Idempotency-Key": str(uuid.uuid4())},
        b"".join(parts))
    expect(status == 201, f"intake on {base}: HTTP {status} {body[:200]!r}")
    return json.loads(body)["code"]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def die_with_parent():
    """preexec_fn: the child gets SIGKILL if this script dies without cleaning up (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except OSError:
        pass


def psql_binary():
    found = shutil.which("psql")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"), key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
    return candidates[-1] if candidates else None


# ---------------------------------------------------------------------------------------------
# The test


NGINX_CONF = """\
# Generated by Tests/e2e/cluster_e2e.py: the essentials of deploy/nginx-ioc.conf, for two instances on 127.0.0.1.
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{ worker_connections 256; }}

http {{
    log_format upstream '$remote_addr [$time_local] "$request" $status up="$upstream_addr" upstatus="$upstream_status" t=$request_time';
    access_log {dir}/access.log upstream;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    # The API: round-robin over both instances (a dead one is skipped and retried after 2 s).
    upstream ioc_api {{
        server 127.0.0.1:{a} max_fails=1 fail_timeout=2s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=2s;
        keepalive 16;
    }}
    # The live WebSocket: on A while A lives, then on B.
    upstream ioc_live {{
        server 127.0.0.1:{a} max_fails=1 fail_timeout=2s;
        server 127.0.0.1:{b} backup;
    }}

    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 12m;
        proxy_http_version 1.1;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_connect_timeout 2s;
        add_header X-Upstream $upstream_addr always;

        location / {{
            proxy_pass http://ioc_api;
            # Any proxy_set_header in a location drops all the server's: without these lines the client's own
            # X-Forwarded-For went through untouched and named its address (the S1 check caught it).
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Connection "";
        }}

        location /api/v1/live {{
            proxy_pass http://ioc_live;
            # A location's proxy_set_header replaces the server's: the Host (checked against the page's Origin) again.
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 3600s;
        }}
    }}
}}
"""


class Cluster:
    def __init__(self, args):
        self.binary = os.path.abspath(args.binary)
        self.database_url = args.database_url
        self.artifacts = os.path.abspath(args.artifacts)
        self.r = Results()
        self.tmp = tempfile.mkdtemp(prefix="ioc-cluster-")
        self.data = os.path.join(self.tmp, "data")  # shared by both instances (photos), as a shared volume would be
        self.nginx_dir = os.path.join(self.tmp, "nginx")
        self.schema = "e2e_cluster_" + secrets.token_hex(4)
        self.schema_made = False
        self.ports = {"a": free_port(), "b": free_port()}
        self.front_port = free_port()
        self.servers = {}  # name → Popen
        self.logs = {}  # name → open file
        self.nginx = None
        self.nginx_held = False  # SIGSTOPped for a moment in check 4
        self.driver = None
        self.console = []  # (context, entry)
        self.context = "start"
        self.state = {}

    def base(self, name):
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def front(self):
        return f"http://127.0.0.1:{self.front_port}"

    # ---- processes ----

    @property
    def audit_key(self):
        if not getattr(self, "_audit_key", None):
            self._audit_key = os.urandom(32).hex()
        return self._audit_key

    def env(self):
        env = dict(os.environ)
        for name in ("IOC_TILE_URL", "IOC_LIVE_BRIDGE", "IOC_AUTO_MIGRATE", "IOC_BACKGROUND", "IOC_TRUST_PROXY", "IOC_TRUSTED_PROXIES"):
            env.pop(name, None)  # defaults: the bridge is on with PostgreSQL
        env.update({
            "DATABASE_URL": self.database_url, "IOC_PG_SCHEMA": self.schema, "IOC_DATA_DIR": self.data,
            "IOC_PUBLIC_DIR": os.environ.get("IOC_PUBLIC_DIR") or os.path.join(ROOT, "Public"),
            "IOC_RESOURCES_DIR": os.environ.get("IOC_RESOURCES_DIR") or os.path.join(ROOT, "Resources"),
            # nginx (127.0.0.1) is the trusted proxy; the security checks' client comes from 127.0.0.2, as a citizen
            # comes from elsewhere (trusting all of 127/8 would make that client a proxy too).
            "IOC_SIMULATOR": "off", "IOC_INTAKE_LIMIT": "0", "IOC_TRUSTED_PROXIES": "127.0.0.1/32",
            # Every instance of one database signs the audit chain with the same key (as a province deploys it).
            "IOC_AUDIT_KEY": self.audit_key,
        })
        return env

    def cli(self, *args):
        proc = subprocess.run([self.binary, *args], env=self.env(), cwd=self.data, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=CLI_TIMEOUT_S)
        out = proc.stdout.decode("utf-8", "replace")
        err = proc.stderr.decode("utf-8", "replace")
        expect(proc.returncode == 0, f"ioc {' '.join(args)}: exit {proc.returncode}: {(out + err).strip()[-400:]}")
        return out

    def start_server(self, name):
        if name not in self.logs:
            self.logs[name] = open(os.path.join(self.artifacts, f"cluster-server-{name}.log"), "ab")
        self.logs[name].write(f"==== start of instance {name.upper()} (port {self.ports[name]})\n".encode())
        self.logs[name].flush()
        self.servers[name] = subprocess.Popen(
            [self.binary, "serve", "--hostname", "127.0.0.1", "--port", str(self.ports[name])],
            env=self.env(), cwd=self.data, stdin=subprocess.DEVNULL, stdout=self.logs[name], stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=die_with_parent)

    def wait_ready(self, name, timeout=30):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            proc = self.servers[name]
            if proc.poll() is not None:
                raise AssertionError(f"instance {name.upper()} exited with {proc.returncode}; see cluster-server-{name}.log")
            try:
                status, _, body = http_call("GET", self.base(name) + "/readyz", timeout=2)
                if status == 200:
                    return
                last = f"HTTP {status} {body[:100]!r}"
            except OSError as error:
                last = str(error)
            time.sleep(0.1)
        raise AssertionError(f"instance {name.upper()}: /readyz not 200 within {timeout} s: {last}")

    def stop_process(self, proc, sig=signal.SIGTERM):
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)

    def start_nginx(self):
        os.makedirs(self.nginx_dir)
        # nginx runs its worker as an unprivileged user when started as root: it must reach its temp directories.
        os.chmod(self.tmp, 0o711)
        os.chmod(self.nginx_dir, 0o711)
        conf = os.path.join(self.nginx_dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(dir=self.nginx_dir, a=self.ports["a"], b=self.ports["b"], port=self.front_port))
        expect(os.access(NGINX, os.X_OK), f"no nginx at {NGINX} (scripts/bootstrap.sh test installs it)")
        test = subprocess.run([NGINX, "-t", "-q", "-p", self.nginx_dir, "-c", conf, "-e", os.path.join(self.nginx_dir, "error.log")],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
        expect(test.returncode == 0, f"nginx -t: {test.stdout.decode('utf-8', 'replace').strip()[-400:]}")
        self.nginx = subprocess.Popen(
            [NGINX, "-p", self.nginx_dir, "-c", conf, "-e", os.path.join(self.nginx_dir, "error.log"), "-g", "daemon off;"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=die_with_parent)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            expect(self.nginx.poll() is None, f"nginx exited with {self.nginx.returncode}: {self.nginx_error_tail()}")
            try:
                status, _, _ = http_call("GET", self.front + "/healthz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"nginx does not answer on port {self.front_port}: {self.nginx_error_tail()}")

    def nginx_error_tail(self):
        try:
            with open(os.path.join(self.nginx_dir, "error.log"), encoding="utf-8", errors="replace") as f:
                return " | ".join(f.read().strip().splitlines()[-3:])
        except OSError:
            return "(no error.log)"

    def live_log_lines(self):
        """nginx's access-log lines of /api/v1/live (written when each WebSocket closes)."""
        try:
            with open(os.path.join(self.nginx_dir, "access.log"), encoding="utf-8", errors="replace") as f:
                # The browser's connections (from 127.0.0.1); the security checks' probes come from 127.0.0.2.
                return [line.strip() for line in f if "/api/v1/live" in line and not line.startswith("127.0.0.2 ")]
        except OSError:
            return []

    def drop_schema(self):
        if not self.schema_made:
            return
        psql = psql_binary()
        if not psql:
            print(f"  note: no psql; schema {self.schema} left in the database", flush=True)
            return
        subprocess.run([psql, "-q", "-X", "-v", "ON_ERROR_STOP=1", self.database_url,
                        "-c", f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)

    def prepare_artifacts(self):
        os.makedirs(self.artifacts, exist_ok=True)
        for name in os.listdir(self.artifacts):  # only what earlier runs of this script wrote
            if name.startswith("cluster-") or name.startswith("fail-cluster-"):
                os.remove(os.path.join(self.artifacts, name))

    def cleanup(self):
        if self.driver is not None:
            try:
                self.collect_console()
                self.write_console_log()
            except Exception:
                pass
            try:
                self.driver.quit()
            except Exception:
                pass
            self.driver = None
        for name in list(self.servers):
            self.stop_process(self.servers.pop(name))
        if self.nginx is not None and self.nginx_held:
            try:
                os.killpg(self.nginx.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        self.stop_process(self.nginx, signal.SIGQUIT)  # graceful: the access log gets the last lines
        self.nginx = None
        for log in self.logs.values():
            log.close()
        self.logs = {}
        for source, target in (("access.log", "cluster-nginx-access.log"), ("error.log", "cluster-nginx-error.log")):
            try:
                shutil.copyfile(os.path.join(self.nginx_dir, source), os.path.join(self.artifacts, target))
            except OSError:
                pass
        try:
            self.drop_schema()
        except Exception as error:  # noqa: BLE001
            print(f"  note: could not drop schema {self.schema}: {error}", flush=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- browser ----

    def start_browser(self):
        self.driver = browser.chromium(1920, 1080, timeout=15)
        self.r.on_fail = self.failure_screenshot

    def failure_screenshot(self, name):
        if self.driver is not None:
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
            self.driver.save_screenshot(os.path.join(self.artifacts, f"fail-cluster-{slug}.png"))

    def wait(self, condition, message, timeout=15):
        return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(condition, message)

    def present(self, selector):
        return lambda d: d.find_elements(By.CSS_SELECTOR, selector)

    def shot(self, name):
        path = os.path.join(self.artifacts, name)
        expect(self.driver.save_screenshot(path), f"could not save {name}")
        return name

    def collect_console(self):
        for entry in self.driver.get_log("browser"):
            self.console.append((self.context, entry))

    def write_console_log(self):
        with open(os.path.join(self.artifacts, "cluster-console.log"), "w", encoding="utf-8") as f:
            for context, entry in self.console:
                f.write(f"[{context}] {entry.get('level')} {entry.get('message')}\n")

    def in_feed(self, code):
        return self.present(f"#wall-feed li[data-code='{code}']")

    def feed_counts(self, codes):
        """How many feed rows each code has (a replayed event must not show twice)."""
        return self.driver.execute_script(
            "return arguments[0].map(c => document.querySelectorAll(`#wall-feed li[data-code='${c}']`).length)", codes)

    def live_status(self):
        return self.driver.execute_script("const e = document.getElementById('wall-live'); return e ? e.dataset.status : null")

    # ---- checks ----

    def setup(self):
        expect(os.access(self.binary, os.X_OK), f"no executable at {self.binary}")
        expect(self.database_url, "no --database-url (scripts/pg.sh start DIR gives one)")
        os.makedirs(self.data)
        self.schema_made = True  # from here on the schema may exist
        self.cli("migrate", "--yes")
        out = self.cli("demo", "--dossiers", "0", "--reports", "50")
        expect(re.search(rf"\b{re.escape(LEADER[0])}\b", out), "demo did not list the leader's login")
        for name in ("a", "b"):
            self.start_server(name)
        for name in ("a", "b"):
            self.wait_ready(name)
        self.start_nginx()
        return f"schema {self.schema}; A :{self.ports['a']}, B :{self.ports['b']}, nginx :{self.front_port}"

    # ---- attacks through nginx (issue 11): each must be refused ----

    def raw_front(self, method, path, headers=None, body=None, source="127.0.0.2"):
        """One request to nginx from `source` (a loopback address that is not the trusted proxy)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.front_port, timeout=10, source_address=(source, 0))
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def proxy_spoofing_is_ignored(self):
        """A client that writes its own X-Forwarded-For cannot choose the address that keys the sign-in limit or the
        audit origin: a spray of user names under ever-changing spoofed addresses is still one client."""
        def attempt(user, spoof):
            status, _, _ = self.raw_front("POST", "/api/v1/session", {"Content-Type": "application/json", "X-Forwarded-For": spoof},
                                          json.dumps({"username": user, "password": "wrong-password-x"}))
            return status
        for i in range(50):
            status = attempt(f"spray{i}", f"203.0.113.{i}")
            expect(status == 401, f"sprayed sign-in {i}: HTTP {status}")
        last = attempt("spray-last", "198.51.100.77")
        admin = Api(self.front, "admin", "IOC-admin-2026")  # from 127.0.0.1: another client, not locked
        status, body = admin.call("GET", "/api/v1/audit?limit=20&targetType=user")
        origins = {e.get("ip") for e in (body or {}).get("items", []) if e.get("action") == "session.login_failed"}
        expect(last == 429, f"the 51st sprayed sign-in, under yet another spoofed address, must be refused: HTTP {last} (audit origins {origins})")
        expect(origins == {"127.0.0.2"}, f"audit origins of the sprayed sign-ins: {origins}")
        return "50 × 401, then 429 whatever X-Forwarded-For says; audit origin 127.0.0.2"

    def display_key_is_read_only(self):
        admin = Api(self.front, "admin", "IOC-admin-2026")
        status, body = admin.call("POST", "/api/v1/walls/phong-dieu-hanh/display-key")
        expect(status == 201, f"display key: HTTP {status} {body}")
        key = body["key"]
        event = json.dumps({"events": [{"externalId": "kiosk-1", "kind": "camera.offline", "severity": "critical",
                                        "title": "Giả mạo", "titleEn": "Forged"}]})
        status, _, text = self.raw_front("POST", "/api/v1/events", {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}, event)
        expect(status == 403, f"a display key posting a critical event: HTTP {status} {text[:200]!r}")
        status, headers, _ = self.raw_front("POST", "/api/v1/display/session", {"Authorization": f"Bearer {key}"})
        cookie = next((v for k, v in headers if k.lower() == "set-cookie" and v.startswith("ioc_display=")), "")
        expect(status == 200 and "HttpOnly" in cookie, f"the kiosk's exchange: HTTP {status}, {cookie[:60]!r}")
        status, _, _ = self.raw_front("GET", f"/api/v1/live?key={key}", {
            "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
        expect(status == 401, f"a key in the live connection's address must not open it: HTTP {status}")
        status, _, _ = self.raw_front("GET", "/api/v1/live", {
            "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Cookie": cookie.split(";")[0]})
        expect(status == 101, f"the display cookie opens the live connection: HTTP {status}")
        return "event 403; cookie exchange; ?key= on the WebSocket 401, the cookie 101"

    def session_fixation_fails(self):
        planted = "ioc_session=" + secrets.token_hex(32)
        status, _, _ = self.raw_front("GET", "/api/v1/session", {"Cookie": planted}, source="127.0.0.1")
        expect(status == 401, f"a planted cookie before sign-in: HTTP {status}")
        status, headers, _ = self.raw_front("POST", "/api/v1/session", {"Cookie": planted, "Content-Type": "application/json"},
                                            json.dumps({"username": LEADER[0], "password": LEADER[1]}), source="127.0.0.1")
        issued = next((v.split(";")[0] for k, v in headers if k.lower() == "set-cookie" and v.startswith("ioc_session=")), "")
        expect(status == 200 and issued and issued != planted, f"sign-in with a planted cookie: HTTP {status}, cookie {issued[:24]!r}")
        status, _, _ = self.raw_front("GET", "/api/v1/session", {"Cookie": planted}, source="127.0.0.1")
        expect(status == 401, f"the planted cookie after the victim signed in: HTTP {status}")
        status, _, _ = self.raw_front("GET", "/api/v1/session", {"Cookie": issued}, source="127.0.0.1")
        expect(status == 200, f"the issued cookie: HTTP {status}")
        return "planted 401 before and after; a new session id at sign-in"

    def both_answer(self):
        seen = []
        for _ in range(8):
            status, headers, body = http_call("GET", self.front + "/healthz")
            expect(status == 200, f"/healthz through nginx: HTTP {status} {body[:100]!r}")
            seen.append(headers.get("X-Upstream", ""))
        ports = {p for p in (re.findall(r":(\d+)", " ".join(seen))) if p}
        want = {str(self.ports["a"]), str(self.ports["b"])}
        expect(want <= ports, f"X-Upstream over 8 calls: {seen}; want both {sorted(want)}")
        # Sessions live in the database: signed in on A, the same cookie is valid on B (and through nginx).
        api = Api(self.base("a"), *LEADER)
        for base in (self.base("b"), self.front):
            status, body = api.call("GET", "/api/v1/session", base=base)
            expect(status == 200, f"session made on A, GET /api/v1/session on {base}: HTTP {status} {body}")
        counts = {p: sum(1 for s in seen if s.endswith(":" + p)) for p in sorted(want)}
        return f"X-Upstream {counts}; a session made on A is valid on B"

    def b_restarts(self):
        """A report, then B restarts: B's live hub numbers its events from 1 again while A's goes on, as in any
        cluster whose instances were not started at the same moment (a rolling deploy, a crash). Without this, both
        hubs would have numbered the same events alike, and a resume by one instance's numbers on the other would
        work by coincidence. The report goes through nginx: its photo is larger than nginx keeps in memory, so the
        worker writes it to its temp directory."""
        code = file_report(self.front)
        self.state.setdefault("codes", []).append(code)
        self.stop_process(self.servers["b"])
        self.start_server("b")
        self.wait_ready("b")
        return f"{code} filed through nginx, then B restarted"

    def wall_renders(self):
        self.context = "login"
        d = self.driver
        d.get(self.front + "/login.html")
        self.wait(lambda d: (d.find_element(By.ID, "login-subtitle").get_attribute("textContent") or "").strip(),
                  "login page script did not start")
        for selector, value in (("#login-username", LEADER[0]), ("#login-password", LEADER[1])):
            field = d.find_element(By.CSS_SELECTOR, selector)
            field.clear()
            field.send_keys(value)
        d.find_element(By.CSS_SELECTOR, "#login-submit").click()
        self.wait(lambda d: "/login.html" not in d.current_url, "the leader did not get past the login page")
        self.collect_console()
        self.context = "wall"
        # The page's viewport exactly 1920×1080 (a window of that size leaves less to the page).
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False})
        d.get(self.front + "/wall")
        self.wait(self.present("body[data-ready='1']"), "wall did not finish its first render", timeout=20)
        tiles = [t.get_attribute("data-tile") for t in d.find_elements(By.CSS_SELECTOR, ".wall-tile[data-tile]")]
        expect("fieldreports" in tiles, f"tiles {tiles}")
        self.wait(self.present("#wall-map[data-ready='1']"), "wall map not drawn")
        self.wait(self.present("#wall-live[data-status='live']"), "wall not live")
        size = d.execute_script("return [window.innerWidth, window.innerHeight]")
        expect(size == [1920, 1080], f"viewport {size}")
        fits = d.execute_script("return document.documentElement.scrollHeight <= window.innerHeight + 1"
                                " && document.documentElement.scrollWidth <= window.innerWidth + 1")
        expect(fits, "the overview does not fit 1920×1080 without scrolling")
        entries = d.get_log("browser")
        self.console.extend((self.context, e) for e in entries)
        severe = [e["message"][:200] for e in entries if e["level"] == "SEVERE"]
        expect(not severe, f"console errors: {severe}")
        self.shot("cluster-1-overview.png")
        d.execute_script("window.__clusterMarker = 42")  # gone if the page ever reloads
        return f"tiles {tiles}; live"

    def report_on(self, name, label):
        code = file_report(self.base(name))
        filed = time.monotonic()
        self.wait(self.in_feed(code), f"{code} (filed on {name.upper()}) not in the feed within 10 s", timeout=10)
        elapsed = time.monotonic() - filed
        self.state.setdefault("codes", []).append(code)
        expect(elapsed <= FEED_WITHIN_S, f"{code} filed on {name.upper()} took {elapsed:.2f} s to reach the wall ({label})")
        return f"{code} on the wall after {elapsed * 1000:.0f} ms"

    def feed_via_bridge(self):
        note = self.report_on("b", "the bridge")
        self.shot("cluster-2-feed.png")
        return note + " (page's WebSocket on A)"

    def kill_a(self):
        d = self.driver
        self.context = "failover"
        # Record every change of the live indicator with its time, so that the order of events can be proven.
        d.execute_script("""
            const el = document.getElementById('wall-live');
            window.__liveLog = [[Date.now(), el.dataset.status]];
            new MutationObserver(() => window.__liveLog.push([Date.now(), el.dataset.status]))
              .observe(el, {attributes: true, attributeFilter: ['data-status']});
        """)
        # nginx is held (SIGSTOP) for the moment of the crash and the report on B: the page then cannot reconnect
        # before the report is in, however fast it retries, so the report is certainly one it missed.
        proc = self.servers["a"]
        os.killpg(self.nginx.pid, signal.SIGSTOP)
        self.nginx_held = True
        try:
            killed = time.time() * 1000
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            code = file_report(self.base("b"))
            filed = time.time() * 1000
        finally:
            os.killpg(self.nginx.pid, signal.SIGCONT)
            self.nginx_held = False
        released = time.time() * 1000
        self.state.update(killed=killed, gap_code=code, filed=filed, released=released)
        self.wait(lambda d: d.execute_script("return window.__liveLog.some(([, s]) => s !== 'live')"),
                  "the page never left the 'live' state after A was killed", timeout=15)
        shown = self.live_status()
        if shown != "live":
            self.shot("cluster-3-offline.png")
        log = d.execute_script("return window.__liveLog")
        off, status = next((t, s) for t, s in log if s != "live")
        return (f"'{status}' {off - released:.0f} ms after nginx went on (A killed, {code} filed on B "
                f"{filed - killed:.0f} ms after the kill, nginx held {released - killed:.0f} ms)"
                + ("; cluster-3-offline.png" if shown != "live" else "; already live again at the screenshot"))

    def reconnects_to_b(self):
        d = self.driver
        self.wait(lambda d: d.execute_script(
            "const l = window.__liveLog; const i = l.findIndex(([, s]) => s !== 'live');"
            " return i >= 0 && l.slice(i).some(([, s]) => s === 'live')"),
            "the page did not come back live through nginx", timeout=30)
        log = d.execute_script("return window.__liveLog")
        first_off = next(i for i, (_, s) in enumerate(log) if s != "live")
        back = next(t for t, s in log[first_off:] if s == "live")
        self.state["back"] = back
        expect(d.execute_script("return window.__clusterMarker") == 42, "the page reloaded instead of reconnecting")
        expect(self.servers["a"].poll() is not None, "instance A is still running")
        # nginx logs a WebSocket when it closes: the page's first one (closed by the kill) was on A.
        lines = self.live_log_lines()
        expect(lines, "nginx logged no closed /api/v1/live connection")
        on_a = 'up="127.0.0.1:%d"' % self.ports["a"]
        expect(on_a in lines[0] and '" 101 ' in lines[0],
               f"the page's first WebSocket was not on A: {lines[0]}")
        steps = " → ".join(f"{s}@{t - self.state['killed']:+.0f}ms" for t, s in log)
        return f"live again {back - self.state['killed']:.0f} ms after the kill, without reload ({steps})"

    def no_lost_events(self):
        code = self.state["gap_code"]
        back = self.state["back"]
        expect(self.state["filed"] < back, f"{code} was accepted by B after the page was live again")  # by construction
        try:
            self.wait(self.in_feed(code), "", timeout=10)
        except TimeoutException:
            feed = self.driver.execute_script(
                "return [...document.querySelectorAll('#wall-feed li[data-code]')].slice(0, 8).map(li => li.dataset.code)")
            raise AssertionError(
                f"{code}, filed on B {self.state['filed'] - self.state['killed']:.0f} ms after the kill and "
                f"{back - self.state['filed']:.0f} ms before the page was live again (on B), is not in the feed 10 s after "
                f"the reconnect; feed shows {feed}") from None
        shown = (time.time() * 1000) - back
        self.state.setdefault("codes", []).append(code)
        self.shot("cluster-4-reconnected.png")
        return (f"{code} filed on B {self.state['filed'] - self.state['killed']:.0f} ms after the kill, "
                f"{back - self.state['filed']:.0f} ms before the page was live again; in the feed ≤ {max(shown, 0):.0f} ms after")

    def restart_a(self):
        d = self.driver
        self.context = "restart-a"
        started = time.monotonic()
        self.start_server("a")
        self.wait_ready("a")
        ready = time.monotonic() - started
        before = len(d.execute_script("return window.__liveLog"))
        note = self.report_on("a", "the bridge, after the restart")
        after = d.execute_script("return window.__liveLog")
        expect(len(after) == before and after[-1][1] == "live",
               f"the page's connection changed while A came back: {after[before - 1:]}")
        self.shot("cluster-5-after-restart.png")
        return f"A ready in {ready:.1f} s; {note} (page still on B)"

    def each_once(self):
        codes = self.state.get("codes", [])
        expect(codes, "no reports filed")
        counts = dict(zip(codes, self.feed_counts(codes)))
        twice = {c: n for c, n in counts.items() if n > 1}
        expect(not twice, f"shown more than once: {twice} (a replayed event not recognised as one already shown); "
               f"all: {counts}")
        return f"{len(codes)} reports, one row each"

    def both_answer_again(self):
        deadline = time.monotonic() + 15
        seen = set()
        while time.monotonic() < deadline:
            status, headers, _ = http_call("GET", self.front + "/healthz")
            expect(status == 200, f"/healthz through nginx: HTTP {status}")
            seen.update(re.findall(r":(\d+)", headers.get("X-Upstream", "")))
            if str(self.ports["a"]) in seen and str(self.ports["b"]) in seen:
                return f"X-Upstream shows both ports again ({sorted(seen)})"
            time.sleep(0.2)
        raise AssertionError(f"after A's restart nginx only used {sorted(seen)}")

    def console_clean(self):
        self.collect_console()
        self.write_console_log()
        lines, unexpected = [], []
        for context, entry in self.console:
            if entry.get("level") != "SEVERE":
                continue
            message = entry.get("message", "")
            lines.append(f"[{context}] {message}")
            unexpected.append(f"[{context}] {message[:200]}")
        for line in lines:
            print(f"  console {line}", flush=True)
        expect(not unexpected, f"{len(unexpected)} console error(s): " + " | ".join(unexpected[:3]))
        return f"{len(self.console)} entries, none SEVERE (failover included)"

    def nginx_saw_failover(self):
        self.driver.quit()  # closes the page's WebSocket: nginx logs it
        self.driver = None
        self.r.on_fail = None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(self.live_log_lines()) < 2:
            time.sleep(0.1)
        lines = self.live_log_lines()
        expect(len(lines) >= 2, f"nginx logged {len(lines)} /api/v1/live connection(s): {lines}")
        ups = [re.search(r'up="([^"]*)"', line).group(1) for line in lines]
        expect(ups[0] == f"127.0.0.1:{self.ports['a']}", f"first WebSocket upstream {ups[0]!r}, want A")
        expect(ups[-1].split(",")[-1].strip() == f"127.0.0.1:{self.ports['b']}", f"last WebSocket upstream {ups[-1]!r}, want B")
        return "WebSocket upstreams: " + " ; ".join(ups)

    def run(self):
        r = self.r
        self.prepare_artifacts()
        if not r.check("cluster: migrate + demo into a fresh schema, two instances and nginx start", self.setup):
            return
        r.check("1. through nginx both instances answer", self.both_answer)
        r.check("S1. attack: a client's own X-Forwarded-For picks neither its sign-in limit nor its audit origin", self.proxy_spoofing_is_ignored)
        r.check("S2. attack: a wall display key cannot write, and opens the live connection only by its cookie", self.display_key_is_read_only)
        r.check("S3. attack: a session id planted before sign-in is never the signed-in one", self.session_fixation_fails)
        if not r.check("1b. a report through nginx, then instance B restarts (the instances' live numbering now differs)",
                       self.b_restarts):
            return
        if not r.check("browser starts", self.start_browser):
            return
        if not r.check("2. leader signs in through nginx; the wall renders at 1920×1080 without console errors",
                       self.wall_renders):
            return
        r.check("3a. a report filed on instance B appears on the wall (WebSocket on A) within 2 s — the bridge",
                self.feed_via_bridge)
        r.check("3b. a report filed on instance A appears on the wall within 2 s", lambda: self.report_on("a", "local"))
        if not r.check("4a. kill -9 instance A: the wall shows it is offline", self.kill_a):
            return
        reconnected = r.check("4b. the wall reconnects through nginx to B by itself", self.reconnects_to_b)
        if reconnected:
            r.check("4c. the report filed on B while the wall was disconnected appears after the reconnect (no lost events)",
                    self.no_lost_events)
            r.check("4d. instance A restarts; a report filed on A reaches the wall (on B) through the bridge", self.restart_a)
            r.check("4e. through nginx both instances answer again", self.both_answer_again)
        r.check("4f. every report filed in this run shows exactly once in the feed", self.each_once)
        r.check("browser console has no errors", self.console_clean)
        if reconnected:
            r.check("nginx log: the WebSocket was on A, then on B", self.nginx_saw_failover)


def main():
    parser = argparse.ArgumentParser(description="IOC two-instance live test behind nginx (headless Chromium).")
    parser.add_argument("--binary", default=".build/debug/ioc", help="the ioc executable")
    parser.add_argument("--database-url", default=os.environ.get("IOC_TEST_DATABASE_URL"),
                        help="PostgreSQL URL (a schema of its own is created and dropped); default $IOC_TEST_DATABASE_URL")
    parser.add_argument("--artifacts", default="test-artifacts/e2e", help="where screenshots and logs go")
    args = parser.parse_args()

    def stop(signum, frame):
        raise OutOfTime()

    signal.signal(signal.SIGALRM, stop)
    signal.signal(signal.SIGTERM, stop)
    signal.alarm(TOTAL_BUDGET_S)
    started = time.monotonic()
    test = Cluster(args)
    try:
        test.run()
    except OutOfTime:
        test.r.fail("time budget", f"the run took more than {TOTAL_BUDGET_S} s (or was stopped)")
    except Exception as error:  # noqa: BLE001
        test.r.fail("cluster run", f"{type(error).__name__}: {error}")
    finally:
        signal.alarm(0)
        test.r.on_fail = None
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # let the cleanup finish
        test.cleanup()
    print(f"  artifacts in {test.artifacts} (cluster-*); {time.monotonic() - started:.1f} s", flush=True)
    print(f"{test.r.passed} passed, {test.r.failed} failed", flush=True)
    return 1 if test.r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
