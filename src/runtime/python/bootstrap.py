"""triggerhub's Python runtime: a Lambda Runtime API client (standard library only).

Started by the hub as ``python3 bootstrap.py <code dir> <module> <function>``: imports the
handler module once (init), then loops on ``invocation/next``, calls the handler with Lambda's
context object and posts its result or error. Module scope stays warm between invocations.
"""
import http.client
import importlib
import json
import os
import sys
import time
import traceback

import triggerhub_logging
from triggerhub_marshal import MarshalError, marshal_response, to_json

CODE_DIR, MODULE, FUNCTION = sys.argv[1:4]
del sys.argv[1:]  # user code sees no runtime arguments, as on Lambda
API = os.environ.get("AWS_LAMBDA_RUNTIME_API", "")
PREFIX = "/2018-06-01/runtime"
_BOOTSTRAP = os.path.abspath(__file__)

_request_id = None


def _attributes(kind, names, values):
    """An object of ``kind`` with each of ``names`` set from the dict ``values`` (``None`` when absent)."""
    obj = kind()
    for name in names:
        setattr(obj, name, values.get(name) if isinstance(values, dict) else None)
    return obj


class Client:
    """``context.client_context.client``: the calling app, as the AWS Mobile SDK describes it."""

    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")


class ClientContext:
    """``context.client_context``: the Invoke call's ClientContext, attributes as on Lambda."""

    __slots__ = ("custom", "env", "client")

    @classmethod
    def parse(cls, values):
        if values is None:
            return None
        context = _attributes(cls, cls.__slots__, values)
        if context.client is not None:
            context.client = _attributes(Client, Client.__slots__, context.client)
        return context


class CognitoIdentity:
    """``context.identity``: always present on Lambda, its ids ``None`` without a Cognito caller."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    @classmethod
    def parse(cls, values):
        identity = cls()
        identity.cognito_identity_id = values.get("cognitoIdentityId") if isinstance(values, dict) else None
        identity.cognito_identity_pool_id = values.get("cognitoIdentityPoolId") if isinstance(values, dict) else None
        return identity


class LambdaContext:
    """The context object of Lambda's Python runtime, plus triggerhub's own ``traceparent``
    (W3C trace context, ``None`` when absent; Lambda's context has no such attribute)."""

    def __init__(self, request_id, deadline_ms, arn, client_context, identity, traceparent=None, tenant_id=None):
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.tenant_id = tenant_id
        self.client_context = ClientContext.parse(client_context)
        self.identity = CognitoIdentity.parse(identity)
        self.traceparent = traceparent
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, msg):
        """Writes ``msg`` to the invocation's log as it is, as Lambda's ``context.log`` does."""
        triggerhub_logging.write(str(msg))

    def __repr__(self):
        fields = ("aws_request_id", "log_group_name", "log_stream_name", "function_name", "memory_limit_in_mb",
                  "function_version", "invoked_function_arn", "client_context", "identity", "tenant_id")
        return "LambdaContext([%s])" % ",".join("%s=%s" % (name, getattr(self, name)) for name in fields)


class RuntimeApi:
    def __init__(self, address):
        self._conn = http.client.HTTPConnection(address)

    def call(self, method, path, body=None, headers=None):
        self._conn.request(method, PREFIX + path, body=body, headers=headers or {})
        response = self._conn.getresponse()
        return response, response.read()

    def post(self, path, payload, error_type=None):
        headers = {"Content-Type": "application/json"}
        if error_type:
            headers["Lambda-Runtime-Function-Error-Type"] = error_type
        self.call("POST", path, to_json(payload).encode("utf-8"), headers)


def _frames(tb):
    """The traceback's frames from the first one outside this bootstrap, as awslambdaric trims it."""
    frames = traceback.extract_tb(tb)
    while frames and frames[0].filename == _BOOTSTRAP:
        frames = frames[1:]
    return traceback.format_list(frames)


def _error(error_type, message, stack=None, request_id=None):
    """awslambdaric's make_error: ``requestId`` is the invocation's id, ``""`` for an init error."""
    return {"errorMessage": message or "", "errorType": error_type or "", "requestId": request_id or "",
            "stackTrace": stack or []}


def _exception_error(exc, request_id=None):
    return _error(type(exc).__name__, str(exc), _frames(exc.__traceback__), request_id)


def _log_error(error):
    triggerhub_logging.log_error(error, to_json)


