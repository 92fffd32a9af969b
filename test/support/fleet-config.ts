import { readFileSync } from 'node:fs';
import type { PgRotatorConfigInput } from '../../infra/config/schema';
import { DEFAULT_CONFIG_FILE } from '../../infra/config/load';

const ACCOUNT = '123456789012';
const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${name}`;

/**
 * A fleet for the fleet-size tests and bench/fleet.ts: the example config with `count` rotated secrets, even ones
 * single-user, odd ones alternating under one of 10 admin secrets (as the issue measured at 300), their schedules
 * spread over nested stacks past 400.
 */
export function fleetConfig(count: number, edit: (config: PgRotatorConfigInput) => void = () => {}): PgRotatorConfigInput {
  const input = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as PgRotatorConfigInput;
  input.secrets = Array.from({ length: count }, (_, i) => {
    const name = `teams/team-${String(i % 97).padStart(2, '0')}/app-${String(i).padStart(5, '0')}`;
    const schedule = { schedule: `cron(0 ${(i % 6) * 4} ? * SUN *)`, window: '2h' };
    return i % 2 === 0
      ? { arn: arn(`${name}-AbCdEf`), ...schedule, strategy: 'single-user' as const }
      : {
          arn: arn(`${name}-AbCdEf`),
          ...schedule,
          strategy: 'alternating' as const,
          username: `app_${i}`,
          adminSecret: { arn: arn(`teams/admin-${i % 10}-GhIjKl`) },
        };
  });
  if (count > 400) input.scheduleStacks = Math.ceil(count / 250);
  delete input.orchestration;
  input.orchestrators = [];
  edit(input);
  return input;
}

