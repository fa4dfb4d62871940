"""Shared plumbing for Candour's black-box CI checks (durability.py, two_instances.py).

Standard library only. Everything here talks to 127.0.0.1 (plus the PostgreSQL host named by
CANDOUR_TEST_POSTGRES_URL, which defaults to 127.0.0.1) and never to anything else.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "docs" / "examples" / "clinical_safety.json"
ADMIN_USER = "admin"
REFERENCE_RE = re.compile(r"^[A-Z]{2,3}-\d{4}-\d{6,}$")
AUDIT_RE = re.compile(r"audit chain intact: (\d+) entries")


class CheckFailed(Exception):
    """A check did not hold (or the harness could not do its job). The message says which."""


# --------------------------------------------------------------------------------------------------
# Running a check script: a hard time budget, cleanup on every exit path, one PASS/FAIL line.
# --------------------------------------------------------------------------------------------------

_cleanups: list = []
_cleanup_lock = threading.Lock()
_outcome = {"failed": False}


def on_exit(fn) -> None:
    """Run `fn` when the script ends, whatever the outcome (last registered runs first)."""
    with _cleanup_lock:
        _cleanups.append(fn)


def _run_cleanups() -> None:
    with _cleanup_lock:
        fns = list(reversed(_cleanups))
        _cleanups.clear()
    for fn in fns:
        try:
            fn()
        except Exception as e:  # cleanup is best effort; never mask the real outcome
            print(f"warning: cleanup step failed: {e}", file=sys.stderr)


def run_script(name: str, budget_s: float, body) -> None:
    """Run `body()`; exit 0 if it returns, 1 with a clear message if a check fails or time runs out.

    The budget is enforced with a SIGALRM timer (its handler raises in the main thread, so `finally`
    blocks still run and every server we started is killed). SIGTERM/SIGINT from CI are turned into the
    same orderly exit.
    """

    def interrupt(signum, _frame):
        if signum == signal.SIGALRM:
            raise CheckFailed(f"time budget of {budget_s:.0f}s exceeded")
        raise CheckFailed(f"interrupted by signal {signal.Signals(signum).name}")

    signal.signal(signal.SIGALRM, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    signal.setitimer(signal.ITIMER_REAL, budget_s)
    started = time.monotonic()
    code = 1  # anything but a clean return from body() is a failure
    try:
        body()
        code = 0
    except CheckFailed as e:
        print(f"\n{name}: FAIL: {e}", flush=True)
    except BaseException:  # a harness bug or an unexpected response shape: still a failure, with a trace
        traceback.print_exc()
        print(f"\n{name}: FAIL: unexpected error (trace above)", flush=True)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _outcome["failed"] = code != 0
        # Ignore further Ctrl-C/TERM while we kill servers and drop databases.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _run_cleanups()
    elapsed = time.monotonic() - started
    if code == 0:
        print(f"\n{name}: PASS ({elapsed:.1f}s)", flush=True)
    else:
        print(f"{name}: elapsed {elapsed:.1f}s", flush=True)
    sys.stdout.flush()
    # os._exit: client threads may still be blocked in a socket call; do not wait for them.
    os._exit(code)


def check(cond: bool, message: str) -> None:
    if not cond:
        raise CheckFailed(message)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------------

# No proxies: a CI runner's http_proxy must never see (or break) traffic to 127.0.0.1.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

# Failures where the request may or may not have reached the server: the caller decides whether a
# retry is safe (it is for an idempotent POST with the same key and body).
# (URLError, ConnectionError and timeouts are all OSError.)
TRANSIENT = (OSError, http.client.HTTPException)


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def text(self, limit: int = 300) -> str:
        t = self.body.decode("utf-8", "replace")
        return t if len(t) <= limit else t[:limit] + "…"


def request(method: str, url: str, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 30.0) -> Response:
    """One HTTP request. Returns any HTTP status (4xx/5xx included); raises a TRANSIENT error when
    no complete response arrived (refused, reset, timed out)."""
    h = {"Accept": "application/json"}
    if body is not None:
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    req = urllib.request.Request(url, data=body, headers=h, method=method)
    try:
        with _opener.open(req, timeout=timeout) as r:
            return Response(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        try:
            data = e.read()
        except Exception:  # the body itself may be cut off by a dying server
            data = b""
        return Response(e.code, e.headers, data)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------------
# The service under test
# --------------------------------------------------------------------------------------------------


def resolve_binary(path: str) -> str:
    p = Path(path)
    if not p.is_absolute():
        p = (Path.cwd() / p).resolve()
    if not (p.is_file() and os.access(p, os.X_OK)):
        raise CheckFailed(f"--binary {path}: not an executable file")
    return str(p)


def candour_env(database_url: str, data_dir: str) -> dict:
    """The environment for the candour command: ours, minus any CANDOUR_* settings that could point it
    elsewhere (a config file, another database), plus exactly what this run needs. (The commands also
    run in a scratch directory, so no stray ./candour.toml is picked up.)"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CANDOUR_")}
    env["CANDOUR_DATABASE_URL"] = database_url
    # The scripts submit hundreds of anonymous reports from one address on purpose.
    env["CANDOUR_SUBMIT_LIMIT_PER_MINUTE"] = "0"
    env["CANDOUR_DATA_DIR"] = data_dir
    return env


