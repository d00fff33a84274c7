"""Load test (issue 12, item 5): organisation staff and regional coordinators at once, against gunicorn and
PostgreSQL, then a check in the database that every write the server acknowledged is stored.

    python scripts/load_test.py                                  # seeds load_11000 (about 2 min), 200 + 20 users, 5 min
    python scripts/load_test.py --reuse                          # the same against load_11000 as it is
    python scripts/load_test.py --organisations 100 --staff 20 --coordinators 2 --run-time 1m   # a quick one

Needs the tools of requirements-bench.txt (locust). Steps:

1. Seed (unless --reuse) the PostgreSQL database load_<N>: `load_demo`, then `seed_scale --organisations N`
   (N = 100 is the demo alone). The database is this script's own: it is dropped and created again.
2. Set up the accounts: --staff organisation staff accounts `load-<BIN>` (password `load-pass-2026`), one per
   organisation, spread over the regions, each organisation's form of the open quarter editable (a draft or
   returned; where it has none, a draft is saved through the service) and passing every rule, so that the staff
   can submit it; and the demo's regional coordinators `region-kz-..` (password `demo-pass-2026`).
3. Start gunicorn (--workers, DEBUG off, static files collected, no Redis: tasks run in-process) on 127.0.0.1:--port.
4. Run locust headless (scripts/locustfile.py): the users start at --spawn-rate a second and each signs in
   through the sign-in form; once the last has, --run-time of work is timed, then the test stops. Each staff
   member opens the form, saves it one to three times (one number changed, a narrative rewritten with a text no
   other save writes) and submits it; each coordinator opens the review queue, the region's dashboard, and
   reviews what waits (accepts, or returns it for correction, which gives the staff their form back). Every user
   pauses 5-15 s between actions.
5. Stop gunicorn, then check in the database every write the server acknowledged (a save or submit answered
   with the redirect to ?saved=1, a review answered with its redirect and no error): each save's and submit's
   narrative text is in the values' history; the last acknowledged form of each organisation is what the database
   holds (unless a later save the client never saw acknowledged replaced it); each acknowledged submit left a
   submitted version in the submission's history, and the submission submitted or reviewed since; each
   acknowledged review left its transition. A write that fails any of these is a lost write.
6. Print two tables of requests, failures, median, 95th percentile and maximum time per endpoint (client side,
   nearest-rank): while the users were signing in (each sign-in hashes a password: 0.3 s of CPU by design), and
   the timed run; then the acknowledged writes and the lost ones. Exits with 1 on a failed request or a lost
   write, and with --strict also on a p95 over 500 ms in the timed run.

What was run and logged stays in --out: gunicorn's log, locust's, every request's time, the acknowledged writes,
the findings."""

import argparse
import json
import math
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
SERVER = "postgres://postgres@127.0.0.1:5432"
LOAD_PASSWORD = "load-pass-2026"  # a load server's throwaway accounts, like the demo's shared password
NUDGED = "sessions_manual"  # the number the staff change on each save: see scripts/locustfile.py
WRITTEN = "difficulties"  # the narrative each save rewrites with a text of its own
P95_TARGET_MS = 500


def environment(database: str, out: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pilot_portal.settings",
        "DEBUG": "False",
        "SECRET_KEY": "load-test",
        # Behind the TLS proxy in production; the users send X-Forwarded-Proto as the proxy would.
        "SECURE_SSL_REDIRECT": "False",
        "REDIS_URL": "",
        "EMAIL_URL": "dummymail://",
        "MEDIA_ROOT": str(out.parent / database / "media"),
        "STATIC_ROOT": str(out.parent / "static"),
        "DATABASE_URL": f"{SERVER}/{database}",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, check=True)


def seed(database: str, organisations: int, env: dict) -> None:
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {database}"], check=True)
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"CREATE DATABASE {database}"], check=True)
    started = time.monotonic()
    manage(env, "migrate", "-v0")
    manage(env, "load_demo", "--force")
    if organisations > 100:
        manage(env, "seed_scale", "--force", "--organisations", str(organisations))
    print(f"{database}: seeded in {time.monotonic() - started:.0f} s", flush=True)


# --- children: Django against the load database ---------------------------------------------------------


def django_setup() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()


