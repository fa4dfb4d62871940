#!/usr/bin/env python3
"""Crash-safe email delivery: every outbox message reaches the mail server at least once.

A loopback SMTP receiver (aiosmtpd, in this process) records every message it accepts by its Message-ID
(`<{outbox id}@candour>`); it is deliberately slow (random waits before accepting the recipient and
before answering the DATA) so that sends are in progress when the server dies. `candour serve` runs with
CANDOUR_SMTP_URL pointing at it. Reports are submitted in waves, one wave after each (re)start, under
Idempotency-Keys with retries as in durability.py; meanwhile the server is SIGKILLed 0.1-0.6 s after it
becomes ready and restarted on the same database, so each life's delivery worker is killed while sending
the previous wave's messages. Then the server is left running until the outbox has nothing pending
(messages a killed worker had leased wait out the 60 s lease), and:

  1. the outbox holds exactly 2 email messages per report (the organisation's Clinical Safety Officer
     and the supplier, as routed from docs/examples/clinical_safety.json), all `sent`, none `dead`;
  2. every outbox message was received at least once, to its own address and with its own subject, and
     nothing was received that the outbox does not hold (nothing lost, nothing invented);
  3. redeliveries (at least once, explained by kills) are counted and printed, as are messages delivered
     only after a killed worker's lease ran out; a message received more than kills+1 times, or more
     times than it was ever claimed (its `attempts`), fails the run;
  4. each report's audit trail has its report.create and exactly one outbox.sent per message (marked sent
     once, however often it was sent), and no outbox.dead;
  5. after a graceful stop, `candour audit verify` passes with exactly the entries accounted for above.

    python3 scripts/delivery_crash.py --binary target/debug/candour --backend sqlite
    python3 scripts/delivery_crash.py --binary target/debug/candour --backend postgres

Exit 0 when every check passes, 1 otherwise. Needs `aiosmtpd` (scripts/requirements.txt); otherwise the
standard library only; talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import concurrent.futures
import email
import email.policy
import logging
import queue
import random
import re
import threading
import time
import uuid

import candour_harness as h

REQUEST_TIMEOUT_S = h.REQUEST_TIMEOUT_S
KEY_GIVE_UP_S = h.KEY_GIVE_UP_S
DRAIN_LIMIT_S = 150  # after the last kill: a 60 s lease, a 1 s poll, and plenty of slack
CLIENTS = 4
# Where the routing of docs/examples/clinical_safety.json (RZX, CareFlow EPR) sends email.
EXPECTED_ADDRESSES = {"clinical.safety@example.nhs.uk", "clinical.safety@supplier.example"}
MESSAGE_ID_RE = re.compile(r"^<([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@candour>$")


# --------------------------------------------------------------------------------------------------
# The mail server
# --------------------------------------------------------------------------------------------------


class Receiver:
    """aiosmtpd handler: a slow relay. It waits a little before accepting each recipient (a sender killed
    then has claimed a message it never delivered: it must come again when the lease runs out), records
    each message (by Message-ID) the moment its DATA is complete, and waits a little again before answering
    250 (a sender killed then has delivered a message it never learns about: it must send it again)."""

    def __init__(self, delay_max: float, seed: int):
        self.delay_max = delay_max
        self.rng = random.Random(seed)  # used on the receiver's event loop thread only
        self.lock = threading.Lock()
        self.received: dict[str, list[tuple[tuple[str, ...], str]]] = {}  # id -> [(recipients, subject)]
        self.malformed: list[str] = []  # messages without a well-formed Candour Message-ID
        self.total = 0
        self.busy = 0  # senders kept waiting at RCPT or for the answer to DATA

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.busy += 1
        try:
            if self.delay_max > 0:
                await asyncio.sleep(self.rng.uniform(0, self.delay_max))
        finally:
            with self.lock:
                self.busy -= 1
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        try:
            msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
            mid = str(msg.get("Message-ID", "")).strip()
            subject = str(msg.get("Subject", ""))
        except Exception as e:  # record it as malformed rather than kill the session
            mid, subject = f"(unparseable message: {e!r})", ""
        m = MESSAGE_ID_RE.match(mid)
        with self.lock:
            self.total += 1
            if m is None:
                self.malformed.append(mid or "(no Message-ID)")
            else:
                self.received.setdefault(m.group(1), []).append(
                    (tuple(sorted(a.lower() for a in envelope.rcpt_tos)), subject))
            self.busy += 1
        try:
            if self.delay_max > 0:
                await asyncio.sleep(self.rng.uniform(0, self.delay_max))
        finally:
            with self.lock:
                self.busy -= 1
        return "250 Message accepted for delivery"

    def snapshot(self) -> tuple[int, int, int]:
        """(messages received, distinct ids, senders kept waiting now)."""
        with self.lock:
            return self.total, len(self.received), self.busy


def start_mail_server(receiver: Receiver):
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        raise h.CheckFailed("aiosmtpd is not installed (pip install -r scripts/requirements.txt)")
    # A killed sender leaves half-finished sessions; aiosmtpd logs each one. They are expected here.
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    port = h.free_port()
    controller = Controller(receiver, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    h.on_exit(controller.stop)
    return controller, port


# --------------------------------------------------------------------------------------------------
# Submitting reports, in waves, across restarts
# --------------------------------------------------------------------------------------------------


class Intake(h.Submitter):
    """Client threads that submit whatever submissions the kill loop releases, each retried under its
    own key until it gets a 201 (the server de-duplicates)."""

    def __init__(self, base: str, bodies: h.BodyFactory, total: int, clients: int):
        super().__init__(base)
        self.bodies = bodies
        self.jobs: queue.Queue = queue.Queue()
        self.no_more = threading.Event()  # every submission has been released
        self.subs = []  # (key, tag, body)
        for i in range(total):
            key = str(uuid.uuid4())
            tag = h.letters(f"s{i}-{key[:8]}")
            self.subs.append((key, tag, bodies.build(tag)))
        self.released = 0
        self.threads = [threading.Thread(target=self._client, name=f"client-{i}", daemon=True)
                        for i in range(clients)]
        for t in self.threads:
            t.start()

    def release(self, n: int) -> None:
        for sub in self.subs[self.released:self.released + n]:
            self.jobs.put(sub)
        self.released = min(len(self.subs), self.released + n)
        if self.released == len(self.subs):
            self.no_more.set()

    def _client(self) -> None:
        try:
            while not self.abort.is_set():
                try:
                    key, tag, body = self.jobs.get(timeout=0.05)
                except queue.Empty:
                    if self.no_more.is_set():
                        return
                    continue
                self.submit_until_acked(key, body)
        except Exception as e:  # a harness bug must fail the run, not silently end a thread
            self.fail(f"{threading.current_thread().name} crashed: {e!r}")



# --------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------


def parallel(fn, items, workers: int = 8) -> list:
    """fn over items on a few threads, results in order; the first exception propagates."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(fn, i) for i in items]
        try:
            return [f.result() for f in futures]
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def check_alive(server: h.Server) -> None:
    h.check(server.alive(), f"the server died on its own (exit code {server.proc.returncode})\n{server.log_tail()}")


