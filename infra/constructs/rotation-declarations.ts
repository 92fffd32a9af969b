import { Token } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { Strategy } from '../../lambda/config/environment';
import type { RotationBinding } from '../../lambda/config/rotation-bindings';
import { RotationBindingSchema } from '../../lambda/config/rotation-bindings';
import { InvalidInputError } from '../../lambda/errors';
import { RotationBindingTags } from './rotation-binding-tags';
import { optionalSecretArn, secretArnOf } from './secret-arns';
import type { SecretBinding } from './secret-binding';

/** What the deployment says about one secret it rotates: the facts the rotation takes from it, never from the value. */
export interface DeclaredRotation extends SecretBinding {
  readonly secret: secretsmanager.ISecret;
}

/** The declarations of a set of rotations: bindings for the file, and whether some were written as tags. */
export interface Declared {
  readonly bindings: RotationBinding[];
  readonly tagged: boolean;
}


/** A stand-in for a deploy-time ARN, so the binding schema can check everything else at synth. */
const PLACEHOLDER_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:deploy-time-AbCdEf';

/**
 * Turns each rotation into its binding, checked with the function's own schema at synth (errors name the prop, e.g.
 * `rotations[1].username`). A binding whose ARNs are known at synth goes in the bindings file; one with a secret of
 * this stack (its ARN a deploy-time token) is written as `pg-rotator:*` tags on that secret instead, guarded by
 * {@link RotationBindingTags}. A single-user rotation with no login and no companion named needs no binding: it acts
 * as no admin and writes no other secret.
 *
 * @param fieldOf the prop path of each rotation, for messages
 */
export function declareRotations(
  scope: Construct,
  rotations: readonly { readonly field: string; readonly rotation: DeclaredRotation }[],
  defaultStrategy: Strategy | undefined,
): Declared {
  const bindings: RotationBinding[] = [];
  let tagged = false;
  for (const { field, rotation } of rotations) {
    const declared = bindingOf(field, rotation, defaultStrategy);
    if (declared === undefined) continue;
    if (!declared.deployTime) {
      bindings.push(declared.checked);
    } else if (rotation.secret instanceof secretsmanager.Secret) {
      new RotationBindingTags(rotation.secret, 'PgRotatorBinding', {
        ...declared.binding,
        secret: rotation.secret,
        adminSecret: rotation.adminSecret,
        companionSecrets: rotation.companionSecrets,
      });
      tagged = true;
    } else {
      throw new InvalidInputError(
        `${field}.secret`,
        'has an ARN known only at deploy time and is not a secret of this stack, so it can be bound neither in the bindings file nor by tags: import it by its ARN',
      );
    }
  }
  return { bindings, tagged };
}

/** A rotation's binding: as declared (ARNs may be deploy-time tokens), as checked, and whether any ARN is a token. */
export interface DeclaredBinding {
  readonly binding: {
    readonly secretArn: string;
    readonly strategy: Strategy;
    readonly adminSecretArn?: string;
    readonly username?: string;
    readonly alternateUsername?: string;
    readonly ownerRole?: string;
    readonly usernameCompanionSecretArn?: string;
    readonly alternateUsernameCompanionSecretArn?: string;
  };
  readonly checked: RotationBinding;
  readonly deployTime: boolean;
}

/**
 * A rotation's binding, checked with the function's own schema at synth (errors name the prop, e.g.
 * `rotations[1].username`), or undefined when it needs none: a single-user rotation with no login and no companion
 * named acts as no admin and writes no other secret.
 *
 * @param field the prop path of the rotation, for messages ('' for props of their own)
 * @throws {InvalidInputError} naming the prop the function's schema refuses
 */
export function bindingOf(field: string, rotation: DeclaredRotation, defaultStrategy: Strategy | undefined): DeclaredBinding | undefined {
  const strategy = rotation.strategy ?? (rotation.adminSecret === undefined ? 'single-user' : (defaultStrategy ?? 'alternating'));
  const companions = rotation.companionSecrets?.username !== undefined || rotation.companionSecrets?.alternateUsername !== undefined;
  if (strategy === 'single-user' && rotation.username === undefined && !companions) return undefined;
  const secretArn = secretArnOf(rotation.secret);
  const adminArn = optionalSecretArn(rotation.adminSecret);
  const companionArns = [optionalSecretArn(rotation.companionSecrets?.username), optionalSecretArn(rotation.companionSecrets?.alternateUsername)] as const;
  const binding = {
    secretArn,
    strategy,
    adminSecretArn: adminArn,
    username: rotation.username,
    alternateUsername: rotation.alternateUsername,
    ownerRole: rotation.ownerRole,
    usernameCompanionSecretArn: companionArns[0],
    alternateUsernameCompanionSecretArn: companionArns[1],
  };
  const deployTime = (arn: string | undefined) => arn !== undefined && Token.isUnresolved(arn);
  // One stand-in per deploy-time ARN: two secrets are not taken for one, and one secret given twice (the admin secret
  // as a companion, say) is still seen as the same.
  const standIns = new Map<string, string>();
  const checkable = (arn: string | undefined) => {
    if (arn === undefined || !deployTime(arn)) return arn;
    const standIn = standIns.get(arn) ?? PLACEHOLDER_ARN.replace('deploy-time', `deploy-time-${standIns.size}`);
    standIns.set(arn, standIn);
    return standIn;
  };
  const checked = RotationBindingSchema.safeParse({
    ...binding,
    secretArn: checkable(secretArn),
    adminSecretArn: checkable(adminArn),
    usernameCompanionSecretArn: checkable(companionArns[0]),
    alternateUsernameCompanionSecretArn: checkable(companionArns[1]),
  });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const prop =
      {
        secretArn: 'secret',
        adminSecretArn: 'adminSecret',
        usernameCompanionSecretArn: 'companionSecrets.username',
        alternateUsernameCompanionSecretArn: 'companionSecrets.alternateUsername',
      }[String(issue?.path[0])] ?? String(issue?.path[0] ?? 'strategy');
    throw new InvalidInputError(field === '' ? prop : `${field}.${prop}`, issue?.message ?? 'is invalid');
  }
  return { binding, checked: checked.data, deployTime: [secretArn, adminArn, ...companionArns].some(deployTime) };
}
