import { describe, expect, it } from 'vitest';
import { AwsApiError } from '../../local/secrets-manager/errors';
import {
  attachLabels,
  detachLabel,
  moveLabel,
  pendingBlocksRotation,
  updateVersionStage,
  versionWithLabel,
} from '../../local/secrets-manager/staging-labels';
import type { StageMap } from '../../local/secrets-manager/staging-labels';

// The staging-label rules as pure functions, without a server: the transitions a rotation walks through.

const stages = (entries: Record<string, string[]>): StageMap => new Map(Object.entries(entries));
const plain = (map: StageMap): Record<string, readonly string[]> => Object.fromEntries(map);

function thrown(action: () => unknown): AwsApiError {
  try {
    action();
  } catch (error) {
    if (error instanceof AwsApiError) return error;
    throw error;
  }
  throw new Error('expected an AwsApiError');
}

describe('a full rotation, label by label', () => {
  it('walks AWSCURRENT -> AWSPENDING -> AWSCURRENT with AWSPREVIOUS following', () => {
    let s = stages({ v1: ['AWSCURRENT'] });
    // RotateSecret: the empty pending version.
    s = moveLabel(s, 'AWSPENDING', 'v2');
    expect(plain(s)).toEqual({ v1: ['AWSCURRENT'], v2: ['AWSPENDING'] });
    expect(pendingBlocksRotation(s)).toBe(true);
    // createSecret: PutSecretValue(VersionStages: ['AWSPENDING']) on the same version changes nothing.
    s = attachLabels(s, 'v2', ['AWSPENDING']);
    expect(plain(s)).toEqual({ v1: ['AWSCURRENT'], v2: ['AWSPENDING'] });
    // finishSecret.
    s = updateVersionStage(s, { label: 'AWSCURRENT', moveToVersionId: 'v2', removeFromVersionId: 'v1' });
    expect(plain(s)).toEqual({ v1: ['AWSPREVIOUS'], v2: ['AWSPENDING', 'AWSCURRENT'] });
    expect(pendingBlocksRotation(s)).toBe(false);
    // The next RotateSecret takes AWSPENDING to its new version.
    s = moveLabel(s, 'AWSPENDING', 'v3');
    expect(plain(s)).toEqual({ v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'], v3: ['AWSPENDING'] });
    s = updateVersionStage(s, { label: 'AWSCURRENT', moveToVersionId: 'v3', removeFromVersionId: 'v2' });
    expect(plain(s)).toEqual({ v1: [], v2: ['AWSPREVIOUS'], v3: ['AWSPENDING', 'AWSCURRENT'] });
  });
});

describe('staging-label rules', () => {
  it('attachLabels gives AWSCURRENT to the first version whatever was asked', () => {
    expect(plain(attachLabels(new Map(), 'v1', ['AWSPENDING']))).toEqual({ v1: ['AWSPENDING', 'AWSCURRENT'] });
  });

  it('a label is on one version at most', () => {
    const s = attachLabels(stages({ v1: ['AWSCURRENT', 'blue'], v2: [] }), 'v2', ['blue']);
    expect(plain(s)).toEqual({ v1: ['AWSCURRENT'], v2: ['blue'] });
    expect(versionWithLabel(s, 'blue')).toBe('v2');
  });

  it('moving a label onto the version that has it is a no-op', () => {
    const s = stages({ v1: ['AWSCURRENT'], v2: ['AWSPREVIOUS'] });
    expect(plain(updateVersionStage(s, { label: 'AWSCURRENT', moveToVersionId: 'v1' }))).toEqual(plain(s));
  });

  it('refuses AWSCURRENT removal, even through detachLabel', () => {
    const s = stages({ v1: ['AWSCURRENT'] });
    expect(thrown(() => detachLabel(s, 'v1', 'AWSCURRENT')).code).toBe('InvalidParameterException');
    expect(thrown(() => updateVersionStage(s, { label: 'AWSCURRENT', removeFromVersionId: 'v1' })).code).toBe(
      'InvalidParameterException',
    );
  });

  it('refuses an update naming neither version', () => {
    expect(thrown(() => updateVersionStage(stages({ v1: ['AWSCURRENT'] }), { label: 'blue' })).code).toBe(
      'InvalidParameterException',
    );
  });

  it('never changes its input', () => {
    const s = stages({ v1: ['AWSCURRENT'], v2: [] });
    updateVersionStage(s, { label: 'AWSCURRENT', moveToVersionId: 'v2', removeFromVersionId: 'v1' });
    attachLabels(s, 'v2', ['AWSCURRENT']);
    expect(plain(s)).toEqual({ v1: ['AWSCURRENT'], v2: [] });
  });
});
