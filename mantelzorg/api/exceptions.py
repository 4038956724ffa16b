from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, with every error body carrying a machine-readable ``errors`` list."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "errors" not in data:
        if "detail" in data and len(data) == 1:
            code = getattr(data["detail"], "code", "error")
            response.data = {"errors": [{"field": None, "code": code, "message": str(data["detail"])}]}
        else:
            errors = []
            for field, messages in data.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    errors.append(
                        {"field": field, "code": getattr(message, "code", "invalid"), "message": str(message)}
                    )
            response.data = {"errors": errors}
    return response
