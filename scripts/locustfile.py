"""Locust users for scripts/load_test.py: organisation staff filling their quarterly form, regional coordinators
reviewing. Run through load_test.py, which sets up the accounts, the server and the check afterwards.

Environment: LOAD_ACCOUNTS (the JSON that load_test.py --setup wrote: staff and coordinators with their passwords)
and LOAD_WRITES (a file this appends one JSON line to for every save, submit and review the server acknowledged,
which load_test.py then looks for in the database).

Each user signs in through the real sign-in form, then acts like a person at a browser: one action, a pause of
5-15 s, the next. The server is reached as a browser reaches it behind the TLS proxy: X-Forwarded-Proto https,
the Origin and Referer a browser sends with a form, and the Secure session and CSRF cookies sent back."""

import itertools
import json
import os
import random
import re
import time
import uuid
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

from scripts.form_fields import parse  # locust runs with the project's root as its working directory

ACCOUNTS = (
    json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text(encoding="utf-8")) if "LOAD_ACCOUNTS" in os.environ else {}
)
STAFF = iter(ACCOUNTS.get("staff", []))
COORDINATORS = iter(ACCOUNTS.get("coordinators", []))
LOAD_BINS = {account["bin"] for account in ACCOUNTS.get("staff", [])}
# The number the staff change on every save (up one, then back): in no rule but the jump rule, which ±1 never trips.
NUDGED = "sessions_manual"
# The narrative each save writes anew, with a text no other save writes: the check afterwards looks for it.
WRITTEN = "difficulties"
WAITING = re.compile(r'href="/monitoring/(\d{12})/(\d{4}-Q\d)/"')
# Open for the whole run: every acknowledged write is appended as it happens.
_writes = open(os.environ["LOAD_WRITES"], "a", encoding="utf-8") if "LOAD_WRITES" in os.environ else None  # noqa: SIM115
_sequence = itertools.count(1)
# Every request's time and outcome by phase: "sign-in" until every user has signed in (each sign-in costs the
# password hash's 0.3 s of CPU by design), "run" from then on, for LOAD_RUN_SECONDS, after which the test stops.
# Locust's own statistics would mix the two.
TIMES: dict[str, dict[str, list]] = {"sign-in": {}, "run": {}}
_phase = "sign-in"
_signed_in = 0
_environment = None
_started = time.monotonic()


@events.init.add_listener
def _keep(environment, **_kwargs):
    global _environment
    _environment = environment


@events.request.add_listener
def _timed(name, response_time, exception=None, **_kwargs):
    TIMES[_phase].setdefault(name, []).append([round(response_time, 1), exception is not None])


def signed_in() -> None:
    """One more user at work; when all are, the timed run starts, and its end is set."""
    global _phase, _signed_in
    _signed_in += 1
    if _signed_in == len(ACCOUNTS.get("staff", [])) + len(ACCOUNTS.get("coordinators", [])):
        _phase = "run"
        TIMES["sign-in seconds"] = round(time.monotonic() - _started)
        gevent.spawn_later(float(os.environ.get("LOAD_RUN_SECONDS", "300")), _environment.runner.quit)


@events.quitting.add_listener
def _save_times(**_kwargs):
    if "LOAD_TIMES" in os.environ:
        Path(os.environ["LOAD_TIMES"]).write_text(json.dumps(TIMES))


def acknowledged(record: dict) -> None:
    """A write the server said it stored: one JSON line, flushed at once (gevent does not interleave a write)."""
    if _writes is not None:
        _writes.write(json.dumps(record, ensure_ascii=False) + "\n")
        _writes.flush()


class Browser(HttpUser):
    abstract = True
    wait_time = between(5, 15)

    def on_start(self):
        self.client.headers.update({"X-Forwarded-Proto": "https", "Accept-Language": "kk"})
        self.account = next(self.accounts)
        page = self.get("/accounts/login/", name="sign in: page") or ""
        fields = parse(page)
        data = {**fields.fields, "username": self.account["username"], "password": self.account["password"]}
        with self.post("/accounts/login/", data, name="sign in", referer="/accounts/login/") as response:
            if response.status_code != 302:
                response.failure(f"sign-in refused: {response.status_code}")
        signed_in()

    def post(self, path: str, data: dict, *, name: str, referer: str):
        origin = "https://" + self.host.split("://", 1)[1].rstrip("/")
        return self.client.post(
            path,
            data=data,
            name=name,
            allow_redirects=False,
            catch_response=True,
            headers={"Origin": origin, "Referer": origin + referer, **self.cookies(), **self.tagged(name)},
        )

    def cookies(self) -> dict:
        """The portal runs behind TLS, so its cookies are Secure, and requests would not send them over the plain
        HTTP this test uses (it leaves the proxy out): they are sent by hand, as the browser sends them."""
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.client.cookies)}

    @staticmethod
    def tagged(name: str) -> dict:
        """The endpoint and phase, for gunicorn's access log: the server's own time of each, beside the client's."""
        return {"X-Load-Name": name, "X-Load-Phase": _phase}

    def get(self, path: str, *, name: str) -> str | None:
        headers = {**self.cookies(), **self.tagged(name)}
        with self.client.get(path, name=name, catch_response=True, headers=headers) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            return response.text