def _load_handler():
    """Lambda's init: import the module, find the function; errors carry Lambda's types."""
    sys.path.insert(0, CODE_DIR)
    # Lambda has the task root on sys.path: a handler in a folder of it (SAM's
    # `hello_world/app.lambda_handler`) imports the packages beside that folder.
    task_root = os.environ.get("LAMBDA_TASK_ROOT")
    if task_root and task_root not in sys.path:
        sys.path.insert(1, task_root)
    try:
        module = importlib.import_module(MODULE)
    except ImportError as exc:
        return None, _error("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (MODULE, exc))
    except SyntaxError as exc:
        trace = ['  File "%s" Line %s\n    %s' % (exc.filename, exc.lineno, exc.text)]
        return None, _error("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (MODULE, exc), trace)
    except Exception as exc:  # the module raised while loading
        return None, _exception_error(exc)
    handler = getattr(module, FUNCTION, None)
    if not callable(handler):
        return None, _error("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (FUNCTION, MODULE))
    return handler, None


def _libc_env():
    """putenv(3) and unsetenv(3) of the C library, or None where ctypes cannot reach them."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.putenv.argtypes = [ctypes.c_char_p]
        libc.putenv.restype = ctypes.c_int
        libc.unsetenv.argtypes = [ctypes.c_char_p]
        libc.unsetenv.restype = ctypes.c_int
        return ctypes, libc
    except (ImportError, OSError, AttributeError):
        return None


_LIBC_ENV = _libc_env()
# name -> the buffer environ points at for it: kept alive while it is the variable's value.
_ENV_BUFFERS = {}


def _set_env(name, value):
    """Sets a per-invocation variable, or removes the previous invocation's value.

    Not with ``os.environ[name] = value``: that calls setenv(3), and glibc keeps every string
    setenv was ever given, so a new trace id per invocation would grow the environment for good
    (about 270 bytes per invocation for the two variables). putenv(3) takes a buffer of ours
    instead; the previous one is released once environ points at the new one. os.environ's own
    mapping is updated without calling setenv, so Python code and subprocesses both see the value.
    """
    environ = os.environ
    data = getattr(environ, "_data", None)
    if _LIBC_ENV is None or data is None:
        if value is not None:
            environ[name] = value
        else:
            environ.pop(name, None)
        return
    ctypes, libc = _LIBC_ENV
    key = environ.encodekey(name)
    if value is None:
        libc.unsetenv(os.fsencode(name))
        data.pop(key, None)
        _ENV_BUFFERS.pop(name, None)
        return
    buffer = ctypes.create_string_buffer(os.fsencode(name) + b"=" + os.fsencode(value))
    if libc.putenv(buffer) != 0:
        environ[name] = value
        return
    _ENV_BUFFERS[name] = buffer
    data[key] = environ.encodevalue(value)


def _invoke(api, handler, response, body):
    global _request_id
    headers = response.headers
    _request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    _set_env("_X_AMZN_TRACE_ID", headers.get("Lambda-Runtime-Trace-Id"))
    traceparent = headers.get("traceparent")
    _set_env("TRACEPARENT", traceparent)
    client_context = headers.get("Lambda-Runtime-Client-Context")
    identity = headers.get("Lambda-Runtime-Cognito-Identity")
    context = LambdaContext(_request_id, int(headers.get("Lambda-Runtime-Deadline-Ms", "0")),
                            headers.get("Lambda-Runtime-Invoked-Function-Arn", ""),
                            json.loads(client_context) if client_context else None,
                            json.loads(identity) if identity else None, traceparent,
                            headers.get("Lambda-Runtime-Aws-Tenant-Id"))
    path = "/invocation/%s" % _request_id
    try:
        payload, content_type = marshal_response(handler(json.loads(body or b"null"), context))
    except MarshalError as exc:
        error = _error("Runtime.MarshalError", str(exc), None, _request_id)
        _log_error(error)
        return api.post(path + "/error", error, "Runtime.MarshalError")
    except Exception as exc:
        error = _exception_error(exc, _request_id)
        _log_error(error)
        sys.stdout.flush()
        return api.post(path + "/error", error, "Unhandled")
    sys.stdout.flush()
    api.call("POST", path + "/response", payload, {"Content-Type": content_type})


def main():
    if not API:
        sys.exit("AWS_LAMBDA_RUNTIME_API is not set")
    # One write per line: the hub reads stdout in chunks and takes each chunk's lines as whole.
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    triggerhub_logging.setup(lambda: _request_id)
    api = RuntimeApi(API)
    handler, error = _load_handler()
    if error:
        _log_error(error)
        sys.stdout.flush()
        api.post("/init/error", error, error["errorType"])
        sys.exit(1)
    while True:
        try:
            response, body = api.call("GET", "/invocation/next")
        except OSError:
            sys.exit(0)  # the hub went away: do not outlive it
        _invoke(api, handler, response, body)


if __name__ == "__main__":
    main()
