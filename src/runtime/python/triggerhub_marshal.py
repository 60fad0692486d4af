"""JSON for triggerhub's Python runtime, as Lambda's Python runtime (awslambdaric) writes it.

awslambdaric encodes with simplejson: a ``Decimal`` (what boto3's DynamoDB resource returns for
every number) is written as the number it holds (``Decimal("1.10")`` -> ``1.10``, NaN -> ``NaN``),
``bytes`` returned by a handler are the response as they are, and on python3.12 and later
non-ASCII text is written as UTF-8 instead of ``\\uXXXX`` escapes. The standard library's json
cannot write raw text for a value, so a Decimal is written as a marked string first and the
marks are then replaced by its digits.
"""
import decimal
import json
import math
import os
import re
import secrets

_TOKEN = secrets.token_hex(8)
_MARK = "\x00" + _TOKEN + ":"
# json escapes the NUL around a marked Decimal as \u0000 whether or not ensure_ascii is set.
_MARKED = re.compile('"\\\\u0000' + _TOKEN + ':([^"\\\\]*)\\\\u0000"')


def _ensure_ascii():
    """awslambdaric writes UTF-8 from python3.12 on (AWS_EXECUTION_ENV AWS_Lambda_python3.12+)."""
    match = re.fullmatch(r"AWS_Lambda_python3\.(\d+)", os.environ.get("AWS_EXECUTION_ENV", ""))
    return not (match and int(match.group(1)) >= 12)


class _Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, decimal.Decimal):
            return math.nan if o.is_nan() else _MARK + str(o) + "\x00"
        return super().default(o)


_ENCODER = _Encoder(ensure_ascii=_ensure_ascii(), allow_nan=True)


def to_json(obj):
    """The JSON text of ``obj``; raises TypeError / ValueError for what cannot be encoded."""
    text = _ENCODER.encode(obj)
    return _MARKED.sub(lambda match: match.group(1), text) if _TOKEN in text else text


class MarshalError(Exception):
    """A handler's result that cannot be sent (Lambda's ``Runtime.MarshalError``)."""


def marshal_response(result):
    """``(body bytes, content type)`` of a handler's result, as awslambdaric's marshal_response."""
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return to_json(result).encode("utf-8"), "application/json"
    except Exception as exc:  # awslambdaric catches everything the encoder raises
        raise MarshalError("Unable to marshal response: %s" % exc) from None
