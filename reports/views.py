import re
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from monitoring.figures import periods_started
from pilot_portal.forms import errors_onto_form
from pilot_portal.stored_files import stored_file_response
from pilot_portal.uploads import display_file_name
from pilots import policy

from .approvals import report_approve, report_send
from .forms import VERIFY_MAX_BYTES, NarrativeForm, SendForm, SummaryForm, VerifyForm
from .letter import signed_pdf_name
from .models import Narrative
from .pages import report_detail_page, report_latest, report_list_page, report_request_form
from .selectors import (
    approval_by_signed_sha256,
    approvals_trusted_pems,
    report_can_approve,
    report_can_send,
    report_get,
    summaries,
    summary_can_write,
    summary_region,
    summary_target,
)
from .services import (
    BrokerUnavailable,
    narrative_save,
    report_queue,
    report_requeue,
    summary_save,
    summary_stamp,
)

# Named, not guessed from the file name: Python knows .docx only where the system's mime.types does.
CONTENT_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _readers_only(user):
    if not policy.can_read_reports(user):
        raise PermissionDenied


@login_required
def report_list_view(request):
    """Every report the user may read, and the form to compile a new one."""
    _readers_only(request.user)
    form = report_request_form(user=request.user, data=request.POST or None)
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
                errors_onto_form(form, error)
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
    page = report_list_page(user=request.user, params=request.GET, form=form)
    return render(request, "reports/list.html", page.as_context(), status=400 if request.method == "POST" else 200)


@login_required
@vary_on_headers("Accept")
def report_detail_view(request, report_id):
    """A report's progress while it compiles, its versions once compiled; JSON for the progress bar."""
    _readers_only(request.user)
    report = report_get(user=request.user, report_id=report_id)
    if "application/json" in request.headers.get("Accept", ""):
        version, approval, letter = report_latest(report)
        return JsonResponse(
            {
                "status": report.status,
                "progress": report.progress,
                "step": report.step_label,
                "error": report.error_label,
                "stale": report.is_stale,
                "pdf": reverse("report_pdf", args=[report.pk]) if version else None,
                "xlsx": reverse("report_xlsx", args=[report.pk]) if version else None,
                "docx": reverse("report_docx", args=[report.pk]) if version and version.docx else None,
                "values": reverse("report_values", args=[report.pk]) if version and version.values_csv else None,
                "approved": _approved_json(approval),
                "signed": _signed_json(approval),
                "sent": {"number": letter.number, "date": letter.date.strftime("%d.%m.%Y")} if letter else None,
            }
        )
    return render(request, "reports/detail.html", report_detail_page(user=request.user, report=report).as_context())


def _version_number(text: str) -> int | None:
    """A version number as typed in a URL or a form: ASCII digits only, and never absurdly long."""
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text or "") else None


def _approved_json(approval):
    if approval is None:
        return None
    return {
        "version": approval.version.number,
        "by": approval.approver_name,
        "at": timezone.localtime(approval.approved_at).isoformat(),
        "pdf_sha256": approval.pdf_sha256,
    }


def _signed_json(approval):
    if approval is None:
        return None
    return {
        "sha256": approval.signed_sha256,
        "certificate": approval.certificate_subject,
        "demonstration": approval.demonstration,
    }


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
def report_approve_view(request, report_id):
    """The director approves the latest version; it is signed with the Institute's key."""
    # Out of scope is 404 for everyone, organisation staff included (report_get); in scope, 403 unless allowed.
    report = report_get(user=request.user, report_id=report_id)
    if not report_can_approve(user=request.user, report=report):
        raise PermissionDenied
    seen = _version_number(request.POST.get("version", ""))
    try:
        approval = report_approve(user=request.user, report=report, seen_version=seen)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Version %(number)d is approved and signed with the Institute's key.")
            % {"number": approval.version.number},
        )
    return redirect("report_detail", report_id=report.pk)