def get_json(base: str, path: str, auth: dict, what: str):
    r = h.request("GET", base + path, headers=auth, timeout=60)
    h.check(r.status == 200, f"GET {path} ({what}) returned {r.status}: {r.text()}")
    return r.json()


def run(args) -> None:
    t_start = time.monotonic()
    binary = h.resolve_binary(args.binary)
    rng, seed = h.seeded_rng(args.seed)
    work = h.scratch_dir("candour-delivery-")
    marker = h.new_marker("dlv")
    password = h.new_password()
    if args.backend == "sqlite":
        db_url = f"sqlite://{work}/candour.db"
    else:
        pg = h.PgDatabase("candour_dlv")
        pg.create()
        db_url = pg.url
    receiver = Receiver(args.smtp_delay, seed)
    _, smtp_port = start_mail_server(receiver)
    h.log(f"backend {args.backend}, database {db_url}, {args.reports} reports, {args.kills} kills, "
          f"mail server 127.0.0.1:{smtp_port} (waits 0-{args.smtp_delay:.2f}s at RCPT and after DATA), seed {seed}")

    env = h.candour_env(db_url, work)
    h.add_admin(binary, env, work, password)
    port = h.free_port()
    env["CANDOUR_SMTP_URL"] = f"smtp://127.0.0.1:{smtp_port}"
    env["CANDOUR_SMTP_FROM"] = "Candour <candour@example.nhs.uk>"
    env["CANDOUR_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    server = h.Server("candour", binary, env, port, work)
    startup = [server.start()]
    h.log(f"server ready at {server.base} ({startup[0]:.2f}s)")

    # ---- Waves of submissions; each life's worker is killed while sending the previous wave. ----
    intake = Intake(server.base, h.BodyFactory(marker), args.reports, CLIENTS)
    waves = [args.reports // (args.kills + 1) + (1 if i < args.reports % (args.kills + 1) else 0)
             for i in range(args.kills + 1)]
    intake.release(waves[0])
    t_kill = time.monotonic()
    hit = 0  # kills that landed while a send was in progress
    for k in range(args.kills):
        time.sleep(rng.uniform(0.1, 0.6))
        intake.raise_if_failed()
        check_alive(server)
        _, _, busy = receiver.snapshot()
        server.kill()
        hit += busy > 0
        startup.append(server.start())
        intake.release(waves[k + 1])
    kill_phase = time.monotonic() - t_kill
    total, distinct, _ = receiver.snapshot()
    h.log(f"{args.kills} kills in {kill_phase:.1f}s ({hit} while a send was in progress); restarts took "
          f"{h.percentile(startup[1:], 50):.2f}s median, {max(startup[1:], default=0):.2f}s max; "
          f"{total} messages received so far ({distinct} distinct)")

    deadline = time.monotonic() + KEY_GIVE_UP_S + 2 * REQUEST_TIMEOUT_S
    for t in intake.threads:
        t.join(max(0.0, deadline - time.monotonic()))
    intake.raise_if_failed()
    stuck = [t.name for t in intake.threads if t.is_alive()]
    h.check(not stuck, f"client threads still running: {stuck}")
    check_alive(server)
    acked = dict(intake.acked)
    h.check(len(acked) == args.reports, f"{args.reports - len(acked)} submissions were never acknowledged")
    refs = sorted(set(acked.values()))
    h.check(len(refs) == len(acked), f"{len(acked)} keys got only {len(refs)} distinct references")
    h.log(f"{len(acked)} reports acknowledged ({intake.attempts} POSTs, {intake.retried_keys} keys retried, "
          f"{intake.conn_errors} connection errors, 5xx {intake.server_errors or 'none'})")

    # ---- Leave it running until nothing is pending (leases of killed workers run out). ----
    token = h.sign_in(server.base, password)
    auth = {"Authorization": f"Bearer {token}"}
    t_drain = time.monotonic()
    last_log = t_drain
    while True:
        check_alive(server)
        pending = get_json(server.base, "/api/v1/outbox?status=pending", auth, "pending messages")
        dead = get_json(server.base, "/api/v1/outbox?status=dead", auth, "dead letters")
        if dead:
            raise h.CheckFailed(f"{len(dead)} messages are dead letters, e.g. {dead[0]['id']} to "
                                f"{dead[0]['address']}: {dead[0].get('last_error')}")
        waited = time.monotonic() - t_drain
        if not pending:
            break
        if waited > DRAIN_LIMIT_S:
            m = pending[0]
            raise h.CheckFailed(
                f"{len(pending)} messages still pending {DRAIN_LIMIT_S}s after the last kill, e.g. {m['id']} "
                f"to {m['address']} (attempts {m['attempts']}, next attempt {m['next_attempt_at']}, "
                f"last error {m.get('last_error')})\n{server.log_tail()}")
        if time.monotonic() - last_log >= 15:
            total, distinct, _ = receiver.snapshot()
            due = min(m["next_attempt_at"] for m in pending)
            h.log(f"  {len(pending)} pending after {waited:.0f}s (next due {due}); "
                  f"{distinct} distinct messages received")
            last_log = time.monotonic()
        time.sleep(1.0)
    drain = time.monotonic() - t_drain
    h.log(f"outbox drained {drain:.1f}s after the last restart")

    # ---- 1. The outbox: two email messages per report, all sent. ----
    sent = get_json(server.base, "/api/v1/outbox?status=sent", auth, "sent messages")
    expected = 2 * len(acked)
    h.check(expected < 1000, "too many messages for one /api/v1/outbox page; use fewer --reports")
    h.check(len(sent) == expected, f"the outbox has {len(sent)} sent messages; expected {expected} "
                                   f"(2 per report × {len(acked)} reports)")
    outbox = {m["id"]: m for m in sent}
    h.check(len(outbox) == len(sent), "the outbox lists some message id twice")
    per_ref: dict[str, list[dict]] = collections.defaultdict(list)
    for m in sent:
        per_ref[m["reference"]].append(m)
    h.check(set(per_ref) == set(refs),
            f"outbox references differ from the acknowledged ones: {len(set(per_ref) - set(refs))} unknown, "
            f"{len(set(refs) - set(per_ref))} missing")

    def deliveries(ref: str) -> list:
        return get_json(server.base, f"/api/v1/reports/{ref}/deliveries", auth, f"deliveries of {ref}")

    for ref, ds in zip(refs, parallel(deliveries, refs)):
        h.check(sorted(d["id"] for d in ds) == sorted(m["id"] for m in per_ref[ref]),
                f"{ref}: /deliveries lists {[d['id'] for d in ds]}, the outbox {[m['id'] for m in per_ref[ref]]}")
        h.check(all(d["channel"] == "email" and d["status"] == "sent" for d in ds),
                f"{ref}: deliveries not all sent email: {[(d['channel'], d['status']) for d in ds]}")
        h.check({d["address"] for d in ds} == EXPECTED_ADDRESSES and len(ds) == 2,
                f"{ref}: emailed {sorted(d['address'] for d in ds)}; expected {sorted(EXPECTED_ADDRESSES)}")
    h.log(f"outbox: {len(sent)} messages, 2 per report, all sent, none dead")

    # ---- 2 and 3. What the mail server saw. ----
    with receiver.lock:
        received = {k: list(v) for k, v in receiver.received.items()}
        malformed = list(receiver.malformed)
        total = receiver.total
    if malformed:
        raise h.CheckFailed(f"{len(malformed)} messages arrived without a Candour Message-ID, e.g. {malformed[0]!r}")
    missing = [i for i in outbox if i not in received]
    if missing:
        m = outbox[missing[0]]
        raise h.CheckFailed(f"{len(missing)} messages marked sent never reached the mail server (lost), e.g. "
                            f"{m['id']} to {m['address']} for {m['reference']} (attempts {m['attempts']})")
    unknown = [i for i in received if i not in outbox]
    if unknown:
        raise h.CheckFailed(f"the mail server received {len(unknown)} message ids the outbox does not hold, "
                            f"e.g. {unknown[0]}")
    for i, copies in received.items():
        m = outbox[i]
        for rcpts, subject in copies:
            h.check(rcpts == (m["address"].lower(),),
                    f"message {i} went to {list(rcpts)}; the outbox says {m['address']}")
            h.check(subject == m["subject"],
                    f"message {i} arrived with subject {subject!r}; the outbox says {m['subject']!r}")
        h.check(len(copies) <= m["attempts"],
                f"message {i} was received {len(copies)} times but claimed only {m['attempts']} times "
                f"(sent without a committed lease)")
        h.check(len(copies) <= args.kills + 1,
                f"message {i} was received {len(copies)} times with only {args.kills} kills")
    counts = collections.Counter(len(v) for v in received.values())
    dup = sum(n for c, n in counts.items() if c > 1)
    attempts = collections.Counter(m["attempts"] for m in sent)
    # Claimed by a worker that died before the mail server had the message: sent after the lease ran out.
    leased_out = sum(1 for i, m in outbox.items() if m["attempts"] > len(received[i]))
    h.log(f"mail server: {total} messages received for {len(received)} ids, none lost; received n times: "
          f"{dict(sorted(counts.items()))}; claims per message: {dict(sorted(attempts.items()))}; "
          f"{leased_out} sent only after a killed worker's lease ran out")
    if dup + leased_out == 0:
        h.log("warning: no kill interrupted a delivery, so this run proved little; try more --kills")

    # ---- 4. Each report's audit trail: created once, each message marked sent exactly once. ----
    def audit_of(ref: str) -> list:
        return get_json(server.base, f"/api/v1/reports/{ref}/audit", auth, f"audit of {ref}")

    trail_entries = 0
    retries = 0
    for ref, trail in zip(refs, parallel(audit_of, refs)):
        actions = collections.Counter(e["action"] for e in trail)
        h.check(actions["report.create"] == 1 and actions["outbox.sent"] == 2 and not actions["outbox.dead"],
                f"{ref}: audit trail has {dict(actions)}; expected report.create 1, outbox.sent 2 (one per message)")
        extra = set(actions) - {"report.create", "outbox.sent", "outbox.retry"}
        h.check(not extra, f"{ref}: unexpected audit actions {sorted(extra)}")
        retries += actions["outbox.retry"]
        trail_entries += len(trail)
    if retries:
        h.log(f"warning: {retries} failed send attempts were recorded (outbox.retry) although the mail server "
              f"never refused anything")
    h.log(f"audit trails: every report has report.create and one outbox.sent per message "
          f"({retries} outbox.retry)")

    # ---- 5. The audit chain verifies, with exactly those entries plus user.create and one sign-in. ----
    server.stop()
    entries = h.audit_verify(binary, env, work)
    h.check(entries == trail_entries + 2,
            f"audit chain is intact but has {entries} entries; expected {trail_entries + 2} "
            f"({trail_entries} in the reports' trails + user.create + session.create)")
    h.log(f"audit chain intact: {entries} entries")

    elapsed = time.monotonic() - t_start
    print(f"\nSummary ({args.backend}): {args.kills} kills ({hit} mid-send), {len(acked)} reports, "
          f"{len(sent)} email messages all sent and received (none lost, none dead); {dup} received more than "
          f"once (max {max(counts)}), {leased_out} recovered after a lease ran out, {total} deliveries in all; "
          f"outbox drained {drain:.1f}s after the last restart; audit chain {entries} entries, elapsed {elapsed:.1f}s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", required=True, help="path to the candour executable")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--reports", type=int, default=150, help="reports to submit (default 150; at most 499)")
    ap.add_argument("--kills", type=int, default=10, help="how many times to SIGKILL the server (default 10)")
    ap.add_argument("--smtp-delay", type=float, default=0.2,
                    help="the mail server waits 0 to this many seconds before accepting each recipient, and "
                         "again before answering each message's DATA (default 0.2)")
    ap.add_argument("--time-limit", type=float, default=240.0,
                    help="fail if the run takes longer than this many seconds (default 240)")
    ap.add_argument("--seed", type=int, help="random seed, to replay a run's kill timings")
    args = ap.parse_args()
    if args.kills < 1 or not 1 <= args.reports <= 499:
        ap.error("--kills must be at least 1 and --reports 1 to 499")
    if not 0 <= args.smtp_delay <= 5:
        ap.error("--smtp-delay must be 0 to 5 seconds")
    h.run_script(f"delivery_crash[{args.backend}]", args.time_limit, lambda: run(args))


if __name__ == "__main__":
    main()
