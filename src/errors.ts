/**
 * One registry of error codes (TH_ERR_AREA_WHAT). Codes are stable: branch on them, never on
 * messages. Each entry documents when it is thrown and which HTTP status / AWS error type
 * it maps to when it reaches an API caller.
 */
export interface ErrorSpec {
  /** HTTP status when the error reaches an HTTP caller. */
  status: number;
  /** AWS error type (x-amzn-ErrorType) for Lambda API callers. */
  awsType: string;
  /** Whether an async invocation failing with it should be retried. */
  retryable: boolean;
  description: string;
}

export const ERRORS = {
  TH_ERR_CONFIG_INVALID: {
    status: 500, awsType: 'ServiceException', retryable: false,
    description: 'The config file failed validation; the message lists every bad field path and rule.',
  },
  TH_ERR_CONFIG_NOT_FOUND: {
    status: 500, awsType: 'ServiceException', retryable: false,
    description: 'The config file does not exist or cannot be read.',
  },
  TH_ERR_CONFIG_ENV_MISSING: {
    status: 500, awsType: 'ServiceException', retryable: false,
    description: 'A ${VAR} in the config names an unset environment variable and has no default.',
  },
  TH_ERR_CONFIG_PROJECT: {
    status: 500, awsType: 'ServiceException', retryable: false,
    description: 'A SAM/CloudFormation template or serverless.yml the config points at cannot be used; the message names the file, resource and property.',
  },
  TH_ERR_CLOUD_START_FAILED: {
    status: 500, awsType: 'ServiceException', retryable: false,
    description: 'The local cloud (an embedded emulator, or creating a declared resource at an endpoint) could not start.',
  },
  TH_ERR_SERVER_LISTEN_FAILED: {
    status: 500, awsType: 'ServiceException', retryable: false,
    description: "The hub's HTTP server could not listen on server.host:server.port (the port is in use, or not permitted).",
  },
  TH_ERR_REDIS_NOT_INSTALLED: {
    status: 500, awsType: 'ServiceException', retryable: false,
    description: 'No redis URL is configured and redis-server is not on PATH.',
  },
  TH_ERR_REDIS_START_FAILED: {
    status: 500, awsType: 'ServiceException', retryable: false,
    description: 'The embedded redis-server did not become ready.',
  },
  TH_ERR_REDIS_UNREACHABLE: {
    status: 503, awsType: 'ServiceException', retryable: true,
    description: 'The configured Redis cannot be reached.',
  },
  TH_ERR_REDIS_VERSION: {
    status: 500, awsType: 'ServiceException', retryable: false,
    description: 'The Redis server is older than 5.0.0, the oldest BullMQ runs on.',
  },
  TH_ERR_REDIS_UNAVAILABLE: {
    status: 503, awsType: 'ServiceException', retryable: true,
    description: 'Redis is down, refused the command (an error reply: OOM at maxmemory, an ACL\'s NOPERM, READONLY) or did not answer within server.durableWriteTimeoutMs while the hub runs: an async event was not queued (and not acknowledged), or a sync invocation could not take its concurrency lease. Retry.',
  },
  TH_ERR_FUNCTION_NOT_FOUND: {
    status: 404, awsType: 'ResourceNotFoundException', retryable: false,
    description: 'No function with that name (or ARN) is configured.',
  },
  TH_ERR_FUNCTION_ACCESS_DENIED: {
    status: 403, awsType: 'AccessDeniedException', retryable: false,
    description: "A Lambda API call named a function ARN of another account (the hub holds its own account's functions; nothing grants another account's).",
  },
  TH_ERR_REQUEST_TOO_LARGE: {
    status: 413, awsType: 'RequestEntityTooLargeException', retryable: false,
    description: 'The payload is over 6 MB (sync) or 1 MB (async).',
  },
  TH_ERR_REQUEST_INVALID_JSON: {
    status: 400, awsType: 'InvalidRequestContentException', retryable: false,
    description: 'The payload is not valid JSON.',
  },
  TH_ERR_REQUEST_VALIDATION: {
    status: 400, awsType: 'ValidationException', retryable: false,
    description: "A function name or qualifier does not match the Lambda API's pattern for it (checked before any lookup, as Lambda does), or a member with a fixed set of values has another (X-Amz-Invocation-Type, X-Amz-Log-Type, FunctionVersion).",
  },
  TH_ERR_REQUEST_INVALID_PARAMETER: {
    status: 400, awsType: 'InvalidParameterValueException', retryable: false,
    description: 'A header or parameter has a value the API does not accept.',
  },
  TH_ERR_REQUEST_URL_INVALID: {
    status: 400, awsType: 'BadRequestException', retryable: false,
    description: 'The request path cannot be decoded (a % not followed by two hex digits, or invalid UTF-8).',
  },
  TH_ERR_OPERATION_UNSUPPORTED: {
    status: 403, awsType: 'AccessDeniedException', retryable: false,
    description: 'A Lambda API operation the hub does not perform (CreateFunction, DeleteFunction, PutFunctionConcurrency, GetAccountSettings …): functions and their settings come from the config.',
  },
  TH_ERR_THROTTLED: {
    status: 429, awsType: 'TooManyRequestsException', retryable: true,
    description: 'Reserved concurrency is exhausted for a synchronous call.',
  },
  TH_ERR_HUB_STOPPING: {
    status: 503, awsType: 'ServiceException', retryable: true,
    description: 'The hub is shutting down and takes no new work.',
  },
  TH_ERR_DLQ_NOT_FOUND: {
    status: 404, awsType: 'ResourceNotFoundException', retryable: false,
    description: 'No dead-letter record with that id.',
  },
  TH_ERR_DLQ_REQUEST_INVALID: {
    status: 400, awsType: 'InvalidParameterValueException', retryable: false,
    description: 'A DLQ filter, redrive target, rate or admin request body is invalid; the message names the field and rule.',
  },
  TH_ERR_DLQ_REDRIVE_IN_PROGRESS: {
    status: 409, awsType: 'ResourceConflictException', retryable: true,
    description: 'Another caller is redriving this dead-letter record right now.',
  },
  TH_ERR_DESTINATION_UNAVAILABLE: {
    status: 502, awsType: 'ServiceException', retryable: true,
    description: 'An SQS, SNS, HTTP or Redis-stream destination refused or did not take a record; the outbox retries it.',
  },
  TH_ERR_ADMIN_UNAUTHORIZED: {
    status: 401, awsType: 'AccessDeniedException', retryable: false,
    description: 'admin.token is set and the request has no matching Authorization: Bearer header.',
  },
  TH_ERR_CROSS_SITE_REQUEST: {
    status: 403, awsType: 'AccessDeniedException', retryable: false,
    description: "A browser sent an admin, console or Lambda API request from a page of another origin (its Origin or Sec-Fetch-Site says so), or named a loopback-bound hub by a DNS name (rebinding).",
  },
  TH_ERR_METHOD_NOT_ALLOWED: {
    status: 405, awsType: 'ValidationException', retryable: false,
    description: 'A console or admin API path was called with a method it does not take; the Allow header lists the ones it does.',
  },
  TH_ERR_CONSOLE_REQUEST_INVALID: {
    status: 400, awsType: 'InvalidParameterValueException', retryable: false,
    description: 'A console API request (query, body, edited payload) is invalid; the message names the field and rule.',
  },
  TH_ERR_CONSOLE_NOT_FOUND: {
    status: 404, awsType: 'ResourceNotFoundException', retryable: false,
    description: 'No console asset, or no function, with that name.',
  },
  TH_ERR_CONSOLE_BUSY: {
    status: 429, awsType: 'TooManyRequestsException', retryable: true,
    description: 'Too many live console streams (log follows) are open on this hub; close one and retry.',
  },
  TH_ERR_SOURCE_UNAVAILABLE: {
    status: 502, awsType: 'ServiceException', retryable: true,
    description: 'An event source cannot be read yet (e.g. a dynamodb mapping\'s table has no stream); the poller reports it failing and retries.',
  },
  TH_ERR_HUB_UNREACHABLE: {
    status: 503, awsType: 'ServiceException', retryable: true,
    description: 'The CLI could not reach a running hub.',
  },
  TH_ERR_INTERNAL: {
    status: 500, awsType: 'ServiceException', retryable: true,
    description: 'An unexpected failure inside the hub.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class HubError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly awsType: string;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HubError';
    const spec: ErrorSpec = ERRORS[code];
    this.code = code;
    this.status = spec.status;
    this.awsType = spec.awsType;
    this.retryable = options?.retryable ?? spec.retryable;
  }
}

export function isHubError(err: unknown, code?: ErrorCode): err is HubError {
  return err instanceof HubError && (code === undefined || err.code === code);
}

/**
 * Why a push endpoint (SNS HTTP subscription, MinIO webhook) turned a request away, and the HTTP
 * status it answers with (body `{ message, reason }`). 4xx: the request is wrong and the sender
 * should not retry it; 5xx: the hub could not do its part (SNS and MinIO retry).
 */
export const REJECTIONS = {
  body_too_large: 413,
  invalid_json: 400,
  unknown_message_type: 400,
  invalid_message: 400,
  invalid_records: 400,
  unauthorized: 401,
  topic_mismatch: 403,
  untrusted_cert_url: 403,
  invalid_certificate: 403,
  signature_invalid: 403,
  untrusted_subscribe_url: 403,
  certificate_unavailable: 502,
  confirmation_failed: 502,
  enqueue_failed: 503,
} as const;

export type RejectionReason = keyof typeof REJECTIONS;

export class Rejection extends Error {
  readonly status: number;

  constructor(readonly reason: RejectionReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Rejection';
    this.status = REJECTIONS[reason];
  }
}