def run_cli(binary: str, args: list, env: dict, cwd: str, stdin: str | None = None,
            timeout: float = 60.0) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([binary, *args], input=stdin, env=env, cwd=cwd, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"`candour {' '.join(args)}` did not finish within {timeout:.0f}s")


def add_admin(binary: str, env: dict, cwd: str, password: str) -> None:
    p = run_cli(binary, ["user", "add", "--username", ADMIN_USER, "--display-name", "Test Admin",
                         "--role", "admin"], env, cwd, stdin=password + "\n")
    check(p.returncode == 0, f"`candour user add` exited {p.returncode}: {p.stderr.strip() or p.stdout.strip()}")


def audit_verify(binary: str, env: dict, cwd: str) -> int:
    """Run `candour audit verify`; return the number of entries, or fail with its output."""
    p = run_cli(binary, ["audit", "verify"], env, cwd, timeout=120)
    out = (p.stdout + p.stderr).strip()
    check(p.returncode == 0, f"`candour audit verify` exited {p.returncode}: {out}")
    m = AUDIT_RE.search(p.stdout)
    check(m is not None, f"`candour audit verify` exited 0 but printed no 'audit chain intact: N entries': {out}")
    return int(m.group(1))


class Server:
    """One `candour serve` process on a fixed 127.0.0.1 port, restartable on the same database."""

    def __init__(self, name: str, binary: str, env: dict, port: int, workdir: str):
        self.name = name
        self.binary = binary
        self.port = port
        self.env = dict(env, CANDOUR_LISTEN=f"127.0.0.1:{port}")
        self.workdir = workdir
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        on_exit(self.kill)

    def start(self, timeout: float = 60.0) -> float:
        """Start and wait until it has printed its banner and /readyz answers 200. Retries a start that
        dies at once (e.g. the port is not yet free after a kill). Returns seconds taken."""
        t0 = time.monotonic()
        deadline = t0 + timeout
        attempt = 0
        while True:
            attempt += 1
            with open(self.log_path, "ab") as logf:
                offset = logf.tell()
                logf.write(f"--- start #{self.starts + 1} attempt {attempt} ---\n".encode())
                logf.flush()
                # Same process group as us: if CI kills the whole job, the servers go with it.
                self.proc = subprocess.Popen([self.binary, "serve"], env=self.env, cwd=self.workdir,
                                             stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if self._ready(offset):
                    self.starts += 1
                    return time.monotonic() - t0
                time.sleep(0.02)
            if self.proc.poll() is None:  # still running but never became ready
                self.kill()
                raise CheckFailed(f"{self.name} did not become ready within {timeout:.0f}s\n{self.log_tail()}")
            if time.monotonic() >= deadline or attempt >= 20:
                raise CheckFailed(f"{self.name} exited with {self.proc.returncode} while starting\n{self.log_tail()}")
            time.sleep(0.1 * attempt)

    def _ready(self, offset: int) -> bool:
        try:
            r = request("GET", self.base + "/readyz", timeout=2)
        except TRANSIENT:
            return False
        if r.status != 200:
            return False
        # Also require this process's banner, so a stray server left on the port cannot pass for ours.
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            return b"Candour is running at http://" in f.read()

    def kill(self) -> None:
        """SIGKILL (no chance to flush or finish anything) and reap."""
        p = self.proc
        if p is not None and p.poll() is None:
            p.kill()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass

    def stop(self, timeout: float = 20.0) -> None:
        """Graceful stop (SIGTERM), falling back to SIGKILL."""
        p = self.proc
        if p is None or p.poll() is not None:
            return
        p.terminate()
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log(f"warning: {self.name} ignored SIGTERM for {timeout:.0f}s; killing it")
            self.kill()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return f"(no log at {self.log_path})"
        return f"last lines of {self.log_path}:\n" + "\n".join("  " + l for l in text[-lines:])


def sign_in(base: str, password: str) -> str:
    body = json.dumps({"username": ADMIN_USER, "password": password}).encode()
    r = request("POST", base + "/api/v1/sessions", body, timeout=60)
    check(r.status == 201, f"sign-in at {base} returned {r.status}: {r.text()}")
    token = r.json().get("token")
    check(isinstance(token, str) and token, f"sign-in returned no token: {r.text()}")
    return token


def list_all(base: str, token: str, page_size: int = 500, timeout: float = 60.0) -> list:
    """Every report visible to the caller, following next_cursor to the end (newest first)."""
    items, last_page_full = _walk_list(base, token, page_size, timeout)
    if last_page_full:
        # A full last page is right only when the total is a multiple of the page size. Re-walk with
        # another page size to tell that apart from paging that silently stops early.
        again, _ = _walk_list(base, token, 97, timeout)
        check(len(again) == len(items),
              f"GET /api/v1/reports?limit={page_size} returned a full page with next_cursor null after "
              f"{len(items)} reports, but {len(again)} exist (paging with limit=97 sees them all): paging "
              f"with limit={page_size} stops early and the rest of the list is unreachable")
    return items


def _walk_list(base: str, token: str, page_size: int, timeout: float) -> tuple[list, bool]:
    items, cursor, pages = [], None, 0
    while True:
        q = {"limit": str(page_size)}
        if cursor:
            q["cursor"] = cursor
        r = request("GET", f"{base}/api/v1/reports?{urllib.parse.urlencode(q)}",
                    headers={"Authorization": f"Bearer {token}"}, timeout=timeout)
        check(r.status == 200, f"GET /api/v1/reports?limit={page_size} (page {pages + 1}) returned "
                               f"{r.status}: {r.text()}")
        page = r.json()
        items.extend(page["items"])
        pages += 1
        cursor = page.get("next_cursor")
        if not cursor:
            return items, len(page["items"]) == page_size
        check(pages < 100_000, "paging through /api/v1/reports did not end")


# --------------------------------------------------------------------------------------------------
# Report bodies
# --------------------------------------------------------------------------------------------------


class BodyFactory:
    """Valid report bodies from docs/examples/clinical_safety.json, each carrying the run's marker and a
    per-submission tag in its title so it can be found (and told apart) in the list afterwards."""

    def __init__(self, marker: str):
        self.marker = marker
        self.template = json.loads(EXAMPLE.read_text())
        # Timestamps relative to now, so the body stays valid ("not in the future") whatever the CI clock.
        now = datetime.now(timezone.utc).replace(microsecond=0)
        fmt = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
        self.template["occurred_at"] = fmt(now - timedelta(hours=3))
        self.template["detected_at"] = fmt(now - timedelta(hours=2, minutes=45))
        self.template["aware_at"] = fmt(now - timedelta(hours=2, minutes=30))

    def title_prefix(self) -> str:
        return f"[{self.marker}] "

    def build(self, tag: str) -> bytes:
        b = dict(self.template)
        b["title"] = f"{self.title_prefix()}{tag} {self.template['title']}"[:200]
        b["narrative"] = f"{self.template['narrative']} (Automated check {self.marker}, submission {tag}.)"
        # Serialised once per submission: a retry must send byte-identical content (the server hashes
        # the raw body to tell a replay from a reused key).
        return json.dumps(b, separators=(",", ":")).encode()

    def tag_of(self, title: str) -> str | None:
        """The tag a title carries, if it belongs to this run."""
        p = self.title_prefix()
        if not title.startswith(p):
            return None
        return title[len(p):].split(" ", 1)[0]


# Request limits shared by the crash scripts.
KEY_GIVE_UP_S = 60  # one submission may take this long (across restarts) before we call it stuck
REQUEST_TIMEOUT_S = 15


class Submitter:
    """Submits report bodies from client threads, each under its own Idempotency-Key, retrying the *same key
    and body* after any connection error, timeout or 5xx until it gets a 201. The server must store each
    exactly once. Subclasses decide which submissions to make and when."""

    def __init__(self, base: str):
        self.base = base
        self.lock = threading.Lock()
        self.abort = threading.Event()  # a fatal error: stop at once
        self.errors: list[str] = []
        self.acked: dict[str, str] = {}  # key -> reference from its 201
        self.attempts = 0
        self.retried_keys = 0
        self.acked_by_replay = 0  # the first attempt committed but its answer was lost in a kill
        self.conn_errors = 0  # refused / reset / timed out
        self.server_errors: dict[int, int] = {}  # 5xx status -> count (retried, but worth reporting)
        self.latencies: list[float] = []  # seconds from first attempt to 201

    def fail(self, msg: str) -> None:
        with self.lock:
            self.errors.append(msg)
        self.abort.set()


    def raise_if_failed(self) -> None:
        with self.lock:
            if self.errors:
                more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
                raise CheckFailed(self.errors[0] + more)

    def submit_until_acked(self, key: str, body: bytes) -> None:
        t0 = time.monotonic()
        attempt = 0
        last_problem = ""
        while not self.abort.is_set():
            if time.monotonic() - t0 > KEY_GIVE_UP_S:
                self.fail(f"key {key} not acknowledged after {KEY_GIVE_UP_S}s of retries (last: {last_problem})")
                return
            attempt += 1
            with self.lock:
                self.attempts += 1
                if attempt == 2:
                    self.retried_keys += 1
            try:
                r = request("POST", self.base + "/api/v1/reports", body, {"Idempotency-Key": key},
                              timeout=REQUEST_TIMEOUT_S)
            except TRANSIENT as e:
                # Refused (restarting), reset (killed mid-request) or timed out: outcome unknown, so
                # retry the same key and body; the server must not store it twice.
                last_problem = f"{type(e).__name__}: {e}"
                with self.lock:
                    self.conn_errors += 1
                time.sleep(min(0.5, 0.03 * attempt))
                continue
            if r.status >= 500:
                last_problem = f"HTTP {r.status}: {r.text()}"
                with self.lock:
                    self.server_errors[r.status] = self.server_errors.get(r.status, 0) + 1
                time.sleep(min(0.5, 0.03 * attempt))
                continue
            if r.status != 201:
                self.fail(f"POST with key {key} (attempt {attempt}) returned {r.status}: {r.text()}")
                return
            try:
                ref = r.json()["reference"]
            except Exception:
                self.fail(f"201 for key {key} without a JSON reference: {r.text()}")
                return
            replayed = (r.headers.get("idempotent-replayed") or "").lower() == "true"
            if attempt == 1 and replayed:
                self.fail(f"first ever use of key {key} was answered as a replay ({ref})")
                return
            if not REFERENCE_RE.match(ref):
                self.fail(f"key {key}: malformed reference {ref!r}")
                return
            with self.lock:
                self.acked[key] = ref
                if replayed:
                    self.acked_by_replay += 1
                self.latencies.append(time.monotonic() - t0)
            return


def letters(s: str) -> str:
    """Spell digits as letters. Tags and markers travel in report titles, and Candour redacts anything that
    looks like a patient identifier before storing it: a random digit run can pass the NHS-number Modulus 11
    check (about 1 in 11 do) and would come back as "[NHS NUMBER]"."""
    return s.translate(str.maketrans("0123456789", "ghijklmnop"))


def new_marker(prefix: str) -> str:
    return f"{prefix}-{letters(uuid.uuid4().hex[:10])}"


def new_password() -> str:
    return "pw-" + uuid.uuid4().hex  # ≥ 12 characters, unique per run


# --------------------------------------------------------------------------------------------------
# PostgreSQL: a fresh database per run, dropped afterwards
# --------------------------------------------------------------------------------------------------


class PgDatabase:
    """A throwaway database on the server named by CANDOUR_TEST_POSTGRES_URL (default
    postgres://postgres@127.0.0.1:5432), created and dropped with psql."""

    def __init__(self, prefix: str):
        base = os.environ.get("CANDOUR_TEST_POSTGRES_URL") or "postgres://postgres@127.0.0.1:5432"
        u = urllib.parse.urlsplit(base)
        self.host = u.hostname or "127.0.0.1"
        self.port = u.port or 5432
        self.user = urllib.parse.unquote(u.username or "postgres")
        self.password = urllib.parse.unquote(u.password) if u.password else None
        self.name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.created = False

    @property
    def url(self) -> str:
        auth = urllib.parse.quote(self.user, safe="")
        if self.password is not None:
            auth += ":" + urllib.parse.quote(self.password, safe="")
        return f"postgres://{auth}@{self.host}:{self.port}/{self.name}"

    def _psql(self, sql: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["PGCONNECT_TIMEOUT"] = "10"
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.host, "-p", str(self.port),
               "-U", self.user, "-d", "postgres", "-c", sql]
        try:
            return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        except FileNotFoundError:
            raise CheckFailed("psql is not installed (needed to create the PostgreSQL test database)")
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"psql did not finish within {timeout:.0f}s: {sql}")

    def create(self) -> None:
        p = self._psql(f'CREATE DATABASE "{self.name}"')
        check(p.returncode == 0,
              f"cannot create database {self.name} on {self.host}:{self.port} as {self.user}: {p.stderr.strip()}")
        self.created = True
        on_exit(self.drop)

    def drop(self) -> None:
        if not self.created:
            return
        # WITH (FORCE) (PostgreSQL 13+) ends sessions a killed server may have left behind.
        p = self._psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        if p.returncode != 0:
            p = self._psql(f'DROP DATABASE IF EXISTS "{self.name}"')
        if p.returncode == 0:
            self.created = False
        else:
            print(f"warning: could not drop database {self.name}: {p.stderr.strip()}", file=sys.stderr)


def scratch_dir(prefix: str) -> str:
    """A temporary working directory (database file, server logs), removed at exit; kept after a
    failure, or when CANDOUR_KEEP_SCRATCH is set, for a look at the server logs."""
    d = tempfile.mkdtemp(prefix=prefix)

    def remove():
        if os.environ.get("CANDOUR_KEEP_SCRATCH") or (_outcome["failed"] and os.listdir(d)):
            print(f"(server logs and scratch files kept in {d})")
            return
        shutil.rmtree(d, ignore_errors=True)

    on_exit(remove)
    return d


def percentile(values: list, p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def seeded_rng(seed: int | None) -> tuple[random.Random, int]:
    if seed is None:
        seed = random.SystemRandom().randrange(1 << 32)
    return random.Random(seed), seed
