"""Runs an AWS rotation function's lambda_handler as a local Lambda warm worker.

Line protocol (local/lambda/worker-protocol.ts): one {"event": ..., "context": ...} per line on stdin,
one {"result": ...} or {"errorType": ..., "errorMessage": ...} per line on stdout; logs go to stderr.
"""
import json
import logging
import os
import sys

sys.path.insert(0, sys.argv[1])
logging.basicConfig(stream=sys.stderr, level=logging.INFO)
real_stdout = sys.stdout
sys.stdout = sys.stderr  # anything the function prints is log, not protocol

import lambda_function  # noqa: E402  (the checkout is only on the path now)

# In Lambda the functions verify the server (verify-full) against the runtime's trust store at
# /etc/pki/tls/cert.pem, and that succeeds on RDS (aws-cdk#20704 logs "Successfully established SSL/TLS
# connection"). This machine has no such file and the test server has its own CA, so that one path is pointed at
# the test CA: the function then does the TLS it does on RDS, instead of failing and falling back to plaintext.
LAMBDA_TRUST_STORE = "/etc/pki/tls/cert.pem"
trust_store = os.environ.get("LAMBDA_TRUST_STORE_FILE")
if trust_store:
    connect = lambda_function.pgdb.connect

    def connect_with_trust_store(*args, **kwargs):
        if kwargs.get("sslrootcert") == LAMBDA_TRUST_STORE:
            kwargs["sslrootcert"] = trust_store
        return connect(*args, **kwargs)

    lambda_function.pgdb.connect = connect_with_trust_store

for line in sys.stdin:
    request = json.loads(line)
    try:
        result = lambda_function.lambda_handler(request["event"], None)
        answer = {"result": result}
    except Exception as error:  # the Lambda runtime reports every exception the same way
        answer = {"errorType": type(error).__name__, "errorMessage": str(error)}
    real_stdout.write(json.dumps(answer) + "\n")
    real_stdout.flush()
