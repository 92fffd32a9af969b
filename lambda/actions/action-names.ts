/** Every action the orchestrator API offers, in documentation order. */
export const ACTION_NAMES = [
  'rotate-password',
  'restore-password',
  'create-read-only-user',
  'create-temporary-user',
  'expire-temporary-users',
  'lock-user',
  'unlock-user',
  'drop-user',
  'grant-role',
  'revoke-role',
  'revoke-all-privileges',
  'grant-privileges',
  'revoke-privileges',
] as const;

/** One of {@link ACTION_NAMES}. */
export type ActionName = (typeof ACTION_NAMES)[number];
