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

  it('keeps at most maxEntries, dropping the oldest first', () => {
    const memory = versionMemory({ maxEntries: 2 });
    memory.rememberValue('arn:a', 'v1', 'one');
    memory.rememberValue('arn:a', 'v2', 'two');
    memory.rememberValue('arn:a', 'v1', 'one'); // remembered again: now the newest
    memory.rememberValue('arn:a', 'v3', 'three');

    expect(memory.valueOf('arn:a', 'v2')).toBeUndefined();
    expect(memory.valueOf('arn:a', 'v1')).toBe('one');
    expect(memory.valueOf('arn:a', 'v3')).toBe('three');
  });

  it('keeps ids that would collide under a naive separator apart', () => {
    const memory = versionMemory();
    memory.rememberValue('arn:a|v', '1', 'first');
    expect(memory.valueOf('arn:a', 'v|1')).toBeUndefined();
  });
});
