import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lambda/log/logger';

describe('structured logs', () => {
  it('writes one JSON line per event with the bound fields', () => {
    const lines: string[] = [];
    createLogger({ write: (l) => lines.push(l) }).child({ secretArn: 'arn:x', step: 'setSecret' }).info('done', { durationMs: 5 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'info', message: 'done', secretArn: 'arn:x', step: 'setSecret', durationMs: 5 });
  });

  it('redacts values under sensitive keys at any depth, but keeps identifiers', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    log.info('event', {
      password: 'p1',
      RotationToken: 'rt',
      managingUser: { username: 'admin', password: 'p2' },
      rotateUser: { newPassword: 'p3' },
      SecretString: '{"password":"p4"}',
      ClientRequestToken: 'token-is-a-version-id',
    });
    const line = lines[0] as string;
    for (const secret of ['p1', 'rt"', 'p2', 'p3', 'p4']) expect(line).not.toContain(secret);
    expect(line).toContain('token-is-a-version-id');
    expect(line).toContain('"username":"admin"');
  });

  it('shows nothing below the depth it checks, and redacts connection strings and keys too', () => {
    const lines: string[] = [];
    const deep = Array.from({ length: 12 }).reduce<Record<string, unknown>>((inner) => ({ x: inner }), { password: 'p5', note: 'n' });
    createLogger({ write: (l) => lines.push(l) }).info('event', { deep, connectionString: 'postgres://u:p6@h/d', privateKey: 'p7', pwd: 'p8' });
    const line = lines[0] as string;
    for (const secret of ['p5', 'p6', 'p7', 'p8']) expect(line).not.toContain(secret);
    expect(line).toContain('[truncated]');
  });

  it('drops events below the level', () => {
    const lines: string[] = [];
    createLogger({ level: 'warn', write: (l) => lines.push(l) }).info('quiet');
    expect(lines).toEqual([]);
  });
});
