from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from monitoring.figures import periods_started
from pilots.models import User
from pilots.selectors import region_scope

from .forms import NarrativeForm, ReportRequestForm, SummaryForm
from .models import Narrative
from .selectors import (
    report_can_mark_sent,
    report_can_queue,
    report_get,
    report_list,
    summaries,
    summary_can_write,
    summary_region,
    summary_target,
)
from .services import (
    BrokerUnavailable,
    narrative_save,
    report_mark_sent,
    report_queue,
    report_requeue,
    summary_save,
    summary_stamp,
)

# Named, not guessed from the file name: Python knows .docx only where the system's mime.types does.
CONTENT_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}

READERS = (User.Role.INSTITUTE, User.Role.MINISTRY, User.Role.ADMIN, User.Role.REGION)


def _readers_only(user):
    if user.role not in READERS:
        raise PermissionDenied


@login_required
def report_list_view(request):
    """Every report the user may read, and the form to compile a new one."""
    _readers_only(request.user)
    form = ReportRequestForm(
        request.POST or None,
        user=request.user,
        periods=periods_started(today=timezone.localdate()),
        regions=region_scope(user=request.user),
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                report, created = report_queue(
                    user=request.user,
                    kind=data["kind"],
                    period=data["period"],
                    region=data["region"],
                    language=data["language"],
                )
            except ValidationError as error:
                for field, errors in error.error_dict.items():
                    for item in errors:
                        form.add_error(field if field in form.fields else None, item)
            except BrokerUnavailable:
                messages.warning(
                    request,
                    _("The report is recorded, but the background worker is unreachable now; it waits in the queue."),
                )
                return redirect("report_list")
            else:
                if not created:
                    messages.info(request, _("This report is already being compiled; here it is."))
                return redirect("report_detail", report_id=report.pk)
        if not form.is_valid() and request.method == "POST":
            messages.error(request, _("The report was not queued: please correct the choices below."))
    page = Paginator(report_list(user=request.user), 25).get_page(request.GET.get("page"))
    can_queue = request.user.role in (User.Role.INSTITUTE, User.Role.ADMIN, User.Role.REGION)
    can_write_summaries = summary_can_write(user=request.user, region=summary_region(user=request.user))
    return render(
        request,
        "reports/list.html",
        {"form": form, "page": page, "can_queue": can_queue, "can_write_summaries": can_write_summaries},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@vary_on_headers("Accept")
def report_detail_view(request, report_id):
    """A report's progress while it compiles, its versions once compiled; JSON for the progress bar."""
    _readers_only(request.user)
    report = report_get(user=request.user, report_id=report_id)
    version = report.latest_version
    stale = report.is_stale
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "status": report.status,
                "progress": report.progress,
                "step": report.step_label,
                "error": report.error_label,
                "stale": stale,
                "pdf": reverse("report_pdf", args=[report.pk]) if version else None,
                "xlsx": reverse("report_xlsx", args=[report.pk]) if version else None,
                "docx": reverse("report_docx", args=[report.pk]) if version and version.docx else None,
                "values": reverse("report_values", args=[report.pk]) if version and version.values_csv else None,
            }
        )
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "stale": stale,
            "versions": report.versions.order_by("-number"),
            "can_requeue": report_can_queue(user=request.user, kind=report.kind, region=report.region),
            "can_mark_sent": report_can_mark_sent(user=request.user, report=report) and version and not report.sent_at,
            "summary_url": _summary_url(request.user, report),
        },
    )


def _summary_url(user, report) -> str:
    """Where the user writes the summary this report prints, if it prints one they write."""
    if report.kind == report.Kind.FINAL or not summary_can_write(user=user, region=report.region):
        return ""
    if report.region_id:
        return reverse("report_region_summary", args=[report.period.code, report.region.code])
    return reverse("report_quarter_summary", args=[report.period.code])


@login_required
@require_POST
def report_requeue_view(request, report_id):
    report = report_get(user=request.user, report_id=report_id)
    try:
        report_requeue(user=request.user, report=report)
    except BrokerUnavailable:
        messages.warning(request, _("The background worker cannot be reached now; the report waits in the queue."))
    return redirect("report_detail", report_id=report.pk)


