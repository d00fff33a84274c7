"""The query parameters a resource takes, each checked: a value not understood is a 400 that names it.

A filter that the API ignored would return other rows than the caller asked for, which a BI tool would
load without a word; so every filter value is read here, and refused when it means nothing."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ParseError


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    choices: tuple = ()  # fixed values; else `known` (read from the database) or a date
    known: Any = None  # a callable returning the values that exist (codes of regions, periods…)
    date: bool = False

    def read(self, raw: str):
        if self.date:
            try:
                return datetime.date.fromisoformat(raw)
            except ValueError:
                raise ParseError({self.name: [_("A date as YYYY-MM-DD.")]}) from None
        allowed = self.choices or tuple(self.known())
        if raw not in allowed:
            raise ParseError(
                {self.name: [_("Unknown value «%(value)s»; one of: %(allowed)s.") % {
                    "value": raw[:50], "allowed": ", ".join(map(str, allowed))[:500]
                }]}
            )
        return raw

    def openapi(self) -> OpenApiParameter:
        return OpenApiParameter(
            self.name,
            OpenApiTypes.DATE if self.date else OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            description=self.description,
            enum=list(self.choices) or None,
        )


def read_params(request, params: list[Param]) -> dict:
    """{name: value} of the parameters given; a value given empty is refused like any other unknown one."""
    found = {}
    for param in params:
        if param.name in request.query_params:
            found[param.name] = param.read(request.query_params[param.name])
    return found
