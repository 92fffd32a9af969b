import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { bundleFunctionSync } from '../../scripts/function-bundle';

/**
 * The source folder the asset is declared on. Only CDK's bundling contract needs one: the local hook bundles from the
 * entry points themselves, and the asset's hash is that of the bundle it writes (AssetHashType.OUTPUT).
 */
const SOURCE_DIR = fileURLToPath(new URL('../../lambda', import.meta.url));

/** esbuild's target for Lambda's nodejs24.x (RUNTIME in rotator-function.ts). */
const LAMBDA_TARGET = 'node24';

/**
 * CDK's local bundling hook: esbuild from node_modules (no Docker on build machines) writes rotation.mjs,
 * orchestrator.mjs and status.mjs, then the files the deployment adds beside them. Its fields are part of CDK's asset cache key, so
 * two constructs with different files never share a bundle.
 */
class FunctionBundling implements ILocalBundling {
  constructor(
    readonly target: string,
    /** File name → content, written beside the handlers. */
    readonly files: Readonly<Record<string, string>>,
  ) {}

  tryBundle(outputDir: string): boolean {
    bundleFunctionSync(outputDir, this.target);
    for (const [name, content] of Object.entries(this.files)) writeFileSync(path.join(outputDir, name), content);
    return true;
  }
}

/**
 * The one code asset every function runs, each with its own handler (scripts/function-bundle.ts). Deterministic:
 * the same sources and files give the same bundle, hence the same hash, and no redeploy.
 *
 * @param files what the deployment writes beside the handlers (the rotation bindings)
 */
export function functionCode(files: Readonly<Record<string, string>> = {}): lambda.Code {
  return lambda.Code.fromAsset(SOURCE_DIR, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: the local hook always bundles. CDK requires an image for the Docker fallback.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-alpine'),
      local: new FunctionBundling(LAMBDA_TARGET, files),
    },
  });
}
