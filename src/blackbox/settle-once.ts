// The shape every probe step shares: a promise that settles exactly once, on the step's own
// outcome or on the signal's abort, removing its abort listener and cleaning up before it does.

export interface Settle<T> {
  ok(value: T): void;
  fail(err: unknown): void;
}

/**
 * Runs `start` and settles on its first ok/fail or on abort (with the signal's reason); later
 * calls are ignored. `cleanup(err)` runs once just before settling (err undefined on success), so
 * sockets and listeners are released whichever way the step ended. A throw in `start` fails it.
 */
export function settleOnce<T>(signal: AbortSignal, cleanup: (err: unknown) => void, start: (settle: Settle<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const end = (err: unknown, failed: boolean, value?: T) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      cleanup(failed ? err : undefined);
      if (failed) reject(err);
      else resolve(value as T);
    };
    const settle: Settle<T> = { ok: (value) => end(undefined, false, value), fail: (err) => end(err, true) };
    const onAbort = () => settle.fail(signal.reason);
    if (signal.aborted) return settle.fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      start(settle);
    } catch (err) {
      settle.fail(err);
    }
  });
}
