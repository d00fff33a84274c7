"""What the OpenAPI schema says of the portal's own authentication (imported by ApiConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, made on the portal's page «API tokens» or by create_api_token.",
        }


# The filters whose values are codes that exist in the database: the schema lists them, as they are now.
CODE_PARAMETERS = {
    "region": ("pilots", "Region"),
    "period": ("monitoring", "Period"),
    "indicator": ("monitoring", "Indicator"),
}


def list_codes(result, generator, request, public):
    """A drf-spectacular postprocessing hook: each code filter's enum is the codes the database holds, so that
    the schema says exactly which values a request may carry (any other is refused with 400)."""
    from django.apps import apps
    from django.db import DatabaseError

    try:
        codes = {
            name: list(apps.get_model(*model).objects.order_by("code").values_list("code", flat=True))
            for name, model in CODE_PARAMETERS.items()
        }
    except DatabaseError:
        # No tables yet (`check --deploy` generates the schema before any migration): no enums to give.
        return result
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                found = codes.get(parameter["name"])
                if parameter.get("in") == "query" and found:
                    parameter["schema"]["enum"] = found
    return result
