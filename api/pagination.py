"""Lists a page at a time by an opaque cursor: `{"results": [...], "next": url or null}`.

The cursor is DRF's, signed: one that was altered (or made up) is refused with 400 instead of being read
as some other position, or reaching the database as a value of the wrong type."""

from base64 import b64decode, b64encode
from urllib import parse

from django.core import signing
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import Cursor as Position
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

SIGNER = signing.Signer(salt="api.pagination.cursor")


class Cursor(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "pk"

    def encode_cursor(self, cursor):
        tokens = {}
        if cursor.offset != 0:
            tokens["o"] = str(cursor.offset)
        if cursor.reverse:
            tokens["r"] = "1"
        if cursor.position is not None:
            tokens["p"] = cursor.position
        encoded = b64encode(parse.urlencode(tokens).encode("ascii")).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, SIGNER.sign(encoded))

    def decode_cursor(self, request):
        signed = request.query_params.get(self.cursor_query_param)
        if signed is None:
            return None
        try:
            tokens = parse.parse_qs(b64decode(SIGNER.unsign(signed).encode("ascii")).decode("ascii"))
            offset = int(tokens.get("o", ["0"])[0])
            reverse = tokens.get("r", ["0"])[0] == "1"
            position = tokens.get("p", [None])[0]
            if position is not None:
                int(position)  # every list is ordered by its primary key
        except (signing.BadSignature, TypeError, ValueError):
            raise exceptions.ParseError(
                {self.cursor_query_param: [_("The cursor is not valid: use the `next` address as the API gave it.")]}
            ) from None
        return Position(offset=max(offset, 0), reverse=reverse, position=position)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            message = _("A whole number from 1 to %(max)d.") % {"max": self.max_page_size}
            raise exceptions.ParseError({self.page_size_query_param: [message]})
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        # The cursor is not a parameter a client composes: it follows `next`, which carries it (signed).
        return [
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            }
        ]

    def get_paginated_response(self, data):
        return Response({"results": data, "next": self.get_next_link()})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "format": "uri", "nullable": True},
            },
        }
