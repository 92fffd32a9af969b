import * as z from 'zod/mini';
import '../schema-messages';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The longest validity a policy may allow a temporary user: a year and a day. */
export const MAX_VALIDITY_MS = 366 * UNIT_MS.d;

/**
 * A duration in milliseconds from its policy form: a whole number and a unit, `s`, `m`, `h` or `d` (`90m`, `8h`,
 * `7d`), as Vault writes its `max_ttl`. Undefined when the text is not of that form.
 *
 * @example
 * durationMs('8h') // 28_800_000
 */
export function durationMs(text: string): number | undefined {
  const match = /^([1-9][0-9]{0,5})([smhd])$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** A maximum validity: `<number><s|m|h|d>`, from one minute to 366 days. */
export const ValidityDurationSchema = z.string().check(
  z.refine((text) => durationMs(text) !== undefined, 'must be a whole number and a unit: s, m, h or d (90m, 8h, 7d)'),
  z.refine((text) => {
    const ms = durationMs(text);
    return ms === undefined || (ms >= UNIT_MS.m && ms <= MAX_VALIDITY_MS);
  }, 'must be from 1m to 366d'),
  z.meta({ description: 'A duration: a whole number and a unit, s, m, h or d (90m, 8h, 7d); from 1m to 366d.' }),
);
