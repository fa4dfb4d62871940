#!/usr/bin/env python3
"""Two `candour serve` instances on one PostgreSQL database: no duplicate references, no lost updates.

Phase A: 8 threads submit 400 reports concurrently, alternating between the instances; every submission
must get a 201 with its own unique reference, and both instances must list all 400 exactly once.

Phase B: for 20 of those reports, 6 threads each (3 per instance) race the report through its lifecycle
(acknowledge → triage → start_investigation → make_safe → resolve → close), each sending the revision
it just read. Only 200, 409 (stale revision) and 422 (not allowed any more) are acceptable. Afterwards
each report must be closed at revision 7 with revisions exactly 1..7 in lifecycle order, and exactly 6
transitions must have succeeded across all threads (no lost or doubled updates). Finally the audit
chain must verify with exactly one entry per write.

    python3 scripts/two_instances.py --binary target/debug/candour

Exit 0 when every check passes, 1 otherwise. Standard library only; talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid

import candour_harness as h

REQUEST_TIMEOUT_S = 60  # generous: a timed-out transition would leave its outcome unknown
SUBMIT_THREADS = 8
SUBMISSIONS = 400
RACED_REPORTS = 20
RACERS_PER_INSTANCE = 3
MAX_ROUNDS = 2000  # per racing thread; a correct run needs a few dozen at most

LIFECYCLE = ["acknowledge", "triage", "start_investigation", "make_safe", "resolve", "close"]
# The one action each status moves on with, and the status it must lead to.
NEXT_ACTION = {"received": "acknowledge", "acknowledged": "triage", "triaged": "start_investigation",
               "investigating": "make_safe", "made_safe": "resolve", "resolved": "close"}
LEADS_TO = {"acknowledge": "acknowledged", "triage": "triaged", "start_investigation": "investigating",
            "make_safe": "made_safe", "resolve": "resolved", "close": "closed"}
FIELDS = {"acknowledge": {"role": "Handler"}, "triage": {"note": "Triaged by the race check."},
          "start_investigation": {"note": "Investigating."}, "make_safe": {"note": "Banner restored by hotfix."},
          "resolve": {"summary": "Supplier patch applied and verified."},
          "close": {"feedback": "Thank you: the banner is fixed and staff have been briefed."}}


class Errors:
    """Failures seen on worker threads; the first one is reported."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items: list[str] = []
        self.any = threading.Event()

    def add(self, msg: str) -> None:
        with self.lock:
            self.items.append(msg)
        self.any.set()

    def raise_if_any(self) -> None:
        with self.lock:
            if self.items:
                more = f" (and {len(self.items) - 1} more)" if len(self.items) > 1 else ""
                raise h.CheckFailed(self.items[0] + more)


