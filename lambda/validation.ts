import type * as z from 'zod/mini';
import { InvalidInputError } from './errors';

/**
 * The first schema issue as an {@link InvalidInputError} naming the field by its dotted path. zod's messages
 * describe the expectation, never the received value, so nothing the caller sent is echoed.
 */
export function firstIssue(error: z.core.$ZodError, root: string): InvalidInputError {
  const issue = error.issues[0];
  const field = [root, ...(issue?.path ?? []).map(String)].join('.');
  const missing = issue?.code === 'invalid_type' && issue.message.includes('received undefined');
  return new InvalidInputError(field, missing ? 'is required' : (issue?.message ?? 'is invalid'));
}
