import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * English messages for the function's schemas. The schemas in lambda/ are written with zod's tree-shakable
 * `zod/mini` API, which loads no locale: without this every issue would read "Invalid input" instead of naming what
 * was expected. Every module that declares a schema imports this one for its effect, so whichever program parses a
 * schema (the two functions, the client, infra, the tests) gets the same messages; zod's classic API, which infra/
 * and client/ may still use for their own schemas, installs the same English locale itself.
 *
 * The pattern of a schema module in lambda/ (docs/architecture.md, "Schemas"), for zod/mini keeps the bundle a third
 * of its size (only what is used is bundled; classic zod's methods bring all of it):
 *
 * ```ts
 * import * as z from 'zod/mini';
 * import '../schema-messages';
 *
 * export const ThingSchema = z.strictObject({
 *   name: z.string().check(z.minLength(1), z.maxLength(63)),        // classic: z.string().min(1).max(63)
 *   port: z.optional(z.int().check(z.minimum(1), z.maximum(65535))), // classic: z.number().int().min(1).max(65535).optional()
 *   tls: z._default(z.boolean(), true),                             // classic: z.boolean().default(true)
 *   note: z.optional(z.string()).check(z.meta({ description: '…' })), // classic: z.string().optional().meta({ … })
 * });
 * export type Thing = z.infer<typeof ThingSchema>;
 * ```
 *
 * Mini schemas nest inside classic ones (both are zod's core types): infra/ writes `z.optional(StrategySchema)`
 * rather than `StrategySchema.optional()`, which a mini schema does not have.
 */
config(en());