def setup_accounts(staff: int, coordinators: int, path: Path) -> None:
    """The staff accounts and their editable, submittable forms; the coordinators; written to `path` as JSON."""
    django_setup()
    import random

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from monitoring.demo import _values_for
    from monitoring.models import EDITABLE_STATUSES, Submission
    from monitoring.selectors import (
        form_indicators,
        period_current,
        previous_values,
        submission_get,
        submission_values,
    )
    from monitoring.services import submission_save
    from monitoring.validation import check_submission, rules_for
    from pilots.demo import DEMO_PASSWORD, staff_account_fields
    from pilots.models import Organisation, Region, User

    today = timezone.localdate()
    period = period_current(today=today)
    if period is None or not period.is_open(today):
        sys.exit("no open quarter to fill in")
    rules = rules_for(period)
    password = make_password(LOAD_PASSWORD)  # one hash for all: hashing 200 one by one takes a minute
    regions = list(Region.objects.order_by("code"))
    # Organisations whose form the staff can no longer change this quarter (handed in, accepted) are left out.
    closed = Submission.objects.filter(period=period).exclude(status__in=EDITABLE_STATUSES).values("organisation")
    rng = random.Random(2026)
    chosen: list[dict] = []
    tried: set[int] = set()

    def submittable(organisation: Organisation) -> bool:
        """The organisation's staff account, and whether its form can be saved and submitted as it stands."""
        user, _created = User.objects.update_or_create(
            username=f"load-{organisation.bin}",
            defaults={**staff_account_fields(organisation), "password": password},
        )
        context = submission_get(user=user, bin=organisation.bin, period_code=period.code)
        if context.submission is None:
            numbers = _values_for(organisation, period, rng)
            indicators = form_indicators(period=period, submission=None)
            submission_save(
                user=user,
                context=context,
                indicators=indicators,
                values={i.code: typed(i, numbers.get(i.code)) for i in indicators},
                explanations={},
                version=0,
                submit=False,
            )
            context = submission_get(user=user, bin=organisation.bin, period_code=period.code)
        indicators = form_indicators(period=period, submission=context.submission)
        values, explanations = submission_values(submission=context.submission)
        outcome = check_submission(
            indicators=indicators,
            values=values,
            explanations=explanations,
            previous=previous_values(organisation=organisation, period=period),
            rules=rules,
        )
        asked = {i.code for i in indicators}
        return outcome.ok and values.get(NUDGED) is not None and WRITTEN in asked

    # As many in each region as an even spread gives, then, where a region has too few, more from the others.
    for quota in (-(-staff // len(regions)), staff):
        for region in regions:
            found = sum(account["region"] == region.code for account in chosen)
            candidates = Organisation.objects.filter(region=region).exclude(pk__in=closed).order_by("bin")
            for organisation in candidates.exclude(pk__in=tried).iterator():
                if found >= quota or len(chosen) == staff:
                    break
                tried.add(organisation.pk)
                if submittable(organisation):
                    chosen.append(
                        {
                            "username": f"load-{organisation.bin}",
                            "password": LOAD_PASSWORD,
                            "bin": organisation.bin,
                            "period": period.code,
                            "region": region.code,
                        }
                    )
                    found += 1
    if len(chosen) < staff:
        sys.exit(f"only {len(chosen)} organisations have a form the staff can fill and submit in {period.code}")
    coordinator_accounts = [
        {"username": f"region-{region.code.lower()}", "password": DEMO_PASSWORD, "region": region.code}
        for region in regions[:coordinators]
    ]
    missing = [a["username"] for a in coordinator_accounts if not User.objects.filter(username=a["username"]).exists()]
    if missing:
        sys.exit(f"the demo's coordinators are missing: {', '.join(missing)}")
    path.write_text(json.dumps({"staff": chosen, "coordinators": coordinator_accounts}, ensure_ascii=False, indent=1))
    print(
        f"{len(chosen)} staff in {len({a['region'] for a in chosen})} regions, {period.code}; "
        f"{len(coordinator_accounts)} coordinators",
        flush=True,
    )


def typed(indicator, raw):
    """A demo number as the form's cleaned value would be."""
    from decimal import Decimal

    from monitoring.models import Indicator

    if raw is None:
        return None
    if indicator.type == Indicator.Type.BOOLEAN:
        return bool(raw)
    if indicator.is_numeric:
        return Decimal(raw)
    return raw


def stored(indicator, raw, explanation: str) -> tuple:
    """(number, text, explanation) as the save writes a cleaned value (monitoring.services._write_values)."""
    from decimal import Decimal

    from monitoring.models import Indicator

    number, text = None, ""
    if indicator.is_numeric and raw is not None:
        number = Decimal(raw)
    elif indicator.type == Indicator.Type.BOOLEAN and raw is not None:
        number = Decimal(1 if raw else 0)
    elif indicator.type in (Indicator.Type.TEXT, Indicator.Type.CHOICE):
        text = raw or ""
    return number, text, explanation


def verify(writes: Path, path: Path) -> None:
    """Every acknowledged write, looked for in the database; the findings as JSON to `path`."""
    django_setup()
    records = [json.loads(line) for line in writes.read_text(encoding="utf-8").splitlines() if line.strip()]
    path.write_text(json.dumps(findings(records)))


def findings(records: list[dict]) -> dict:
    """What was acknowledged, by kind; the lost writes; saves stored whose success the client never saw."""
    from collections import Counter

    from monitoring.forms import SubmissionForm
    from monitoring.models import Status, Submission, Transition, Value
    from monitoring.selectors import form_indicators

    lost: dict[int, list[str]] = {}  # by the write's line in the log: one lost write, however many signs of it

    def losing(number: int, why: str) -> None:
        lost.setdefault(number, []).append(why)

    unacknowledged: list[str] = []
    kinds = Counter(r["kind"] for r in records)
    submissions = {}

    def submission_of(record) -> Submission:
        key = (record["bin"], record["period"])
        if key not in submissions:
            submissions[key] = Submission.objects.select_related("period").get(
                organisation__bin=record["bin"], period__code=record["period"]
            )
        return submissions[key]

    tokens = set()
    last: dict[tuple, int] = {}
    for number, record in enumerate(records, 1):
        if record["kind"] not in ("save", "submit"):
            continue
        submission = submission_of(record)
        tokens.add(record["token"])
        last[(record["bin"], record["period"])] = number
        if not Value.history.filter(submission_id=submission.pk, text=record["token"]).exists():
            losing(number, "its values are not in the values' history")
        if record["kind"] == "submit":
            became = (
                Submission.history.filter(id=submission.pk, version=record["version"] + 1, status=Status.SUBMITTED)
                .order_by("history_date")
                .first()
            )
            reviewed_after = (
                became is not None
                and Transition.objects.filter(
                    submission=submission, from_status=Status.SUBMITTED, at__gte=became.history_date
                ).exists()
            )
            if became is None:
                losing(number, f"the submission's history has no submitted version {record['version'] + 1}")
            elif submission.status != Status.SUBMITTED and not reviewed_after:
                losing(number, f"the submission is {submission.status}, and no review since its submit")

    # The latest acknowledged form of each organisation is what the database holds.
    for (bin_, period_code), number in last.items():
        record = records[number - 1]
        submission = submission_of(record)
        indicators = form_indicators(period=submission.period, submission=submission)
        rows = {v.indicator_id: v for v in Value.objects.filter(submission=submission).select_related("indicator")}
        current = next((v.text for v in rows.values() if v.indicator.code == WRITTEN), "")
        if current != record["token"] and current.startswith("load ") and current not in tokens:
            unacknowledged.append(f"{bin_} {period_code}: a later save stored, its answer never reached the user")
            continue
        form = SubmissionForm(record["data"], indicators=indicators, values={}, explanations={}, version=0)
        if not form.is_valid():
            losing(number, f"the acknowledged form no longer validates: {form.errors.as_json()}")
            continue
        values, explanations = form.values(), form.explanations()
        differs = []
        for indicator in indicators:
            want = stored(indicator, values.get(indicator.code), explanations.get(indicator.code, ""))
            row = rows.get(indicator.pk)
            have = (row.number, row.text, row.explanation) if row else (None, "", "")
            if want != have:
                differs.append(f"{indicator.code}: sent {want}, stored {have}")
        if differs:
            losing(number, "the last acknowledged form is not what is stored: " + "; ".join(differs))

    reviews = Counter(
        (r["bin"], r["period"], r["username"], r["kind"]) for r in records if r["kind"] in ("accept", "return")
    )
    decided = {"accept": Status.ACCEPTED, "return": Status.RETURNED}
    for number, ((bin_, period_code, username, decision), count) in enumerate(reviews.items(), len(records) + 1):
        submission = submission_of({"bin": bin_, "period": period_code})
        found = Transition.objects.filter(
            submission=submission, from_status=Status.SUBMITTED, to_status=decided[decision], by__username=username
        ).count()
        if found < count:
            losing(number, f"{decision} of {bin_} {period_code} by {username}: {count} acknowledged, {found} stored")
    described = [
        (f"{records[n - 1]['kind']} of {records[n - 1]['bin']} {records[n - 1]['period']} "
         f"(version {records[n - 1]['version']}, by {records[n - 1]['username']}): " if n <= len(records) else "")
        + "; ".join(reasons)
        for n, reasons in sorted(lost.items())
    ]  # fmt: skip
    return {"acknowledged": kinds, "lost": described, "unacknowledged": unacknowledged}


# --- the parent ----------------------------------------------------------------------------------------------


def child(mode: str, env: dict, *args: str) -> None:
    if subprocess.run([PYTHON, __file__, mode, *args], env=env).returncode:
        sys.exit(f"{mode[2:]} failed")


def start_gunicorn(env: dict, args, out: Path) -> subprocess.Popen:
    log = open(out / "gunicorn.log", "w")  # noqa: SIM115 (open as long as the server runs; closed with the process)
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "pilot_portal.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--error-logfile",
            "-",
            # Each request's endpoint and phase as the load's client named them, and the worker's time (µs):
            # what the client waited beyond it, the request spent queued for a free worker.
            "--access-logfile",
            str(out / "access.log"),
            "--access-logformat",
            "%({x-load-phase}i)s\t%({x-load-name}i)s\t%(s)s\t%(D)s",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped: see {out / 'gunicorn.log'}")
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{args.port}/accounts/login/", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not answer within 60 s")


def machine_cpu() -> tuple[float, float]:
    """The machine's busy and total core-seconds so far (/proc/stat): how saturated it was during the run tells a
    slow endpoint from a machine whose cores the load generator and the server share."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    per_second = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - idle) / per_second, sum(ticks) / per_second


def seconds(text: str) -> int:
    """5m, 90s, 1m30s or 300 as seconds."""
    match = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s?)?", text.strip())
    if not match or not any(match.groups()):
        raise argparse.ArgumentTypeError(f"not a duration: {text}")
    return int(match[1] or 0) * 60 + int(match[2] or 0)


def run_locust(env: dict, args, out: Path, accounts: Path, writes: Path, times: Path) -> None:
    """Locust for the users' start (each signs in) and then --run-time of work."""
    staff_and_coordinators = json.loads(accounts.read_text(encoding="utf-8"))
    users = len(staff_and_coordinators["staff"]) + len(staff_and_coordinators["coordinators"])
    starting = math.ceil(users / args.spawn_rate)
    # The locustfile stops the test itself --run-time after the last user signed in; locust's own limit is a net.
    locust_env = {
        **env,
        "LOAD_ACCOUNTS": str(accounts),
        "LOAD_WRITES": str(writes),
        "LOAD_TIMES": str(times),
        "LOAD_RUN_SECONDS": str(args.run_time),
        "LOAD_STAFF": str(len(staff_and_coordinators["staff"])),
        "LOAD_COORDINATORS": str(len(staff_and_coordinators["coordinators"])),
    }
    command = [
        str(BIN / "locust"), "-f", str(ROOT / "scripts" / "locustfile.py"), "--headless", "--only-summary",
        "--users", str(users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{starting + args.run_time + 600}s",
        "--stop-timeout", "30", "--host", f"http://127.0.0.1:{args.port}",
    ]  # fmt: skip
    with open(out / "locust.log", "w") as log:
        # Locust exits with 1 when a request failed: the table below says which.
        subprocess.run(command, env=locust_env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)


def percentile(sorted_times: list[float], share: float) -> float:
    """The nearest-rank percentile: the time `share` of the requests took at most."""
    return sorted_times[max(0, math.ceil(share * len(sorted_times)) - 1)]


def server_times(access_log: Path) -> dict[str, dict[str, list[float]]]:
    """The workers' own time of each request (ms), by phase and endpoint, from gunicorn's access log."""
    times: dict[str, dict[str, list[float]]] = {}
    for line in access_log.read_text(encoding="utf-8").splitlines():
        phase, name, _status, microseconds = line.split("\t")
        times.setdefault(phase, {}).setdefault(name, []).append(int(microseconds) / 1000)
    return times


def print_table(title: str, by_name: dict[str, list], server: dict[str, list[float]]) -> tuple[int, int]:
    """One line per endpoint: requests, failures, median, p95, max, and the server's median and p95;
    (failures, endpoints over the p95 target)."""
    print(title)
    header = (
        f"{'endpoint':<28} {'requests':>8} {'failures':>8} {'median':>9} {'p95':>9} {'max':>9}"
        f"  {'server median':>13} {'server p95':>10}"
    )
    print(header)
    print("-" * len(header))
    failures = over = 0
    everything = []
    for name in sorted(by_name):
        rows = by_name[name]
        everything += rows
        times = sorted(ms for ms, _failed in rows)
        failed = sum(failed for _ms, failed in rows)
        p95 = percentile(times, 0.95)
        failures += failed
        over += p95 > P95_TARGET_MS
        mark = " *" if p95 > P95_TARGET_MS else ""
        worker = sorted(server.get(name, []))
        at_server = f"{statistics.median(worker):>10.0f} ms {percentile(worker, 0.95):>7.0f} ms" if worker else ""
        print(
            f"{name:<28} {len(rows):>8} {failed:>8} {statistics.median(times):>6.0f} ms {p95:>6.0f} ms"
            f" {times[-1]:>6.0f} ms  {at_server}{mark}"
        )
    if everything:
        times = sorted(ms for ms, _failed in everything)
        print(
            f"{'all':<28} {len(times):>8} {failures:>8} {statistics.median(times):>6.0f} ms "
            f"{percentile(times, 0.95):>6.0f} ms {times[-1]:>6.0f} ms"
        )
    return failures, over


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=11000, help="100 (the demo) or more (default 11000)")
    parser.add_argument("--reuse", action="store_true", help="use load_<N> as it is, without seeding it again")
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--coordinators", type=int, default=20)
    parser.add_argument(
        "--run-time", type=seconds, default="5m", help="how long all users work, after they signed in (default 5m)"
    )
    parser.add_argument("--spawn-rate", type=float, default=4, help="users started per second (default 4)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--out", type=Path, default=Path("/tmp/pilot-load/run"), help="logs and results")
    parser.add_argument("--strict", action="store_true", help=f"exit with 1 also on a p95 over {P95_TARGET_MS} ms")
    parser.add_argument("--setup", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--verify", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        return setup_accounts(int(args.setup[0]), int(args.setup[1]), Path(args.setup[2]))
    if args.verify:
        return verify(Path(args.verify[0]), Path(args.verify[1]))

    database = f"load_{args.organisations}"
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    env = environment(database, out)
    if not args.reuse:
        seed(database, args.organisations, {**env, "DEBUG": "True"})
    accounts, writes, findings, times = (
        out / name for name in ("accounts.json", "writes.jsonl", "findings.json", "times.json")
    )
    writes.write_text("")
    child("--setup", env, str(args.staff), str(args.coordinators), str(accounts))
    manage(env, "collectstatic", "--noinput", "-v0")
    server = start_gunicorn(env, args, out)
    started = time.monotonic()
    cpu_before, locust_before = machine_cpu(), resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        run_locust(env, args, out, accounts, writes, times)
    finally:
        busy, total = (after - before for after, before in zip(machine_cpu(), cpu_before, strict=True))
        locust_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    locust_cpu = (locust_after.ru_utime + locust_after.ru_stime) - (locust_before.ru_utime + locust_before.ru_stime)
    print(
        f"ran {time.monotonic() - started:.0f} s; gunicorn stopped. The machine's cores were busy {busy / total:.0%} "
        f"of the time ({busy:.0f} of {total:.0f} core-seconds), {locust_cpu:.0f} of them locust's own",
        flush=True,
    )
    child("--verify", env, str(writes), str(findings))
    result = json.loads(findings.read_text())

    phases = json.loads(times.read_text())
    server = server_times(out / "access.log")
    print(
        f"\n{args.organisations:,} organisations, {args.staff} staff + {args.coordinators} coordinators, "
        f"gunicorn {args.workers} workers, PostgreSQL, DEBUG off, {os.cpu_count()} cores; client-side times"
    )
    failures, over = print_table(
        f"\nthe users starting, {args.spawn_rate:g} a second, each signing in "
        f"(until the last had, {phases.get('sign-in seconds', '?')} s):",
        phases["sign-in"],
        server.get("sign-in", {}),
    )
    more_failures, over = print_table(f"\nall users at work, {args.run_time} s:", phases["run"], server.get("run", {}))
    failures += more_failures
    print(
        f"(* p95 over {P95_TARGET_MS} ms. The server's time is the worker's, from gunicorn's access log; the rest of "
        "the client's is the wait for a free worker)"
    )
    acknowledged = result["acknowledged"]
    print(
        f"acknowledged writes: {acknowledged.get('save', 0)} saves, {acknowledged.get('submit', 0)} submits, "
        f"{acknowledged.get('accept', 0)} accepts, {acknowledged.get('return', 0)} returns"
    )
    print(f"lost writes: {len(result['lost'])}")
    for line in result["lost"]:
        print(f"  LOST {line}")
    for line in result["unacknowledged"]:
        print(f"  (not a loss) {line}")
    counts = {"failed requests": failures, "lost writes": len(result["lost"]), "endpoints over the p95": over}
    missed = [f"{count} {what}" for what, count in counts.items() if count]
    print(
        f"target (0 errors, 0 lost writes, p95 under {P95_TARGET_MS} ms per endpoint while all are at work): "
        + (f"missed: {', '.join(missed)}" if missed else "met")
    )
    sys.exit(1 if failures or result["lost"] or (args.strict and over) else 0)


if __name__ == "__main__":
    main()
