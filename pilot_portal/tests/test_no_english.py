"""No English on a Kazakh or Russian page: the admin (Django's own strings included) and the portal's pages, for
each demo role, read in kk and ru, show no visible text, title, label, placeholder or alt in Latin letters only,
except what is a name or a code in every language (ALLOWED)."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from monitoring.models import Period
from pilots.models import Organisation, User
from reports.models import Report

pytestmark = pytest.mark.django_db

LANGUAGES = ("kk", "ru")
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
# A text is English when it holds a Latin word of three letters or more and no Cyrillic letter.
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")
# Names and codes that are the same in every language: an account name (issue 13 makes them people's names),
# a BIN or code, a file format, a digest, the language's own name in the language switcher.
ALLOWED = re.compile(
    r"^(?:"
    r"admin|institute|ministry|director|region-kz-\d+|org-\d{12}"
    r"|KZ-\d+|\d{4}-Q\d|final|PDF|XLSX|DOCX|CSV|JSON|SHA-256|UTC\+5|BIN"
    r"|English|Қазақша|Русский|[\w.+-]+@[\w.-]+|https?://\S+|[A-Za-z0-9+/=*]{20,}"
    # django-axes titles its records with an English f-string (its __str__), and stores "<unknown>" for a
    # request without a User-Agent (the test client's): a record's name, not a sentence of the portal's.
    r"|(?:› )?Access (?:Log|Attempt|Failure) for .*|<unknown>"
    r")$"
)


def data_words() -> set[str]:
    """What the admin shows as data, the same in every language: the codes of the catalogue's rows (indicators
    and their choices, sections, rules, stages, periods), which the Institute types in rules and reads in exports,
    and the English names of rows, which the admin lists in a column of their own beside the Kazakh and Russian."""
    from django.apps import apps

    words = set()
    for model in [*apps.get_app_config("pilots").get_models(), *apps.get_app_config("monitoring").get_models()]:
        fields = {field.name for field in model._meta.fields}
        if "code" in fields:
            words |= set(model.objects.values_list("code", flat=True))
        if "name_en" in fields:
            words |= set(model.objects.exclude(name_en="").values_list("name_en", flat=True))
    from monitoring.models import Indicator

    for choices in Indicator.objects.exclude(choices=[]).values_list("choices", flat=True):
        words |= {choice["code"] for choice in choices}
    return words


class VisibleText(HTMLParser):
    """Text nodes outside script and style, and the attributes a reader or a screen reader meets."""

    def __init__(self):
        super().__init__()
        self.hidden = 0
        self.in_english_field = False
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1
        # The admin edits each text in kk, ru and en: the English field holds English by design.
        if tag == "textarea" and (dict(attrs).get("name") or "").endswith("_en"):
            self.in_english_field = True
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.found.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden -= 1
        if tag == "textarea":
            self.in_english_field = False

    def handle_data(self, data):
        if not self.hidden and not self.in_english_field and data.strip():
            self.found.append(" ".join(data.split()))


IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def english_on(html: str, data: frozenset[str] = frozenset()) -> list[str]:
    """The English texts of a page: Latin words and no Cyrillic, and not only names, codes or data ("› " is the
    breadcrumb's separator; "excursions=2.00" is a value's code and number)."""
    parser = VisibleText()
    parser.feed(html)
    found = set()
    for text in parser.found:
        text = text.removeprefix("› ")
        if not LATIN_WORD.search(text) or CYRILLIC.search(text) or ALLOWED.match(text) or text in data:
            continue
        if all(word in data for word in IDENTIFIER.findall(text)):
            continue
        found.add(text)
    return sorted(found)


def reader(username: str, language: str) -> Client:
    user = User.objects.get(username=username)
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def english_found(client: Client, paths: list[str], language: str) -> dict[str, list[str]]:
    found = {}
    data = frozenset(data_words())
    for path in paths:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language, follow=True)
        assert response.status_code == 200, (path, response.status_code)
        if english := english_on(response.content.decode(), data):
            found[path] = english
    return found


def admin_paths(user: User) -> list[str]:
    """The admin's index, each app's index, and each registered model's list, add form (where the admin may add)
    and first object's form."""
    request = RequestFactory().get("/admin/")
    request.user = user
    paths = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        paths.append(reverse("admin:app_list", args=[meta.app_label]))
        paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        if model_admin.has_add_permission(request):
            paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
    return sorted(set(paths))