def join_all(threads: list, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    stuck = [t.name for t in threads if t.is_alive()]
    h.check(not stuck, f"{what}: {len(stuck)} threads still running after {timeout:.0f}s, e.g. {stuck[:3]}")


def phase_a(servers: list, tokens: list, bodies: h.BodyFactory) -> dict:
    """Submit concurrently through both instances; return tag -> (reference, instance index)."""
    created: dict[str, tuple[str, int]] = {}
    errors = Errors()
    lock = threading.Lock()
    per_thread = SUBMISSIONS // SUBMIT_THREADS
    start = threading.Barrier(SUBMIT_THREADS)

    def submitter(t: int) -> None:
        try:
            start.wait(30)
            for i in range(per_thread):
                if errors.any.is_set():
                    return
                inst = (t + i) % 2  # each thread alternates; neighbouring threads start on different ones
                tag = h.letters(f"t{t}i{i}")
                try:
                    r = h.request("POST", servers[inst].base + "/api/v1/reports", bodies.build(tag),
                                  {"Idempotency-Key": str(uuid.uuid4())}, timeout=REQUEST_TIMEOUT_S)
                except h.TRANSIENT as e:
                    errors.add(f"submission {tag} to {servers[inst].name}: no response ({type(e).__name__}: {e})")
                    return
                if r.status != 201:
                    errors.add(f"submission {tag} to {servers[inst].name} returned {r.status}: {r.text()}")
                    return
                if (r.headers.get("idempotent-replayed") or "").lower() == "true":
                    errors.add(f"submission {tag} with a fresh key was answered as a replay")
                    return
                ref = r.json().get("reference", "")
                if not h.REFERENCE_RE.match(ref):
                    errors.add(f"submission {tag}: malformed reference {ref!r}")
                    return
                with lock:
                    created[tag] = (ref, inst)
        except Exception as e:
            errors.add(f"submitter {t} crashed: {e!r}")

    t0 = time.monotonic()
    threads = [threading.Thread(target=submitter, args=(t,), name=f"submit-{t}", daemon=True)
               for t in range(SUBMIT_THREADS)]
    for t in threads:
        t.start()
    join_all(threads, 120, "phase A")
    errors.raise_if_any()
    took = time.monotonic() - t0

    h.check(len(created) == per_thread * SUBMIT_THREADS,
            f"{len(created)} of {per_thread * SUBMIT_THREADS} submissions were acknowledged")
    by_ref: dict[str, list[str]] = {}
    for tag, (ref, _) in created.items():
        by_ref.setdefault(ref, []).append(tag)
    shared = {ref: tags for ref, tags in by_ref.items() if len(tags) > 1}
    h.check(not shared, f"{len(shared)} references were issued twice, e.g. {next(iter(shared.items()), None)}")

    # Both instances list every submission exactly once, under the reference its 201 named.
    for inst, server in enumerate(servers):
        items = h.list_all(server.base, tokens[inst])
        seen: dict[str, list[str]] = {}
        for i in items:
            tag = bodies.tag_of(i["title"])
            if tag is not None:
                seen.setdefault(tag, []).append(i["reference"])
        dupes = {t: refs for t, refs in seen.items() if len(refs) > 1}
        h.check(not dupes, f"{server.name} lists {len(dupes)} submissions more than once, e.g. "
                           f"{next(iter(dupes.items()), None)}")
        h.check(len(seen) == len(created), f"{server.name} lists {len(seen)} of this run's reports; "
                                           f"{len(created)} were acknowledged")
        for tag, (ref, _) in created.items():
            h.check(seen.get(tag) == [ref], f"{server.name} lists submission {tag} as {seen.get(tag)}; its 201 said {ref}")
    h.log(f"phase A: {len(created)} reports in {took:.1f}s through both instances; references unique "
          f"({min(by_ref)} … {max(by_ref)}); both instances list all {len(created)} exactly once")
    return created


class Race:
    """Counts for one raced report."""

    def __init__(self, ref: str):
        self.ref = ref
        self.lock = threading.Lock()
        self.codes = {200: 0, 409: 0, 422: 0}
        self.actions_ok: list[str] = []


def phase_b(servers: list, tokens: list, refs: list) -> dict:
    races = {ref: Race(ref) for ref in refs}
    errors = Errors()
    n_threads = len(refs) * 2 * RACERS_PER_INSTANCE
    start = threading.Barrier(n_threads)

    def racer(race: Race, inst: int) -> None:
        base, auth = servers[inst].base, {"Authorization": f"Bearer {tokens[inst]}"}
        url = f"{base}/api/v1/reports/{race.ref}"
        try:
            start.wait(60)
            for _ in range(MAX_ROUNDS):
                if errors.any.is_set():
                    return
                r = h.request("GET", url, headers=auth, timeout=REQUEST_TIMEOUT_S)
                if r.status != 200:
                    errors.add(f"GET {race.ref} on {servers[inst].name} returned {r.status}: {r.text()}")
                    return
                v = r.json()
                status, rev = v["status"], v["revision"]
                if status == "closed":
                    return
                action = NEXT_ACTION.get(status)
                if action is None:
                    errors.add(f"{race.ref} reached unexpected status {status!r} at revision {rev}")
                    return
                body = json.dumps({"expected_revision": rev, "action": action, **FIELDS[action]}).encode()
                r = h.request("POST", url + "/transitions", body, auth, timeout=REQUEST_TIMEOUT_S)
                if r.status == 200:
                    after = r.json()
                    if after.get("revision") != rev + 1 or after.get("status") != LEADS_TO[action]:
                        errors.add(f"{race.ref}: {action} at revision {rev} answered 200 with revision "
                                   f"{after.get('revision')}, status {after.get('status')}; expected "
                                   f"{rev + 1}, {LEADS_TO[action]}")
                        return
                    with race.lock:
                        race.codes[200] += 1
                        race.actions_ok.append(action)
                elif r.status in (409, 422):
                    with race.lock:
                        race.codes[r.status] += 1
                else:
                    errors.add(f"{action} on {race.ref} (revision {rev}) via {servers[inst].name} returned "
                               f"{r.status}: {r.text()}")
                    return
            errors.add(f"{race.ref}: a racer gave up after {MAX_ROUNDS} rounds without seeing it closed")
        except h.TRANSIENT as e:
            errors.add(f"{race.ref} via {servers[inst].name}: no response ({type(e).__name__}: {e}); "
                       f"the outcome of that request is unknown")
        except Exception as e:
            errors.add(f"racer for {race.ref} crashed: {e!r}")

    t0 = time.monotonic()
    threads = []
    for race in races.values():
        for j in range(2 * RACERS_PER_INSTANCE):
            threads.append(threading.Thread(target=racer, args=(race, j % 2), daemon=True,
                                            name=f"race-{race.ref}-{j}"))
    for t in threads:
        t.start()
    join_all(threads, 120, "phase B")
    errors.raise_if_any()
    took = time.monotonic() - t0

    # Every report: closed at revision 7, revisions exactly 1..7 in lifecycle order, and exactly six 200s
    # across its six racers, one per step (no update lost, none applied twice).
    expected_actions = ["create"] + LIFECYCLE
    for inst, race in enumerate(races.values()):
        server, auth = servers[inst % 2], {"Authorization": f"Bearer {tokens[inst % 2]}"}
        r = h.request("GET", f"{server.base}/api/v1/reports/{race.ref}", headers=auth, timeout=REQUEST_TIMEOUT_S)
        h.check(r.status == 200, f"GET {race.ref} returned {r.status}: {r.text()}")
        v = r.json()
        h.check(v["status"] == "closed" and v["revision"] == 7,
                f"{race.ref} ended at status {v['status']}, revision {v['revision']}; expected closed, 7")
        r = h.request("GET", f"{server.base}/api/v1/reports/{race.ref}/revisions", headers=auth,
                      timeout=REQUEST_TIMEOUT_S)
        h.check(r.status == 200, f"GET {race.ref}/revisions returned {r.status}: {r.text()}")
        revs = r.json()
        numbers = [x["revision"] for x in revs]
        h.check(numbers == list(range(1, 8)), f"{race.ref} has revisions {numbers}; expected 1..7 exactly once each")
        actions = [x["action"] for x in revs]
        h.check(actions == expected_actions, f"{race.ref} revision actions {actions}; expected {expected_actions}")
        h.check(race.codes[200] == len(LIFECYCLE),
                f"{race.ref}: {race.codes[200]} transitions answered 200 (expected {len(LIFECYCLE)}): "
                f"{race.actions_ok}")
        h.check(sorted(race.actions_ok, key=LIFECYCLE.index) == LIFECYCLE,
                f"{race.ref}: the 200s were for {race.actions_ok}; expected each of {LIFECYCLE} once")

    totals = {c: sum(r.codes[c] for r in races.values()) for c in (200, 409, 422)}
    h.log(f"phase B: {len(races)} reports raced by {n_threads} threads in {took:.1f}s; responses "
          f"200×{totals[200]}, 409×{totals[409]}, 422×{totals[422]}; every report closed at revision 7 "
          f"with revisions 1..7 and exactly 6 successful transitions")
    return totals


def run(args) -> None:
    t_start = time.monotonic()
    binary = h.resolve_binary(args.binary)
    rng, seed = h.seeded_rng(args.seed)
    work = h.scratch_dir("candour-two-instances-")
    marker = h.new_marker("two")
    password = h.new_password()
    pg = h.PgDatabase("candour_two")
    pg.create()
    env = h.candour_env(pg.url, work)
    h.log(f"database {pg.url}, seed {seed}, marker {marker}")
    h.add_admin(binary, env, work, password)

    ports = set()
    while len(ports) < 2:
        ports.add(h.free_port())
    servers = [h.Server(name, binary, env, port, work) for name, port in zip(("candour-a", "candour-b"), sorted(ports))]
    for s in servers:
        took = s.start()
        h.log(f"{s.name} ready at {s.base} ({took:.2f}s)")
    # One sign-in through each instance: sessions live in the shared database.
    tokens = [h.sign_in(s.base, password) for s in servers]

    created = phase_a(servers, tokens, h.BodyFactory(marker))
    chosen = rng.sample(sorted(ref for ref, _ in created.values()), RACED_REPORTS)
    totals = phase_b(servers, tokens, chosen)

    for s in servers:
        h.check(s.alive(), f"{s.name} died during the run (exit code {s.proc.returncode})\n{s.log_tail()}")
        s.stop()
    entries = h.audit_verify(binary, env, work)
    # One entry per write: the admin, two sign-ins, each report, each successful transition.
    expected = 1 + len(servers) + len(created) + RACED_REPORTS * len(LIFECYCLE)
    h.check(entries == expected, f"audit chain is intact but has {entries} entries; expected {expected} "
                                 f"(user.create + {len(servers)} session.create + {len(created)} report.create + "
                                 f"{RACED_REPORTS * len(LIFECYCLE)} transitions)")
    h.log(f"audit chain intact: {entries} entries")

    elapsed = time.monotonic() - t_start
    print(f"\nSummary: 2 instances on one PostgreSQL database; {len(created)} concurrent submissions, "
          f"unique references; {RACED_REPORTS} reports raced to closed (200×{totals[200]}, 409×{totals[409]}, "
          f"422×{totals[422]}), no lost updates; audit chain {entries} entries; elapsed {elapsed:.1f}s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", required=True, help="path to the candour executable")
    ap.add_argument("--time-limit", type=float, default=175.0,
                    help="fail if the run takes longer than this many seconds (default 175)")
    ap.add_argument("--seed", type=int, help="random seed (which reports are raced)")
    args = ap.parse_args()
    h.run_script("two_instances", args.time_limit, lambda: run(args))


if __name__ == "__main__":
    main()
