"""The crawl's machinery: every URL pattern the resolver knows, the POST forms a page shows, and a
fingerprint of the whole database. What to expect of each page lives in test_crawl.py."""

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone

# Bookkeeping that signing in and out writes by design, whoever the user: not the portal's data.
# Sessions (force_login, logout), django-axes' attempts and logs (every sign-in, failed or not).
BOOKKEEPING_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}

ARGUMENT = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Pattern:
    """One URL pattern with its full route (prefixes of include() joined), e.g. monitoring/<str:bin>/<str:period>/."""

    name: str  # "namespace:name", or the route itself when the pattern has no name
    route: str
    arguments: tuple[str, ...]

    def context_of(self, argument: str) -> str:
        """The literal path segment before an argument ("activities" for organisations/<bin>/activities/<code>/):
        what tells apart two arguments of the same name."""
        match = next(m for m in ARGUMENT.finditer(self.route) if m.group("name") == argument)
        before = self.route[: match.start()]
        segments = [s for s in before.split("/")[:-1] if s and "<" not in s]
        return segments[-1] if segments else ""

    def url(self, values: dict[str, str]) -> str:
        return "/" + ARGUMENT.sub(lambda m: str(values[m.group("name")]), self.route)


class UnfillablePattern(Exception):
    """A pattern the crawl cannot walk (a regular expression route outside the admin)."""


def url_patterns(*, skip_prefixes: tuple[str, ...] = ("admin/",)) -> tuple[list[Pattern], list[str]]:
    """Every URL pattern of the project, included ones too, except those under skip_prefixes.
    Returns (patterns, problems): a problem is a pattern the crawl cannot turn into a URL."""
    patterns, problems = [], []

    def walk(entries, prefix: str, namespace: str):
        for entry in entries:
            route = str(entry.pattern)
            if isinstance(entry, URLResolver):
                full = prefix + route
                if any(full.startswith(p) for p in skip_prefixes):
                    continue
                if not isinstance(entry.pattern, RoutePattern):
                    problems.append(f"{full!r}: an include() under a regular expression; give it a path() route")
                    continue
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, full, ns)
            elif isinstance(entry, URLPattern):
                full = prefix + route
                if not isinstance(entry.pattern, RoutePattern):
                    problems.append(f"{full!r}: a re_path(); the crawl fills path() routes only")
                    continue
                name = f"{namespace}{entry.name}" if entry.name else full
                arguments = tuple(m.group("name") for m in ARGUMENT.finditer(full))
                patterns.append(Pattern(name=name, route=full, arguments=arguments))

    walk(get_resolver().url_patterns, "", "")
    return patterns, problems


# Forms ---------------------------------------------------------------------------------------------------------------


@dataclass
class Form:
    action: str  # path (and query) the form posts to
    fields: list[tuple[str, object]] = field(default_factory=list)  # (name, value); a value may be an Upload
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons: one body each

    def bodies(self) -> list[list[tuple[str, object]]]:
        """The bodies a person can send with this form: one per named submit button, else one."""
        if not self.buttons:
            return [list(self.fields)]
        return [[*self.fields, button] for button in self.buttons]


@dataclass(frozen=True)
class Upload:
    """A file to attach; a fresh SimpleUploadedFile is made for each request."""

    name: str
    content: bytes


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _filled(kind: str, name: str) -> str:
    """A sensible value for a required field the page left empty."""
    today = timezone.localdate()
    if kind == "number":
        return "1"
    if kind == "date":
        return today.isoformat()
    if kind == "email":
        return "crawl@example.org"
    if "date" in name or name.endswith("_on"):
        return today.strftime("%d.%m.%Y")
    return "crawl"


class _FormParser(HTMLParser):
    def __init__(self, page_url: str, xlsx: bytes):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.xlsx = xlsx
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.radios: dict[str, str] = {}
        self.select: tuple[str, dict] | None = None
        self.select_options: list[tuple[str, bool]] = []
        self.textarea: tuple[str, dict] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                action = urljoin(self.page_url, a.get("action") or self.page_url)
                parts = urlsplit(action)
                self.current = Form(action=parts.path + (f"?{parts.query}" if parts.query else ""))
                self.radios = {}
            return
        if self.current is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "button"):
                if kind == "submit":
                    self.current.buttons.append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.current.fields.append((name, a.get("value", "on")))
                elif kind == "radio":
                    self.radios.setdefault(name, a.get("value", "on"))
            elif kind == "file":
                accept = a.get("accept", "")
                upload = Upload("crawl.xlsx", self.xlsx) if "xlsx" in accept else Upload("crawl.pdf", PDF)
                self.current.fields.append((name, upload))
            else:
                value = a.get("value", "")
                if not value and "required" in a:
                    value = _filled(kind, name)
                self.current.fields.append((name, value))
        elif tag == "button" and name and a.get("type", "submit").lower() == "submit":
            self.current.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select = (name, a)
            self.select_options = []
        elif tag == "option" and self.select is not None:
            self.select_options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self.textarea = (name, a)
            self.text = []

    def handle_data(self, data):
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag):
        if self.current is None:
            return
        if tag == "select" and self.select is not None:
            name, _attrs = self.select
            chosen = [v for v, selected in self.select_options if selected]
            non_empty = [v for v, _s in self.select_options if v]
            value = chosen[0] if chosen else (non_empty[0] if non_empty else "")
            self.current.fields.append((name, value))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, attrs = self.textarea
            value = "".join(self.text).strip("\n")
            if not value and "required" in attrs:
                value = "crawl"
            self.current.fields.append((name, value))
            self.textarea = None
        elif tag == "form":
            # A radio group with nothing checked sends its first choice, as a person picking one would.
            taken = {n for n, _v in self.current.fields}
            self.current.fields += [(n, v) for n, v in self.radios.items() if n not in taken]
            self.forms.append(self.current)
            self.current = None


def post_forms(html: str, *, page_url: str, xlsx: bytes = b"") -> list[Form]:
    """The <form method=post> of a page with the values the page gives them (required empties filled)."""
    parser = _FormParser(page_url, xlsx)
    parser.feed(html)
    parser.close()
    return parser.forms


# Database fingerprint ----------------------------------------------------------------------------------------------


def fingerprint_tables() -> list[str]:
    """Every table of every model (many-to-many tables too), except sign-in bookkeeping."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        tables.add(meta.db_table)
    return sorted(tables - BOOKKEEPING_TABLES)


def database_fingerprint() -> dict[str, str]:
    """{table: SHA-256 of all its rows ordered by the first column (the primary key)}: equal before and after
    means nothing was written, whatever the model and whether or not the code under test knows of it."""
    result = {}
    with connection.cursor() as cursor:
        for table in fingerprint_tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            result[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return result


def fingerprint_difference(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?", re.IGNORECASE)


def written_tables(queries: list[dict]) -> set[str]:
    """Tables an INSERT, UPDATE or DELETE touched among captured queries (bookkeeping aside): a cheap pointer
    to which request wrote, next to the fingerprint that says whether anything did."""
    tables = set()
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and match.group(2) not in BOOKKEEPING_TABLES:
            tables.add(match.group(2))
    return tables