class OrganisationStaff(Browser):
    """Opens the organisation's form for the open quarter, saves it a few times, submits; when the coordinator
    returns it, starts again. Every save changes one number and rewrites a narrative (always on the page) with a
    text no other save writes."""

    fixed_count = int(os.environ.get("LOAD_STAFF", "200"))
    accounts = STAFF

    def on_start(self):
        super().on_start()
        self.url = f"/monitoring/{self.account['bin']}/{self.account['period']}/"
        self.page = None
        self.saves_before_submit = random.randint(1, 3)

    @task
    def next_step(self):
        form = parse(self.page, form_id="submission-form") if self.page else None
        if form is None or not {"save", "submit"} <= form.buttons:
            # Not open yet, or submitted and waiting for the coordinator: the person looks at it again.
            self.page = self.get(self.url, name="form: open")
            return
        action = "save" if self.saves_before_submit > 0 else "submit"
        data = dict(form.fields)
        number = int(re.sub(r"\D", "", data[NUDGED]))
        data[NUDGED] = str(number + 1 if number % 2 == 0 else number - 1)
        token = f"load {self.account['username']} {next(_sequence)} {uuid.uuid4().hex[:8]}"
        data[WRITTEN] = token
        data["action"] = action
        with self.post(self.url, data, name=f"form: {action}", referer=self.url) as response:
            location = response.headers.get("Location", "")
            if response.status_code == 302 and "saved=1" in location:
                acknowledged(
                    {
                        "kind": action,
                        "username": self.account["username"],
                        "bin": self.account["bin"],
                        "period": self.account["period"],
                        "version": int(data["version"]),
                        "token": token,
                        "data": {k: v for k, v in data.items() if k not in ("csrfmiddlewaretoken", "action")},
                    }
                )
            else:
                response.failure(f"{action} not acknowledged: HTTP {response.status_code} {location}")
                self.page = None
                return
        self.saves_before_submit -= 1
        if action == "submit":
            self.saves_before_submit = random.randint(1, 3)
        # The browser follows the redirect: the form again, with the new version.
        self.page = self.get(location, name="form: open")


class Coordinator(Browser):
    """A regional coordinator: the review queue, the region's dashboard, and reviewing what waits (the load's own
    organisations first, so the staff get theirs back): accept, or return for correction with a comment."""

    fixed_count = int(os.environ.get("LOAD_COORDINATORS", "20"))
    accounts = COORDINATORS

    def on_start(self):
        super().on_start()
        self.waiting: list[str] = []

    @task(3)
    def queue(self):
        page = self.get("/monitoring/", name="queue")
        if page:
            links = [f"/monitoring/{bin_}/{period}/" for bin_, period in WAITING.findall(page)]
            ours = [link for link in links if link.split("/")[2] in LOAD_BINS]
            self.waiting = ours or links

    @task(2)
    def dashboard(self):
        self.get(f"/dashboard/{self.account['region']}/", name="dashboard (regional)")

    @task(3)
    def review(self):
        if not self.waiting:
            return self.queue()
        url = self.waiting.pop(0)
        page = self.get(url, name="review: open")
        action = url + "review/"
        form = parse(page, action=action) if page else None
        if form is None or not form.found:
            return  # reviewed meanwhile, or not waiting any more
        decision = "accept" if random.random() < 0.4 else "return"
        data = {**form.fields, "decision": decision}
        if decision == "return":
            data["comment"] = f"load test: please check the sessions ({uuid.uuid4().hex[:8]})"
        with self.post(action, data, name="review: decide", referer=url) as response:
            if response.status_code != 302:
                response.failure(f"review not recorded: HTTP {response.status_code}")
                return
        after = self.get(url, name="review: open")
        if after is not None and "alert alert-danger" in after:
            # The review view answers a stale decision with a redirect too, and says so on the next page.
            events.request.fire(
                request_type="POST",
                name="review: decide (refused as stale)",
                response_time=0,
                response_length=0,
                exception=RuntimeError("refused as stale"),
            )
            return
        acknowledged(
            {
                "kind": decision,
                "username": self.account["username"],
                "bin": url.split("/")[2],
                "period": url.split("/")[3],
                "version": int(data["version"]),
            }
        )
