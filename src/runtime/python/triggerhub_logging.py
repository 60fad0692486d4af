"""Log output of triggerhub's Python runtime, as Lambda's Python runtime (awslambdaric) writes it.

The root logger gets one handler writing ``[LEVEL]\\t<time>Z\\t<request id>\\t<message>`` (or,
with ``AWS_LAMBDA_LOG_FORMAT=JSON``, awslambdaric's JSON object) to stdout. Its level is left
at Python's default (WARNING) unless ``AWS_LAMBDA_LOG_LEVEL`` names one, as on Lambda, where
``logger.info`` shows only after ``logger.setLevel(logging.INFO)``. A line break inside a record
becomes ``\\r``: Lambda frames each record as one log event, the hub reads stdout by lines.
"""
import json
import logging
import os
import sys
import time
import traceback

_JSON = (os.environ.get("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON"


def _level():
    """AWS_LAMBDA_LOG_LEVEL as a logging level name (Lambda's TRACE is Python's DEBUG), or ''."""
    level = (os.environ.get("AWS_LAMBDA_LOG_LEVEL") or "").upper()
    return "DEBUG" if level == "TRACE" else level


_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_ERROR_INDENT = "\u00a0"  # awslambdaric indents the traceback lines of an error with NO-BREAK SPACEs
# LogRecord attributes that are not a record's own extra fields (awslambdaric's _RESERVED_FIELDS).
_RESERVED = frozenset((
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info",
    "exc_text", "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated", "thread",
    "threadName", "processName", "process", "aws_request_id", "tenant_id",
))
_encode = json.JSONEncoder(ensure_ascii=False).encode


def write(text):
    """One log event: its line breaks become ``\\r``, so the hub reads it as one line."""
    sys.stdout.write(text.rstrip("\n").replace("\n", "\r") + "\n")


class _TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                         "%Y-%m-%dT%H:%M:%S")


class _JsonFormatter(logging.Formatter):
    """awslambdaric's JsonFormatter: timestamp, level, message, logger, requestId, the exception's
    stackTrace / errorType / errorMessage / location when there is one, and the record's extra fields."""

    def __init__(self):
        super().__init__(datefmt=_DATETIME_FORMAT)

    def format(self, record):
        record.levelno = min(50, max(0, record.levelno)) // 10 * 10
        record.levelname = logging.getLevelName(record.levelno)
        exc = record.exc_info
        result = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc[2]) if exc else None,
            "errorType": exc[0].__name__ if exc else None,
            "errorMessage": str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": "%s:%s:%s" % (record.pathname, record.funcName, record.lineno) if exc else None,
        }
        result.update((key, value) for key, value in record.__dict__.items() if key not in _RESERVED and key not in result)
        return _encode({key: value for key, value in result.items() if value is not None})


class _Handler(logging.Handler):
    def __init__(self, request_id):
        super().__init__()
        self._request_id = request_id
        self.setFormatter(_JsonFormatter() if _JSON else _TextFormatter())

    def emit(self, record):
        try:
            record.aws_request_id = self._request_id() or ""
            write(self.format(record))
        except Exception:
            self.handleError(record)


def setup(request_id):
    """Gives the root logger Lambda's handler; ``request_id()`` is the current invocation's id (or None)."""
    logging.Formatter.converter = time.gmtime
    root = logging.getLogger()
    root.addHandler(_Handler(request_id))
    level = _level()
    if level in logging._nameToLevel:
        root.setLevel(level)


def log_error(error, to_json):
    """The log line of an error document: ``[ERROR] Type: message`` and its traceback, or JSON."""
    if _JSON:
        write(to_json({"timestamp": time.strftime(_DATETIME_FORMAT, time.gmtime()), "log_level": "ERROR", **error}))
        return
    description = "[ERROR]"
    if error.get("errorType"):
        description += " " + error["errorType"]
    if error.get("errorMessage"):
        description += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [description, "Traceback (most recent call last):"]
    for element in error.get("stackTrace") or []:
        lines += [""] if element == "" else [_indent(line) for line in element.splitlines()]
    write("\r".join(lines))


def _indent(line):
    stripped = line.lstrip(" ")
    return _ERROR_INDENT * (len(line) - len(stripped)) + stripped
