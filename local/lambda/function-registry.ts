import { ResourceNotFoundError } from './errors';
import { functionArn, parseFunctionReference } from './function-reference';
import type { FunctionReference } from './function-reference';
import { parseFunctionName } from './local-function';

/** A registered function found for an Invoke request. */
export interface ResolvedFunction<T> {
  readonly name: string;
  readonly entry: T;
  /** The ARN as Lambda reports it to the function: qualified when the caller used a qualifier. */
  readonly invokedFunctionArn: string;
}

/**
 * Names and ARNs of the functions of one local endpoint (one region, one account). Generic over what is kept
 * per function so it stays about naming only.
 *
 * The local endpoint has a single version per function, so every qualifier (`$LATEST`, a version number, an
 * alias) resolves to the registered code; only the name, region and account must match.
 *
 * @example
 * const registry = new FunctionRegistry<string>('us-east-1', '123456789012');
 * registry.register('rotator', 'code');
 * registry.resolve(parseFunctionReference('rotator:live')).invokedFunctionArn;
 * // 'arn:aws:lambda:us-east-1:123456789012:function:rotator:live'
 */
export class FunctionRegistry<T> {
  private readonly entries = new Map<string, T>();

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  /** Adds or replaces a function; returns the entry it replaced, if any. */
  register(name: string, entry: T): { readonly arn: string; readonly replaced?: T } {
    parseFunctionName(name);
    const replaced = this.entries.get(name);
    this.entries.set(name, entry);
    return { arn: this.arnOf(name), ...(replaced !== undefined && { replaced }) };
  }

  /** The unqualified ARN of `name` in this endpoint's region and account (registered or not). */
  arnOf(name: string): string {
    return functionArn(this.region, this.accountId, name);
  }

  /**
   * Finds the function a reference names. Throws {@link ResourceNotFoundError} with the ARN AWS would print
   * when the name is unknown or an ARN points at another region or account.
   */
  resolve(reference: FunctionReference): ResolvedFunction<T> {
    const region = reference.region ?? this.region;
    const accountId = reference.accountId ?? this.accountId;
    const invokedFunctionArn = functionArn(region, accountId, reference.name, reference.qualifier);
    const entry = region === this.region && accountId === this.accountId ? this.entries.get(reference.name) : undefined;
    if (entry === undefined) throw new ResourceNotFoundError(invokedFunctionArn);
    return { name: reference.name, entry, invokedFunctionArn };
  }

  /** Resolves a name or ARN given through the programmatic API; `undefined` when it names nothing here. */
  find(nameOrArn: string): ResolvedFunction<T> | undefined {
    try {
      return this.resolve(parseFunctionReference(nameOrArn));
    } catch {
      return undefined;
    }
  }

  /** Every registered entry, for shutdown. */
  all(): T[] {
    return [...this.entries.values()];
  }
}
