"""The API's documentation page, in the portal's own layout and language, written from its OpenAPI schema.

Swagger UI failed WCAG 2.1 AA in axe-core (contrast, a button holding links, no lang): this page says the same
(each operation, its parameters with their allowed values, its rows' fields, its answers) in plain HTML."""

from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _type(schema: dict) -> str:
    if "oneOf" in schema:
        return " | ".join(_type(s) for s in schema["oneOf"])
    kind = schema.get("type", "")
    if kind == "array":
        return f"[{_type(schema.get('items', {}))}]"
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else kind


def _rows(response: dict, components: dict) -> list[dict]:
    """The fields of one row of a list's answer (its `results`)."""
    content = response.get("content", {}).get("application/json", {})
    schema = _resolve(content.get("schema", {}), components)
    results = _resolve(schema.get("properties", {}).get("results", {}), components)
    item = _resolve(results.get("items", {}), components)
    return [
        {"name": name, "type": _type(_resolve(field, components)), "nullable": field.get("nullable", False)}
        for name, field in item.get("properties", {}).items()
    ]


def docs_view(request):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = operation.get("responses", {})
            operations.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "type": _type(p.get("schema", {})),
                            "values": p.get("schema", {}).get("enum", []),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "fields": _rows(responses.get("200", {}), components),
                    "answers": [(code, r.get("description", "")) for code, r in responses.items() if code != "200"],
                }
            )
    return render(request, "api/docs.html", {"operations": operations, "info": schema["info"]})
