import { describe, expect, it } from 'vitest';
import { versionMemory } from '../../lambda/secrets/version-memory';

describe('version memory', () => {
  it('recalls a version value and the version last seen AWSCURRENT, per secret', () => {
    const memory = versionMemory();
    memory.rememberValue('arn:a', 'v1', '{"password":"one"}');
    memory.rememberCurrent('arn:a', 'v1');

    expect(memory.valueOf('arn:a', 'v1')).toBe('{"password":"one"}');
    expect(memory.currentVersionOf('arn:a')).toBe('v1');
    expect(memory.valueOf('arn:b', 'v1')).toBeUndefined();
    expect(memory.currentVersionOf('arn:b')).toBeUndefined();
  });

  it('forgets everything after its time to live, so no password outlives a rotation by long', () => {
    let now = 0;
    const memory = versionMemory({ ttlMs: 1_000, now: () => now });
    memory.rememberValue('arn:a', 'v1', 'value');
    memory.rememberCurrent('arn:a', 'v1');

    now = 999;
    expect(memory.valueOf('arn:a', 'v1')).toBe('value');
    now = 1_000;
    expect(memory.valueOf('arn:a', 'v1')).toBeUndefined();
    expect(memory.currentVersionOf('arn:a')).toBeUndefined();
  });

  it('keeps at most maxSecrets, dropping the one remembered longest ago', () => {
    const memory = versionMemory({ maxSecrets: 2 });
    memory.rememberValue('arn:a', 'v1', 'one');
    memory.rememberValue('arn:b', 'v1', 'two');
    memory.rememberValue('arn:c', 'v1', 'three');

    expect(memory.valueOf('arn:a', 'v1')).toBeUndefined();
    expect(memory.valueOf('arn:b', 'v1')).toBe('two');
    expect(memory.valueOf('arn:c', 'v1')).toBe('three');
  });

  it('forgets a secret whole once its rotation is finished', () => {
    const memory = versionMemory();
    memory.rememberValue('arn:a', 'v1', 'one');
    memory.rememberCurrent('arn:a', 'v1');
    memory.rememberValue('arn:b', 'v1', 'other');

    memory.forget('arn:a');

    expect(memory.valueOf('arn:a', 'v1')).toBeUndefined();
    expect(memory.currentVersionOf('arn:a')).toBeUndefined();
    expect(memory.valueOf('arn:b', 'v1')).toBe('other');
  });

});
