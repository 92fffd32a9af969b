/**
 * Markdown tables from JSON Schema (2020-12, as zod's toJSONSchema writes it): one row per field, nested objects
 * flattened into dotted paths, named `$defs` linked rather than repeated. Pure: the same schema always renders the
 * same text, so a test can compare the committed reference with a fresh rendering.
 */

/** The subset of JSON Schema that zod emits and the reference renders. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, JsonSchema>>;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly description?: string;
  readonly title?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly additionalProperties?: boolean | JsonSchema;
}

/** One row of a field table. */
export interface FieldRow {
  readonly field: string;
  readonly type: string;
  readonly required: boolean;
  readonly description: string;
}

/** How `$ref`s are shown: a link to the named type's section. */
export type RefLink = (name: string) => string;

/** GitHub's heading anchor: lower case, punctuation but `-` and `_` dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The name a `$ref` points to: `#/$defs/Target` → `Target`. */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** Resolves a `$ref` against the document that holds the `$defs`. */
export function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (schema.$ref === undefined) return schema;
  const target = root.$defs?.[refName(schema.$ref)];
  if (target === undefined) throw new Error(`unresolved $ref ${schema.$ref}`);
  return target;
}

const SAFE = Number.MAX_SAFE_INTEGER;
const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
const literal = (value: unknown) => code(JSON.stringify(value));

/** A short, readable type: `string (1–2048 chars, ^…$)`, `"a" or "b"`, `list of [Grant](#grant)`, `integer ≥ 0`. */
export function typeText(schema: JsonSchema, link: RefLink): string {
  if (schema.$ref !== undefined) return link(refName(schema.$ref));
  if (schema.const !== undefined) return literal(schema.const);
  if (schema.enum !== undefined) {
    const values = schema.enum.map(literal);
    return values.length <= 2 ? values.join(' or ') : `one of ${values.join(', ')}`;
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined) return alternatives.map((s) => typeText(s, link)).join(' or ');
  if (Array.isArray(schema.type)) return schema.type.map((type) => typeText({ ...schema, type }, link)).join(' or ');
  switch (schema.type) {
    case 'string':
      return withLimits('string', [lengthLimit(schema), ...patternLimit(schema)]);
    case 'integer':
    case 'number':
      return withLimits(schema.type, [rangeLimit(schema)]);
    case 'array': {
      const items = schema.items === undefined ? 'values' : typeText(schema.items, link);
      const count = countLimit(schema);
      return `list of ${items}${count ? `; ${count}` : ''}`;
    }
    case 'null':
      return '`null`';
    case 'object':
      return 'object';
    case undefined:
      return 'any JSON';
    default:
      return String(schema.type);
  }
}

function withLimits(base: string, limits: readonly (string | undefined)[]): string {
  const present = limits.filter((limit): limit is string => limit !== undefined);
  return present.length === 0 ? base : `${base} (${present.join(', ')})`;
}

function lengthLimit(schema: JsonSchema): string | undefined {
  const { minLength: min, maxLength: max } = schema;
  if (min !== undefined && max !== undefined) return `${min}–${max} chars`;
  if (max !== undefined) return `at most ${max} chars`;
  if (min !== undefined && min > 1) return `at least ${min} chars`;
  return min === 1 ? 'not empty' : undefined;
}

/** Formats zod names are shown by name: their generated patterns say less to a reader than the name does. */
const FORMATS: Readonly<Record<string, string>> = { 'date-time': 'ISO 8601 date-time with offset', uri: 'a URL', email: 'an email address' };

function patternLimit(schema: JsonSchema): string[] {
  if (schema.format !== undefined && FORMATS[schema.format] !== undefined) return [FORMATS[schema.format] as string];
  if (schema.pattern === undefined) return [];
  // zod's .includes() becomes format "includes" with the literal text as the pattern.
  return [schema.format === 'includes' ? `contains ${code(schema.pattern)}` : code(schema.pattern)];
}

function rangeLimit(schema: JsonSchema): string | undefined {
  const min = schema.minimum !== undefined && schema.minimum > -SAFE ? schema.minimum : undefined;
  const max = schema.maximum !== undefined && schema.maximum < SAFE ? schema.maximum : undefined;
  if (min !== undefined && max !== undefined) return `${min} to ${max}`;
  if (min !== undefined) return `≥ ${min}`;
  return max === undefined ? undefined : `≤ ${max}`;
}

function countLimit(schema: JsonSchema): string | undefined {
  const { minItems: min, maxItems: max } = schema;
  if (min !== undefined && max !== undefined) return `${min}–${max} items`;
  if (max !== undefined) return `at most ${max} items`;
  return min === undefined ? undefined : `at least ${min} items`;
}

/** An inline object (not a `$ref`), possibly nullable: its fields are flattened into the parent's table. */
function inlineObject(schema: JsonSchema): JsonSchema | undefined {
  if (schema.$ref !== undefined) return undefined;
  if (schema.properties !== undefined) return schema;
  const alternatives = schema.anyOf ?? [];
  const objects = alternatives.filter((s) => s.properties !== undefined);
  return objects.length === 1 && alternatives.every((s) => s.properties !== undefined || s.type === 'null') ? objects[0] : undefined;
}

/**
 * The rows of an object's fields, in schema order. Inline objects add their own fields as `parent.child`, lists
 * of inline objects as `parent[].child`; named types stay one row with a link.
 */
export function fieldRows(schema: JsonSchema, link: RefLink, prefix = '', skip: readonly string[] = []): FieldRow[] {
  const rows: FieldRow[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (skip.includes(name)) continue;
    const path = `${prefix}${name}`;
    const object = inlineObject(field);
    const listed = field.type === 'array' && field.items !== undefined ? inlineObject(field.items) : undefined;
    const count = countLimit(field);
    const type = object ? (field.anyOf ? 'object or `null`' : 'object') : listed ? `list of objects${count ? `; ${count}` : ''}` : typeText(field, link);
    rows.push({ field: path, type, required: required.has(name), description: describe(field) });
    if (object) rows.push(...fieldRows(object, link, `${path}.`));
    if (listed) rows.push(...fieldRows(listed, link, `${path}[].`));
  }
  return rows;
}

function describe(schema: JsonSchema): string {
  const text = schema.description ?? '';
  if (schema.default === undefined) return text;
  return `${text}${text ? ' ' : ''}Default: ${literal(schema.default)}.`;
}

/** A markdown table cell: pipes escaped, one line. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** The markdown table of `rows`; `requiredHeader` names the yes/no column (`required`, `always present`). */
export function fieldTable(rows: readonly FieldRow[], requiredHeader = 'required'): string {
  const lines = [`| field | type | ${requiredHeader} | description |`, '|---|---|---|---|'];
  for (const row of rows) {
    lines.push(`| \`${row.field}\` | ${cell(row.type)} | ${row.required ? 'yes' : ''} | ${cell(row.description)} |`);
  }
  return lines.join('\n');
}
