"""In-process mode (no broker, as under `make run`) with the background thread on, as the dev server
runs it: a page that starts a compilation answers before the compilation ends."""

import threading

import pytest
from django.urls import reverse

from pilots.models import User
from reports.models import Report


def _background_tasks():
    return [t for t in threading.enumerate() if t.name.startswith("in-process ")]


@pytest.mark.django_db(transaction=True)
def test_compile_answers_at_once_and_the_report_compiles_after_the_response(client, settings, monkeypatch, demo):
    settings.TASKS_IN_BACKGROUND = True
    # The compilation waits for the test's word, so that what the page answered is read while the
    # compilation has certainly not ended; inline, the POST itself would wait here (and the test fail).
    from reports import tasks

    go_on, compile_report = threading.Event(), tasks.report_compile

    def compile_when_told(**kwargs):
        go_on.wait(timeout=30)
        return compile_report(**kwargs)

    monkeypatch.setattr(tasks, "report_compile", compile_when_told)
    client.force_login(User.objects.get(username="institute"))

    response = client.post(reverse("report_list"), {"kind": "final", "language": "kk"})

    report = Report.objects.get()
    assert response.status_code == 302 and response.url == reverse("report_detail", args=[report.pk])
    assert report.status == Report.Status.QUEUED and not go_on.is_set()
    running = _background_tasks()
    assert [t.name for t in running] == ["in-process reports.tasks.compile_report"]

    go_on.set()
    running[0].join(timeout=300)
    report.refresh_from_db()
    assert (report.status, report.progress) == (Report.Status.DONE, 100), report.error
    assert report.versions.count() == 1
    status = client.get(reverse("report_detail", args=[report.pk]), headers={"Accept": "application/json"}).json()
    assert status["status"] == "done" and status["pdf"]