@login_required
@require_POST
def report_mark_sent_view(request, report_id):
    report = report_get(user=request.user, report_id=report_id)
    try:
        report_mark_sent(user=request.user, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Recorded as sent to the Department; the order's control card shows it."))
    return redirect("report_detail", report_id=report.pk)


def _download(request, report_id, number, ext):
    _readers_only(request.user)
    report = report_get(user=request.user, report_id=report_id)
    versions = report.versions.all()
    version = versions.filter(number=number).first() if number else versions.order_by("-number").first()
    if version is None:
        raise Http404("Not compiled yet.")
    field = {"pdf": version.pdf, "xlsx": version.xlsx, "docx": version.docx, "values": version.values_csv}[ext]
    if not field:
        raise Http404("This version was compiled without this file.")
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    suffix = "" if number is None else f"-v{version.number}"
    name = f"{report.file_stem()}-values{suffix}.zip" if ext == "values" else f"{report.file_stem()}{suffix}.{ext}"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=CONTENT_TYPES.get(ext))


@login_required
def report_pdf_view(request, report_id, number=None):
    return _download(request, report_id, number, "pdf")


@login_required
def report_xlsx_view(request, report_id, number=None):
    return _download(request, report_id, number, "xlsx")


@login_required
def report_docx_view(request, report_id, number=None):
    """The working copy to edit in Word; the PDF stays the original."""
    return _download(request, report_id, number, "docx")


@login_required
def report_values_view(request, report_id, number=None):
    """Every accepted value in long form, the zipped CSV file beside the workbook."""
    return _download(request, report_id, number, "values")


@login_required
def narrative_view(request):
    """The Institute writes the final report's conclusions and recommendations, saved as drafts."""
    if request.user.role not in (User.Role.INSTITUTE, User.Role.ADMIN):
        raise PermissionDenied
    form = NarrativeForm(
        request.POST or None, initial=NarrativeForm.initial_from(list(Narrative.objects.filter(period=None)))
    )
    if request.method == "POST" and form.is_valid():
        for section, language, text in form.pairs():
            narrative_save(user=request.user, section=section, language=language, text=text)
        messages.success(request, _("Saved. The next compilation of the final report prints these texts."))
        return redirect("report_narrative")
    latest = Narrative.objects.filter(period=None).select_related("updated_by").order_by("-updated_at").first()
    return render(request, "reports/narrative.html", {"form": form, "latest": latest})


@login_required
def summary_list_view(request):
    """The quarters whose summary the user writes: the Institute's own, or a coordinator's region's."""
    region = summary_region(user=request.user)
    if not summary_can_write(user=request.user, region=region):
        raise PermissionDenied
    periods = periods_started(today=timezone.localdate())
    written = defaultdict(dict)
    for narrative in summaries(region=region):
        written[narrative.period_id][narrative.language] = narrative
    rows = [(p, written[p.pk].get("kk"), written[p.pk].get("ru")) for p in reversed(periods)]
    return render(request, "reports/summaries.html", {"rows": rows, "region": region})


@login_required
def summary_view(request, period, region=""):
    """A quarter's summary: the Institute's for the quarterly report, a coordinator's for their region's report."""
    period, region = summary_target(user=request.user, period_code=period, region_code=region)
    if not summary_can_write(user=request.user, region=region):
        raise PermissionDenied
    saved = list(summaries(period=period, region=region))
    form = SummaryForm(request.POST or None, initial={**SummaryForm.initial_from(saved), "seen": summary_stamp(saved)})
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            summary_save(
                user=request.user,
                period=period,
                region=region,
                texts=form.changed_texts(),
                seen=form.cleaned_data["seen"],
            )
        except ValidationError as error:
            # The writer's changed text stays in the form, and the language they left alone shows what was
            # saved meanwhile; the next save goes over what was saved only where the writer changed it.
            changed = form.changed_texts()
            data = request.POST.copy()
            for key, value in SummaryForm.initial_from(saved).items():
                if key.startswith("base_"):
                    data[key] = value
            for language in ("kk", "ru"):
                if language not in changed:
                    data[f"text_{language}"] = next((n.text for n in saved if n.language == language), "")
            data["seen"] = summary_stamp(saved)
            form = SummaryForm(data)
            form.is_valid()
            form.add_error(None, error)
            stale = True
        else:
            messages.success(request, _("Saved. The next compilation of the report for this quarter prints it."))
            return redirect(request.path)
    return render(
        request,
        "reports/summary.html",
        {
            "form": form,
            "period": period,
            "region": region,
            "saved": {n.language: n for n in saved},
            "latest": max(saved, key=lambda n: n.updated_at, default=None),
            "stale": stale,
        },
        status=400 if request.method == "POST" else 200,
    )
