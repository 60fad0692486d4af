"""A plain Lambda Python handler: greets, counts warm invocations, logs per request."""
import logging
import os

logger = logging.getLogger()
logger.setLevel(logging.INFO)  # Lambda's root logger is at WARNING unless AWS_LAMBDA_LOG_LEVEL is set
invocations = 0  # module scope survives warm invocations, as on Lambda


def lambda_handler(event, context):
    global invocations
    invocations += 1
    name = (event or {}).get("name", "world")
    logger.info("greeting %s (invocation %d)", name, invocations)
    return {
        "message": "%s, %s!" % (os.environ.get("GREETING", "Hello"), name),
        "invocations": invocations,
        "requestId": context.aws_request_id,
        "remainingMs": context.get_remaining_time_in_millis(),
    }
