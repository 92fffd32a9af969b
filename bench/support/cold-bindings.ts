/**
 * What a cold container does with the bindings file on its first step, timed in this fresh process: read and validate
 * it, then index it (ARNs and the roles it binds). Prints milliseconds. Run by bench/fleet.ts as
 * `node --import tsx bench/support/cold-bindings.ts <rotation-bindings.json>`; a file, not a string, so typecheck sees
 * the calls it makes.
 */
import { readRotationBindings } from '../../lambda/config/rotation-bindings';
import { deploymentDeclarations } from '../../lambda/config/declarations';

const [file] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: cold-bindings.ts <rotation-bindings.json>');
const started = performance.now();
const declarations = deploymentDeclarations({ bindings: readRotationBindings(file), tagsBind: true, adminSecretArns: [] });
declarations.boundRoles();
console.log(performance.now() - started);
