import * as z from 'zod/mini';
import '../schema-messages';
import { CallerSchema } from '../requests/caller';
import { TargetSchema } from '../requests/request-target';
import type { ActionName } from './action-names';
import {
  CreateReadOnlyUserParamsSchema,
  CreateTemporaryUserParamsSchema,
  DropUserParamsSchema,
  ExpireTemporaryUsersParamsSchema,
  GrantListParamsSchema,
  GrantRoleParamsSchema,
  LockUserParamsSchema,
  RestorePasswordParamsSchema,
  RevokeAllPrivilegesParamsSchema,
  RevokePrivilegesParamsSchema,
  RevokeRoleParamsSchema,
  RotatePasswordParamsSchema,
  UnlockUserParamsSchema,
} from './action-params';

const PARAMS = {
  'rotate-password': RotatePasswordParamsSchema,
  'restore-password': RestorePasswordParamsSchema,
  'create-read-only-user': CreateReadOnlyUserParamsSchema,
  'create-temporary-user': CreateTemporaryUserParamsSchema,
  'expire-temporary-users': ExpireTemporaryUsersParamsSchema,
  'lock-user': LockUserParamsSchema,
  'unlock-user': UnlockUserParamsSchema,
  'drop-user': DropUserParamsSchema,
  'grant-role': GrantRoleParamsSchema,
  'revoke-role': RevokeRoleParamsSchema,
  'revoke-all-privileges': RevokeAllPrivilegesParamsSchema,
  'grant-privileges': GrantListParamsSchema,
  'revoke-privileges': RevokePrivilegesParamsSchema,
} as const satisfies Record<ActionName, z.ZodMiniType>;

function actionRequest<A extends ActionName>(action: A) {
  return z
    .strictObject({
      kind: z.literal('action'),
      action: z.literal(action),
      target: TargetSchema,
      params: PARAMS[action],
      dryRun: z._default(z.boolean(), false).check(z.meta({ description: 'Return the SQL and rollback without changing anything.' })),
      caller: z.optional(CallerSchema),
    })
    .check(z.meta({ title: action }));
}

/** An `action` request: one of the actions, its target and parameters. A response's `rollback` has this shape. */
export const ActionRequestSchema = z.discriminatedUnion('action', [
  actionRequest('rotate-password'),
  actionRequest('restore-password'),
  actionRequest('create-read-only-user'),
  actionRequest('create-temporary-user'),
  actionRequest('expire-temporary-users'),
  actionRequest('lock-user'),
  actionRequest('unlock-user'),
  actionRequest('drop-user'),
  actionRequest('grant-role'),
  actionRequest('revoke-role'),
  actionRequest('revoke-all-privileges'),
  actionRequest('grant-privileges'),
  actionRequest('revoke-privileges'),
]).register(z.globalRegistry, { id: 'ActionRequest' });
export type ActionRequest = z.infer<typeof ActionRequestSchema>;

type Call<R> = R extends { action: infer A; params: infer P } ? { readonly action: A; readonly params: P } : never;

/** An action and its parameters without target: what a plan names as its rollback. */
export type ActionCall = Call<ActionRequest>;
