"""Under /api/ every error is JSON in the one error body (``api.errors``): Django's own 404 (no
such route), 405 (a plain Django view refusing the method) and 500 never answer an API client
with HTML."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mantelzorg.api import errors

# In the language of the request, as every other message of the API.
MESSAGES = {
    404: ("not_found", _("There is nothing at this address.")),
    405: ("method_not_allowed", _("This address does not accept this method.")),
    500: ("server_error", _("Something went wrong on our side. Nothing was changed.")),
}


class JsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code in MESSAGES
            and errors.is_api(request)
            and not response.get("Content-Type", "").startswith(("application/json", "application/fhir+json"))
        ):
            code, message = MESSAGES[response.status_code]
            replaced = errors.json_response([errors.error(code, message)], response.status_code)
            if "Allow" in response:
                replaced["Allow"] = response["Allow"]
            return replaced
        return response
