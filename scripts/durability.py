#!/usr/bin/env python3
"""Crash durability and exactly-once intake for `candour serve`.

Client threads submit reports, each under a fresh Idempotency-Key, and retry the *same key and body*
after any connection error, timeout or 5xx until they get a 201. Meanwhile the server is SIGKILLed at
random moments and restarted on the same database. Afterwards every acknowledged report must exist
exactly once (nothing lost, nothing duplicated), untouched (revision 1, status "received"), replays must
still answer with the original reference, and the audit chain must verify.

    python3 scripts/durability.py --binary target/debug/candour --backend sqlite
    python3 scripts/durability.py --binary target/debug/candour --backend postgres

Exit 0 when every check passes, 1 otherwise. Standard library only; talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import threading
import time
import uuid

import candour_harness as h

KEY_GIVE_UP_S = h.KEY_GIVE_UP_S
REQUEST_TIMEOUT_S = h.REQUEST_TIMEOUT_S
REPLAY_SAMPLE = 200


class Intake(h.Submitter):
    """Shared state of the client threads."""

    def __init__(self, base: str, bodies: h.BodyFactory, clients: int):
        super().__init__(base)
        self.bodies = bodies
        self.stop = threading.Event()  # no new submissions; finish the one in hand
        self.started: dict[str, bytes] = {}  # key -> body, for every key ever sent
        self.tag_of_key: dict[str, str] = {}
        self.threads = [threading.Thread(target=self._client, args=(i,), name=f"client-{i}", daemon=True)
                        for i in range(clients)]

    def _client(self, idx: int) -> None:
        n = 0
        try:
            while not self.stop.is_set() and not self.abort.is_set():
                n += 1
                key = str(uuid.uuid4())
                tag = h.letters(f"c{idx}n{n}-{key[:8]}")
                body = self.bodies.build(tag)
                with self.lock:
                    self.started[key] = body
                    self.tag_of_key[key] = tag
                self.submit_until_acked(key, body)
        except Exception as e:  # a harness bug must fail the run, not silently end a thread
            self.fail(f"client {idx} crashed: {e!r}")



def parallel(fn, items, workers: int = 8) -> None:
    """fn over items on a few threads; the first exception propagates and the rest are cancelled."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(fn, i) for i in items]
        try:
            for f in concurrent.futures.as_completed(futures):
                f.result()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def run(args) -> None:
    t_start = time.monotonic()
    binary = h.resolve_binary(args.binary)
    rng, seed = h.seeded_rng(args.seed)
    work = h.scratch_dir("candour-durability-")
    marker = h.new_marker("dur")
    password = h.new_password()
    if args.backend == "sqlite":
        db_url = f"sqlite://{work}/candour.db"  # work is absolute, so this is sqlite:///…
    else:
        pg = h.PgDatabase("candour_dur")
        pg.create()
        db_url = pg.url
    h.log(f"backend {args.backend}, database {db_url}, {args.clients} clients, {args.kills} kills, "
          f"seed {seed}, marker {marker}")
    env = h.candour_env(db_url, work)
    h.add_admin(binary, env, work, password)

    server = h.Server("candour", binary, env, h.free_port(), work)
    startup = [server.start()]
    h.log(f"server ready at {server.base} ({startup[0]:.2f}s)")

    intake = Intake(server.base, h.BodyFactory(marker), args.clients)
    for t in intake.threads:
        t.start()

    # ---- Kill and restart at random moments while the clients keep submitting. ----
    t_kill = time.monotonic()
    kills = 0
    while kills < args.kills:
        time.sleep(rng.uniform(0.2, 1.0))
        intake.raise_if_failed()
        check_alive(server)
        server.kill()
        kills += 1
        startup.append(server.start())
    kill_phase = time.monotonic() - t_kill
    h.log(f"{kills} kills in {kill_phase:.1f}s; restarts took {h.percentile(startup[1:], 50):.2f}s median, "
          f"{max(startup[1:], default=0):.2f}s max; {len(intake.acked)} acknowledged so far")

    # ---- Stop the clients; each finishes (retries) the submission in hand. ----
    intake.stop.set()
    join_deadline = time.monotonic() + KEY_GIVE_UP_S + 2 * REQUEST_TIMEOUT_S
    for t in intake.threads:
        t.join(max(0.0, join_deadline - time.monotonic()))
    intake.raise_if_failed()
    stuck = [t.name for t in intake.threads if t.is_alive()]
    h.check(not stuck, f"client threads still running after the stop: {stuck}")
    check_alive(server)

    acked, started = dict(intake.acked), dict(intake.started)
    h.check(acked, "no submission was acknowledged at all")
    h.check(set(acked) == set(started),
            f"{len(set(started) - set(acked))} submissions were sent but never acknowledged")
    h.log(f"{len(acked)} submissions acknowledged ({intake.attempts} POSTs; {intake.retried_keys} keys needed "
          f"retries; {intake.acked_by_replay} acknowledged by replay after a lost answer; "
          f"{intake.conn_errors} connection errors, 5xx {intake.server_errors or 'none'}); "
          f"time to 201 p50 {h.percentile(intake.latencies, 50) * 1000:.0f} ms, "
          f"p99 {h.percentile(intake.latencies, 99) * 1000:.0f} ms")

    # ---- Checks, on the last server (still up). ----
    # 1. References are unique across keys.
    by_ref: dict[str, list[str]] = {}
    for k, ref in acked.items():
        by_ref.setdefault(ref, []).append(k)
    shared = {ref: ks for ref, ks in by_ref.items() if len(ks) > 1}
    h.check(not shared, f"{len(shared)} references were given to more than one key, e.g. "
                        f"{next(iter(shared.items()), None)}")

    token = h.sign_in(server.base, password)
    auth = {"Authorization": f"Bearer {token}"}

    # 2. Every acknowledged reference is readable, carries its own submission and is untouched.
    def get_one(key: str) -> None:
        ref = acked[key]
        r = h.request("GET", f"{server.base}/api/v1/reports/{ref}", headers=auth, timeout=30)
        h.check(r.status == 200, f"acknowledged report {ref} (key {key}) is missing: GET returned {r.status}: {r.text()}")
        v = r.json()
        h.check(v.get("reference") == ref, f"GET {ref} returned reference {v.get('reference')}")
        tag = intake.tag_of_key[key]
        h.check(intake.bodies.tag_of(v["report"]["title"]) == tag,
                f"{ref} holds another submission's body: title {v['report']['title']!r}, expected tag {tag}")
        h.check(v.get("revision") == 1 and v.get("status") == "received",
                f"{ref}: revision {v.get('revision')}, status {v.get('status')}; expected 1, received")

    parallel(get_one, list(acked))
    h.log(f"all {len(acked)} acknowledged references read back (200, own body, revision 1, received)")

    # 3. The list holds each of this run's submissions exactly once, and nothing else of ours.
    items = h.list_all(server.base, token, args.page_size)
    refs_in_list = [i["reference"] for i in items]
    h.check(len(refs_in_list) == len(set(refs_in_list)), "the report list shows some reference twice")
    ours: dict[str, list[dict]] = {}
    for i in items:
        tag = intake.bodies.tag_of(i["title"])
        if tag is not None:
            ours.setdefault(tag, []).append(i)
    dupes = {t: [i["reference"] for i in v] for t, v in ours.items() if len(v) > 1}
    h.check(not dupes, f"{len(dupes)} submissions were stored more than once, e.g. {next(iter(dupes.items()), None)}")
    listed = sum(len(v) for v in ours.values())
    h.check(listed == len(acked), f"the list has {listed} reports from this run; {len(acked)} keys got a 201 "
                                  f"({'lost' if listed < len(acked) else 'extra'}: {abs(listed - len(acked))})")
    for key, ref in acked.items():
        got = ours.get(intake.tag_of_key[key])
        h.check(got is not None, f"{ref} (key {key}) is not in the list")
        i = got[0]
        h.check(i["reference"] == ref, f"key {key}: 201 said {ref} but the list shows {i['reference']}")
        h.check(i["revision"] == 1 and i["status"] == "received",
                f"{ref} in the list: revision {i['revision']}, status {i['status']}; expected 1, received")
    h.log(f"list: {len(items)} reports, {listed} from this run, each exactly once")

    # 4. Idempotency survived the crashes: replays give the original reference and store nothing new;
    #    the same key with another body is refused.
    sample = rng.sample(sorted(acked), min(REPLAY_SAMPLE, len(acked)))

    def replay(key: str) -> None:
        r = h.request("POST", server.base + "/api/v1/reports", started[key], {"Idempotency-Key": key}, timeout=30)
        h.check(r.status == 201, f"replay of key {key} returned {r.status}: {r.text()}")
        h.check(r.json().get("reference") == acked[key],
                f"replay of key {key} returned {r.json().get('reference')}, first answer was {acked[key]}")
        h.check((r.headers.get("idempotent-replayed") or "").lower() == "true",
                f"replay of key {key} was not marked idempotent-replayed: true")

    parallel(replay, sample)
    k0 = sample[0]
    r = h.request("POST", server.base + "/api/v1/reports", intake.bodies.build("different-body"),
                  {"Idempotency-Key": k0}, timeout=30)
    h.check(r.status == 422, f"reusing key {k0} with another body returned {r.status} (expected 422): {r.text()}")
    h.log(f"{len(sample)} replays returned their original references; key reuse with another body refused")

    # 5. The audit chain verifies, with exactly one entry per stored report (so no replay or crashed
    #    attempt left a trace), plus the admin's creation and one sign-in.
    server.stop()
    entries = h.audit_verify(binary, env, work)
    expected = len(acked) + 2
    h.check(entries == expected, f"audit chain is intact but has {entries} entries; expected {expected} "
                                 f"({len(acked)} report.create + user.create + session.create)")
    h.log(f"audit chain intact: {entries} entries")

    elapsed = time.monotonic() - t_start
    print(f"\nSummary ({args.backend}): {kills} kills, {len(acked)} submissions acknowledged exactly once "
          f"({intake.attempts} POSTs, {intake.retried_keys} retried, {intake.acked_by_replay} recovered by replay), "
          f"{len(sample)} replays verified, audit chain {entries} entries, elapsed {elapsed:.1f}s")


def check_alive(server: h.Server) -> None:
    h.check(server.alive(), f"the server died on its own (exit code {server.proc.returncode})\n{server.log_tail()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", required=True, help="path to the candour executable")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    ap.add_argument("--kills", type=int, default=20, help="how many times to SIGKILL the server (default 20)")
    ap.add_argument("--clients", type=int, default=8, help="concurrent submitting clients (default 8)")
    ap.add_argument("--time-limit", type=float, default=175.0,
                    help="fail if the run takes longer than this many seconds (default 175)")
    ap.add_argument("--seed", type=int, help="random seed, to replay a run's kill timings")
    ap.add_argument("--page-size", type=int, default=500, help="limit= when paging the report list (default 500)")
    args = ap.parse_args()
    if args.kills < 1 or args.clients < 1:
        ap.error("--kills and --clients must be at least 1")
    if not 1 <= args.page_size <= 500:
        ap.error("--page-size must be 1 to 500")
    h.run_script(f"durability[{args.backend}]", args.time_limit, lambda: run(args))


if __name__ == "__main__":
    main()
