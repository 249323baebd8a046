"""Request body parsers that keep to ``DATA_UPLOAD_MAX_MEMORY_SIZE``.

Django enforces the limit only when a body is read through ``request.body`` or a form; DRF's JSON
parser reads the stream directly, so it would otherwise accept any size.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers

from monopod.api.exceptions import PayloadTooLarge


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering 413 to a body over the upload limit instead of reading it all."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise PayloadTooLarge()
            stream = io.BytesIO(body)
        return super().parse(stream, media_type, parser_context)
