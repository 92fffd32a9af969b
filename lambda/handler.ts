/**
 * The Lambda entry point. Recognises the event kind and dispatches; the rotation, action and test handlers
 * live in their own folders. (Filled in by the rotation work; this file keeps the entry path stable for infra/.)
 */
export async function handler(event: unknown): Promise<unknown> {
  void event;
  throw new Error('pg-rotator: no event kinds are wired yet');
}