@login_required
@require_POST
def report_send_view(request, report_id):
    """The Institute records the sending: the outgoing number and date; the portal writes the cover letter."""
    # Out of scope is 404 for everyone, organisation staff included (report_get); in scope, 403 unless allowed.
    report = report_get(user=request.user, report_id=report_id)
    if not report_can_send(user=request.user, report=report):
        raise PermissionDenied
    form = SendForm(request.POST)
    if form.is_valid():
        from .letter import default_addressee, default_signatory

        data = dict(form.cleaned_data)
        name, position = default_signatory(report.language)
        data["addressee"] = data["addressee"] or default_addressee(report.language)
        data["signatory_name"] = data["signatory_name"] or name
        data["signatory_position"] = data["signatory_position"] or position
        try:
            letter = report_send(user=request.user, report=report, **data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                # About the report, not the fields (sent already, not approved): the page says why.
                messages.error(request, " ".join(error.messages))
                return redirect("report_detail", report_id=report.pk)
            errors_onto_form(form, error)
            form.mark_invalid()
        else:
            messages.success(
                request,
                _("Sent with letter № %(number)s of %(date)s; the order's control card shows it.")
                % {"number": letter.number, "date": letter.date.strftime("%d.%m.%Y")},
            )
            return redirect("report_detail", report_id=report.pk)
    messages.error(request, _("The sending was not recorded: please correct the fields below."))
    page = report_detail_page(user=request.user, report=report, send_form=form)
    return render(request, "reports/detail.html", page.as_context(), status=400)


@login_required
def report_letter_view(request, report_id):
    """A cover letter as sent: the latest, or the one of ?version=N; PDF, or DOCX with ?format=docx."""
    _readers_only(request.user)
    report = report_get(user=request.user, report_id=report_id)
    letters = report.letters.select_related("approval__version").order_by("-date", "-pk")
    if "version" in request.GET:
        letters = letters.filter(approval__version__number=_version_number(request.GET["version"]) or -1)
    letter = letters.first()
    chosen = request.GET.get("format", "pdf")
    if letter is None or chosen not in ("pdf", "docx"):
        raise Http404("No such letter.")
    field = letter.docx if chosen == "docx" else letter.pdf
    name = f"{report.file_stem()}-v{letter.approval.version.number}-letter.{chosen}"
    return stored_file_response(request, field, filename=name, content_type=CONTENT_TYPES.get(chosen))


@login_required
def report_verify_view(request):
    """Anyone signed in uploads a PDF: is it a version this portal signed, and is it unchanged? A copy of a
    report the user may not read is answered like any unknown file."""
    from .signing import verify_pdf

    result = None
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > VERIFY_MAX_BYTES + 64 * 1024:
        # Refused before the upload is read and spooled to disk.
        form = VerifyForm()
        form.add_error(None, _("The file is larger than 50 MB: it is not a report of this portal."))
        return render(request, "reports/verify.html", {"form": form, "result": None}, status=400)
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        checked = verify_pdf(data, trusted_pems=approvals_trusted_pems())
        result = {
            "checked": checked,
            "approval": approval_by_signed_sha256(user=request.user, sha256=checked.sha256),
            "name": display_file_name(form.cleaned_data["file"].name),
        }
    return render(
        request,
        "reports/verify.html",
        {"form": form, "result": result},
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


def _download(request, report_id, number, ext):
    _readers_only(request.user)
    report = report_get(user=request.user, report_id=report_id)
    versions = report.versions.all()
    version = versions.filter(number=number).first() if number else versions.order_by("-number").first()
    if version is None:
        raise Http404("Not compiled yet.")
    field = {"pdf": version.pdf, "xlsx": version.xlsx, "docx": version.docx, "values": version.values_csv}[ext]
    signed = False
    if ext == "pdf" and request.GET.get("signed") != "0":
        # Once approved, the signed PDF is the report; the compiled one stays at ?signed=0.
        approval = version.approval_or_none
        if approval is not None:
            field, signed = approval.signed_pdf, True
    if not field:
        raise Http404("This version was compiled without this file.")
    suffix = "" if number is None else f"-v{version.number}"
    if ext == "values":
        name = f"{report.file_stem()}-values{suffix}.zip"
    elif signed:
        name = signed_pdf_name(version)  # as the cover letter lists it
    else:
        name = f"{report.file_stem()}{suffix}.{ext}"
    return stored_file_response(request, field, filename=name, content_type=CONTENT_TYPES.get(ext))


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
    if not policy.can_write_final_narrative(request.user):
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
