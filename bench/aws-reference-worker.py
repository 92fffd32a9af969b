"""Runs an AWS rotation function's lambda_handler as a local Lambda warm worker.

Line protocol (local/lambda/worker-protocol.ts): one {"event": ..., "context": ...} per line on stdin,
one {"result": ...} or {"errorType": ..., "errorMessage": ...} per line on stdout; logs go to stderr.
"""
import json
import logging
import sys

sys.path.insert(0, sys.argv[1])
logging.basicConfig(stream=sys.stderr, level=logging.INFO)
real_stdout = sys.stdout
sys.stdout = sys.stderr  # anything the function prints is log, not protocol

import lambda_function  # noqa: E402  (the checkout is only on the path now)

for line in sys.stdin:
    request = json.loads(line)
    try:
        result = lambda_function.lambda_handler(request["event"], None)
        answer = {"result": result}
    except Exception as error:  # the Lambda runtime reports every exception the same way
        answer = {"errorType": type(error).__name__, "errorMessage": str(error)}
    real_stdout.write(json.dumps(answer) + "\n")
    real_stdout.flush()
