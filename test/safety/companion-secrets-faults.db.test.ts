/**
 * Companion secrets (one per login, for RDS Proxy) under every fault the fault-injection suite knows, for the
 * alternating strategies: each scenario's secret declares a companion per login, its rotation is profiled with them
 * (so their DescribeSecret and PutSecretValue calls are injection points too), and at every observed moment each
 * companion must hold its own login's password and log in, but for the window where the rotation in flight already
 * changed that login's password, and for an empty companion before the first rotation finished. After the retries
 * converge, each companion holds exactly the version of its login.
 *
 * @matrix once: what it adds to fault-injection.db.test.ts, which runs the same strategies' statements under the same
 * faults on every major, is Secrets Manager's companion writes, which no server version changes.
 */
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, it } from 'vitest';
import type { Strategy } from '../../lambda/config/environment';
import type { CompanionMoment } from './support/companion-observer';
import { declareCompanions, observeCompanions } from './support/companion-observer';
import { scenariosFor } from './support/fault-scenarios';
import type { RotationProfile } from './support/injection-points';
import { profileRotation } from './support/injection-points';
import { observedPasswords } from './support/label-logins';
import type { Lane } from './support/lanes';
import { LanePool } from './support/lanes';
import { SafetyFigures } from './support/safety-figures';
import type { ScenarioHooks } from './support/scenario-runner';
import { runScenario } from './support/scenario-runner';
import type { StrategySecret } from './support/strategy-secrets';

const LANES = 5;
const STRATEGIES: readonly Strategy[] = ['alternating', 'alternating-owner'];
const pool = await LanePool.start(LANES);
const companionsOf = new Map<string, Map<string, string>>();
const arrange = async (lane: Lane, secret: StrategySecret) => void companionsOf.set(secret.arn, await declareCompanions(lane, secret));
const profiles: RotationProfile[] = [];
for (const strategy of STRATEGIES) {
  for (const rotation of [1, 2] as const) profiles.push(await profileRotation(pool.lanes[0] as Lane, strategy, rotation, arrange));
}
const scenarios = profiles.flatMap(scenariosFor);
const figures = new SafetyFigures('companion-secrets');

afterAll(async () => {
  await pool.close();
  figures.publish();
});

describe('companion secrets at every injection point', () => {
  it('are written by finishSecret, so their calls are injection points of their own', () => {
    const finish = profiles.flatMap((p) => p.smCalls.filter((c) => c.step === 'finishSecret').map((c) => c.name));
    expect(finish).toContain('DescribeSecret(another secret)');
    expect(finish).toContain('PutSecretValue(another secret, AWSCURRENT)');
  });

  it.concurrent.for(scenarios.map((s) => [s.name, s] as const))('%s: each companion holds its login’s password at every moment', async ([, scenario], { expect }) => {
    const moments: CompanionMoment[] = [];
    const hooks: ScenarioHooks = {
      arrange,
      observe: async (lane, secret, at) => void moments.push(...(await observeCompanions(lane.sm, lane.superuser, secret.arn, companionsOf.get(secret.arn) ?? new Map(), at))),
    };
    const { record, stages } = await pool.use(async (lane) => {
      const run = await runScenario(lane, scenario, hooks);
      const { VersionIdsToStages = {} } = await lane.sm.send(new DescribeSecretCommand({ SecretId: run.secret.arn }));
      return { record: run, stages: VersionIdsToStages };
    });
    for (const moment of moments) figures.count('moments observed', scenario.strategy, moment.verdict);
    figures.count('scenarios', scenario.strategy, scenario.fault.family);

    expect(record.converged).toBe(true);
    expect(moments.filter((m) => m.verdict === 'wrong').map((m) => `${m.at}: ${m.login}`)).toEqual([]);
    const end = moments.slice(-2);
    expect(end.map((m) => m.verdict)).toEqual(['current', 'current']);
    const held = new Set(end.map((m) => m.versionId));
    const current = Object.entries(stages).find(([, labels]) => labels.includes('AWSCURRENT'))?.[0];
    const previous = Object.entries(stages).find(([, labels]) => labels.includes('AWSPREVIOUS'))?.[0];
    expect(held, 'the companions carry the ids of AWSCURRENT and AWSPREVIOUS, one each').toEqual(new Set([current, previous]));
  });

  it('hold no password in any function log line', () => {
    const log = pool.functionLog().join('\n');
    expect(observedPasswords().filter((p) => p.length >= 12 && log.includes(p))).toEqual([]);
  });
});
