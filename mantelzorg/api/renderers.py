"""JSON for the API, encoded by orjson.

Encoding was 8-10 % of the time of ``POST /api/v1/checks/`` (14 KB of result) and more of the
HSDS lists (50 KB); orjson does it about 15 times faster. The output is that of DRF's
JSONRenderer: compact, UTF-8, U+2028/U+2029 escaped, and every type orjson does not handle the
same way (dates and times, Decimal, lazy translations, ...) goes through DRF's own encoder.
"""

from __future__ import annotations

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_default = JSONEncoder().default


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)  # pretty: rare
        content = orjson.dumps(data, default=_default, option=_OPTIONS)
        # As DRF does: these two are valid JSON but end a line in JavaScript.
        return content.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
