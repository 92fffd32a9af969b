import { describe, expect, it } from 'vitest';
import * as clientErrors from '../../client/client-errors';
import * as configErrors from '../../infra/config/config-error';
import * as functionErrors from '../../lambda/errors';
import { PgRotatorError } from '../../lambda/errors';
import * as localLambdaErrors from '../../local/lambda/errors';

/**
 * Every error class writes its name out as a string (lambda/errors.ts says why: Lambda's errorType, and a minified
 * bundle renames classes). Here, unminified, each class's own name is the truth the literal must match; the bundle
 * test (test/infra/bundle.test.ts) checks the literal survives minification.
 */
describe('error class names', () => {
  const modules = { functionErrors, clientErrors, configErrors, localLambdaErrors };
  const classes = Object.values(modules).flatMap((module) =>
    Object.values(module).filter(
      (value): value is new (...args: unknown[]) => PgRotatorError =>
        typeof value === 'function' && value.prototype instanceof PgRotatorError && value.toString().startsWith('class') && !isAbstract(value),
    ),
  );

  it('finds the classes it checks', () => {
    expect(classes.map((cls) => cls.name)).toEqual(expect.arrayContaining(['InvalidInputError', 'DatabaseError', 'ActionRefusedError', 'ConfigError', 'InvocationError', 'ServiceError']));
  });

  it.each(classes.filter((cls) => cls.name !== 'HandlerLoadError').map((cls) => [cls.name, cls] as const))('%s is named by its own class name', (name, cls) => {
    const error = new cls(...(ARGUMENTS[name] ?? ['a', 'b', 'c']));
    expect(error.name).toBe(name);
    expect(error.stack?.startsWith(`${name}: `)).toBe(true);
  });

  it("HandlerLoadError is named by the Lambda runtime's error type", () => {
    expect(new localLambdaErrors.HandlerLoadError('Runtime.HandlerNotFound', 'x').name).toBe('Runtime.HandlerNotFound');
  });
});

/** Constructors that take more than strings. */
const ARGUMENTS: Record<string, unknown[]> = { ConfigError: ['config.json', []], DependentObjectsError: ['m', []] };

/** The abstract bases (PgRotatorError, LambdaApiError) are never thrown themselves. */
function isAbstract(cls: unknown): boolean {
  return cls === PgRotatorError || cls === localLambdaErrors.LambdaApiError;
}
