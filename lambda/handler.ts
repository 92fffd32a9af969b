import { dispatch } from './dispatch';
import { sharedRuntime } from './runtime';

/** The Lambda entry point behind the function's one ARN. */
export async function handler(event: unknown): Promise<unknown> {
  return dispatch(event, sharedRuntime());
}
