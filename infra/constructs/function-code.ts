import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { InvalidInputError } from '../../lambda/errors';
import { bundleFunctionSync, FUNCTION_ENTRIES } from '../../scripts/function-bundle';

/** esbuild's target for Lambda's nodejs24.x (RUNTIME in rotator-function.ts): the shipped bundle is built for it too. */
export const LAMBDA_TARGET = 'node24';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * Where the installed package keeps the bundle it ships: `dist/function/`, beside `dist/infra/` (scripts/package/
 * build-package.ts writes it with {@link LAMBDA_TARGET}, from the same esbuild options as a build from source).
 */
export const SHIPPED_BUNDLE_DIR = path.resolve(HERE, '../../function');

/** This module runs as TypeScript, i.e. from pg-rotator's source tree (tsx, vitest), not from the built package. */
const IN_SOURCE_TREE = import.meta.url.endsWith('.ts');

/** The handler files a bundle directory must hold (rotation.mjs, orchestrator.mjs, …), one per entry point. */
export function handlerFiles(): string[] {
  return Object.keys(FUNCTION_ENTRIES).map((entry) => `${entry}.mjs`);
}

/**
 * Where the functions' code comes from. The construct's default is {@link FunctionCodeSource.shipped}: the bundle the
 * package ships, so a CDK app needs no esbuild, tsx or source tree. Inside pg-rotator's own source tree the default is
 * {@link FunctionCodeSource.fromSource}, so a contributor's synth always runs the code they just changed.
 *
 * @example
 * new PgRotator(this, 'Rotator', { ...props, functionCode: FunctionCodeSource.prebuilt('./my-patched-bundle') });
 */
export class FunctionCodeSource {
  /** The bundle shipped in the installed package (`dist/function/`). */
  static shipped(): FunctionCodeSource {
    return new FunctionCodeSource('shipped', SHIPPED_BUNDLE_DIR);
  }

  /**
   * A bundle directory built elsewhere (your own `npm run build` of a patched checkout): it must hold each handler file
   * (`rotation.mjs`, `orchestrator.mjs`, `status.mjs`); their source maps are copied when present.
   */
  static prebuilt(directory: string): FunctionCodeSource {
    return new FunctionCodeSource('prebuilt', path.resolve(directory));
  }

  /**
   * esbuild bundles the handlers from pg-rotator's source tree at synth (`scripts/function-bundle.ts`), as contributors
   * and anyone running a patched checkout want. Needs esbuild (an optional peer dependency) and the TypeScript sources,
   * which the package does not ship.
   */
  static fromSource(): FunctionCodeSource {
    return new FunctionCodeSource('source', undefined);
  }

  /** What the construct uses when given nothing: shipped, or from source inside pg-rotator's source tree. */
  static default(): FunctionCodeSource {
    return IN_SOURCE_TREE ? FunctionCodeSource.fromSource() : FunctionCodeSource.shipped();
  }

  private constructor(
    /** `shipped`, `prebuilt` or `source`. */
    readonly kind: 'shipped' | 'prebuilt' | 'source',
    /** The bundle directory copied from; none when building from source. */
    readonly directory: string | undefined,
  ) {}
}

/**
 * CDK's local bundling hook: copies the prebuilt handlers (rotation.mjs, orchestrator.mjs, status.mjs) or has esbuild
 * build them from source, then writes the files the deployment adds beside them. No Docker on build machines. Its
 * fields are part of CDK's asset cache key, so two constructs with different files never share a bundle.
 */
class FunctionBundling implements ILocalBundling {
  constructor(
    /** The prebuilt bundle directory, or undefined to build from source. */
    readonly directory: string | undefined,
    /** File name → content, written beside the handlers. */
    readonly files: Readonly<Record<string, string>>,
  ) {}

  tryBundle(outputDir: string): boolean {
    if (this.directory === undefined) {
      bundleFunctionSync(outputDir, LAMBDA_TARGET);
    } else {
      for (const handler of handlerFiles()) {
        copyFileSync(path.join(this.directory, handler), path.join(outputDir, handler));
        const map = `${handler}.map`;
        if (existsSync(path.join(this.directory, map))) copyFileSync(path.join(this.directory, map), path.join(outputDir, map));
      }
    }
    for (const [name, content] of Object.entries(this.files)) writeFileSync(path.join(outputDir, name), content);
    return true;
  }
}

/** The root the entry points are relative to: the checkout in the source tree (`dist/` in the package, which has none). */
const SOURCE_ROOT = path.resolve(HERE, '../..');
/** The source folder the asset is declared on when building from source (CDK's bundling contract needs one). */
const LAMBDA_SOURCE_DIR = path.join(SOURCE_ROOT, 'lambda');

/**
 * The one code asset every function runs, each with its own handler. Deterministic: the same handlers and files give
 * the same bundle, hence the same hash (AssetHashType.OUTPUT), and no redeploy.
 *
 * @param files what the deployment writes beside the handlers (the rotation bindings)
 * @throws {InvalidInputError} naming `functionCode` when the bundle, or the source tree, is not there
 */
export function functionCode(source: FunctionCodeSource, files: Readonly<Record<string, string>> = {}): lambda.Code {
  if (source.directory !== undefined) {
    const missing = handlerFiles().filter((file) => !existsSync(path.join(source.directory as string, file)));
    if (missing.length > 0) {
      const hint =
        source.kind === 'shipped'
          ? 'the package was built without its function bundle (npm run build writes dist/function/); in a checkout, use FunctionCodeSource.fromSource()'
          : 'build one with npm run build (dist/function/) in a checkout of pg-rotator';
      throw new InvalidInputError('functionCode', `${source.directory} lacks ${missing.join(', ')}: ${hint}`);
    }
  } else {
    const entries = Object.values(FUNCTION_ENTRIES).map((file) => path.join(SOURCE_ROOT, file));
    const absent = entries.find((file) => !existsSync(file));
    if (absent !== undefined) {
      throw new InvalidInputError(
        'functionCode',
        `building from source needs pg-rotator's TypeScript sources (${absent} is absent), which the package does not ship: use the shipped bundle, or FunctionCodeSource.prebuilt() with a bundle built in a checkout`,
      );
    }
  }
  return lambda.Code.fromAsset(source.directory ?? LAMBDA_SOURCE_DIR, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: the local hook always bundles. CDK requires an image for the Docker fallback.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-alpine'),
      local: new FunctionBundling(source.directory, files),
    },
  });
}
