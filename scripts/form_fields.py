"""The fields a form of a page sends, as a browser sends them: what scripts/locustfile.py posts (and its test reads)."""

import html.parser


class FormFields(html.parser.HTMLParser):
    """The fields one <form> of the page sends, as a browser would: inputs, textareas, selected options."""

    def __init__(self, wanted):
        super().__init__(convert_charrefs=True)
        self.wanted = wanted
        self.inside = self.found = False
        self.fields: dict[str, str] = {}
        self.buttons: set[str] = set()
        self._textarea = self._select = None
        self._first_option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = not self.found and self.wanted(attrs)
            self.found = self.found or self.inside
            return
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "button":
            self.buttons.add(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""
        elif tag == "select":
            self._select, self._first_option = attrs["name"], None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
                self.fields.setdefault(self._select, value)
            if "selected" in attrs:
                self.fields[self._select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea and self.inside:
            self.fields[self._textarea] += data


def parse(page: str, *, form_id: str = "", action: str = "") -> FormFields:
    """The first form with that id, or that action, or (neither given) the first POST form without an action: the
    page's own, not the language switch or sign-out of the header."""
    if form_id:
        parser = FormFields(lambda attrs: attrs.get("id") == form_id)
    elif action:
        parser = FormFields(lambda attrs: attrs.get("action") == action)
    else:
        parser = FormFields(lambda attrs: attrs.get("method", "").lower() == "post" and not attrs.get("action"))
    parser.feed(page)
    return parser
