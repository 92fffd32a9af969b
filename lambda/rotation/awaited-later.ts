/**
 * Marks a promise that is awaited only after other work as handled, so a rejection that arrives first is not
 * reported as unhandled (which would end the Lambda process); awaiting it later still throws.
 */
export function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
