"""The API's JSON renderer: DRF's output, encoded by orjson.

DRF encodes with the standard library's ``json`` and its own ``JSONEncoder``: about a tenth of a
millisecond for a page of 50 rows, where orjson takes a hundredth. The bytes are the same: compact,
UTF-8, U+2028 and U+2029 escaped as DRF escapes them, and everything orjson does not encode as DRF
would (dates and times, decimals, lazy translations, sets, generators...) goes through DRF's encoder.
Indented output (``Accept: application/json; indent=4``, the browsable API) and whatever orjson refuses
(integers beyond 64 bits) are left to DRF's renderer. One difference: a float that is NaN or infinite
is ``null``, where DRF's strict encoding failed the response.
"""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework import renderers

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        if self.ensure_ascii or not self.compact or self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            encoded = orjson.dumps(data, default=self.encoder_class().default, option=_OPTIONS)
        except TypeError:
            return super().render(data, accepted_media_type, renderer_context)
        return encoded.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