def portal_paths(username: str) -> list[str]:
    organisation = Organisation.objects.order_by("pk").first()
    period = Period.objects.order_by("starts_on").first()
    report = Report.objects.order_by("pk").first()
    every_role = ["/", reverse("password_change")]
    pages = {
        "institute": [
            reverse("national_dashboard"),
            reverse("regional_dashboard", args=["KZ-71"]),
            reverse("monitoring_queue"),
            reverse("organisation_list"),
            reverse("organisation_detail", args=[organisation.bin]),
            reverse("submission", args=[organisation.bin, period.code]),
            reverse("submission_history", args=[organisation.bin, period.code]),
            reverse("report_list"),
            *([reverse("report_detail", args=[report.pk])] if report else []),
            reverse("report_summaries"),
            reverse("report_narrative"),
            reverse("order"),
        ],
        "region-kz-71": [reverse("regional_dashboard", args=["KZ-71"]), reverse("monitoring_queue"), reverse("order")],
        "ministry": [reverse("national_dashboard"), reverse("report_list"), reverse("order")],
    }
    staff = User.objects.filter(username__startswith="org-").select_related("organisation").order_by("pk").first()
    if username == staff.username:
        bin = staff.organisation.bin
        pages[username] = [
            reverse("submission", args=[bin, period.code]),
            reverse("organisation_detail", args=[bin]),
            reverse("order"),
        ]
    return every_role + pages[username]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admin_shows_no_english_to_a_kazakh_or_russian_reader(demo, language):
    client = reader("admin", language)
    assert english_found(client, admin_paths(User.objects.get(username="admin")), language) == {}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("username", ["institute", "region-kz-71", "ministry", "staff"])
def test_the_portals_pages_show_no_english_to_a_kazakh_or_russian_reader(demo, language, username):
    if username == "staff":
        username = User.objects.filter(username__startswith="org-").order_by("pk").first().username
    client = reader(username, language)
    assert english_found(client, portal_paths(username), language) == {}


def test_the_sign_in_page_shows_no_english_in_kazakh_or_russian(db):
    for language in LANGUAGES:
        client = Client()
        client.cookies["django_language"] = language
        response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert CYRILLIC.search(response.content.decode())  # the positive control: the page has its words
        assert english_on(response.content.decode()) == []


def test_english_left_on_a_page_is_found(demo):
    # The control: the same reading of an admin page finds English text, a title and an alt when they are there.
    client = reader("admin", "kk")
    html = client.get(reverse("admin:index")).content.decode()
    planted = html.replace(
        "</body>", '<p>Recent changes</p><img alt="Search" src="x"><a title="View site">x</a></body>'
    )
    assert english_on(html) == []
    assert english_on(planted) == ["Recent changes", "Search", "View site"]


def test_the_admin_names_axes_and_a_boolean_in_the_readers_language(demo):
    client = reader("admin", "ru")
    index = client.get(reverse("admin:index")).content.decode()
    users = client.get(reverse("admin:pilots_user_changelist")).content.decode()
    assert "Попытки входа" in index and ">Axes<" not in index
    assert 'alt="Да"' in users and 'alt="True"' not in users


def test_the_csrf_failure_page_shows_no_english_in_kazakh_or_russian(db):
    for language in LANGUAGES:
        client = Client(enforce_csrf_checks=True)
        client.cookies["django_language"] = language
        response = client.post(reverse("login"), {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 403
        assert CYRILLIC.search(response.content.decode())
        assert english_on(response.content.decode()) == []
