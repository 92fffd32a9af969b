import { dispatch } from './dispatch';
import type { InvocationContext } from './requests/caller';
import { sharedRuntime } from './runtime';

/** The Lambda entry point behind the function's one ARN. */
export async function handler(event: unknown, context?: InvocationContext): Promise<unknown> {
  return dispatch(event, sharedRuntime(), context);
}
