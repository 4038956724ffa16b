from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator


@require_GET
def docs(request):
    """A plain, accessible API reference rendered from the OpenAPI schema (no third-party JS)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for url, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "url": url,
                    "summary": op.get("summary") or op.get("description", "").split("\n")[0],
                    "parameters": op.get("parameters", []),
                    "responses": sorted(op.get("responses", {}).keys()),
                }
            )
    return render(request, "api/docs.html", {"schema": schema, "operations": operations})
