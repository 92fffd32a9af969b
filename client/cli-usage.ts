import { ACTION_NAMES } from '../lambda/actions/action-names';

/**
 * The --help text, in a module of its own: the bin prints it without loading the rest of the CLI (its schemas and the
 * Lambda client are most of its start-up), so it imports nothing but the action names.
 */
export const USAGE = `Usage: pg-rotator [options] <command> [arguments]

Invoke pg-rotator's orchestrator API or its status function (Lambda functions) and print the response.

Commands:
  action <name>   Run an action. Parameters as --<param> <value> flags (kebab-case; repeat a flag for lists;
                  a boolean flag alone is true) and/or --params '<json>'. Actions:
                  ${ACTION_NAMES.join(', ')}
  test            Log in with a secret; report TLS, authentication, latency and, with --admin, the checklist.
  discover        List roles, memberships, schemas and privileges.
  rotate          Rotate a secret now.
  request         Send a request written as JSON: --file <path>, or --file - for stdin (e.g. a rollback).
  status          Ask the status function which secrets this deployment rotates, and which are stuck, overdue
                  or have rotation turned off; printed as a table, or the response as JSON with --json.

Options:
  --function <name|arn>      The function (default: $PG_ROTATOR_FUNCTION; for status, $PG_ROTATOR_STATUS_FUNCTION).
  --region <region>          AWS region (default: the AWS SDK's, e.g. $AWS_REGION).
  --endpoint-url <url>       Lambda endpoint URL (local endpoints, VPC endpoints).
  --caller <text>            Who is asking; recorded in the audit log.
  --dry-run                  Actions: return the SQL and the rollback without changing anything.
  --help                     Show this help.

Arguments:
  action:    --admin-secret <arn> [--connection-secret <arn>] [--database <name>] [--params <json>] [--<param> <value>]...
  test:      --secret <arn> [--connection-secret <arn>] [--database <name>] [--admin] [--managed-role <role>]... [--schema <name>]...
  discover:  --admin-secret <arn> [--connection-secret <arn>] [--database <name>] [--role <role>]... [--schema <name>]...
  rotate:    --secret <arn> [--mode inline|secrets-manager]
  status:    [--name-prefix <prefix>] [--findings-only] [--json]

Examples:
  pg-rotator --function pg-rotator action lock-user --admin-secret db/admin --role alice --terminate-sessions
  pg-rotator --function pg-rotator --dry-run action create-read-only-user --admin-secret db/admin \\
      --role reporting --schemas app --secret-name db/reporting
  pg-rotator --function pg-rotator test --secret db/admin --admin --managed-role alice --schema app
  pg-rotator --function pg-rotator-status status --findings-only

Exit status: 0 the request succeeded; 1 it failed (ok: false, code in error.code); 2 usage or validation error;
3 the invocation itself failed; status only: 4 a secret is stuck or overdue, 5 the listing stopped early.`;
