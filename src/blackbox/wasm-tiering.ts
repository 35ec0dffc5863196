// Keeps WebAssembly on V8's baseline compiler (Liftoff) for the HTTP prober's parser.
import { setFlagsFromString } from 'node:v8';

let applied = false;

/**
 * undici parses HTTP/1.1 with llhttp compiled to WebAssembly, the only WebAssembly this process
 * runs (Node's own fetch uses the same parser). V8 starts it on Liftoff and, once it is warm,
 * recompiles it with TurboFan in the background: about 200 ms of CPU for the big parser
 * function, paid in the first minute of a prober that sends a few requests a second and never
 * earned back, since parsing a reply is under 1 % of a probe's CPU on either tier.
 * The flag is read when a module is compiled, and undici compiles llhttp lazily on its first
 * connection, so setting it when the prober loads is in time. Idempotent.
 */
export function keepWasmOnBaselineCompiler(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--liftoff-only');
}
