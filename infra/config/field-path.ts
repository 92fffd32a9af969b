/**
 * Renders a zod path the way a reader of the JSON would write it: `config.secrets[1].schedule`.
 *
 * @example
 * fieldPath(['secrets', 1, 'schedule']); // 'config.secrets[1].schedule'
 */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`),
    'config',
  );
}
