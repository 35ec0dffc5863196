// Waiting on the state of another process (a running `egresswatch run`), which no event tells
// the test about: ask again until the answer shows it. The test's own timeout bounds the wait.
export async function until<T>(ask: () => Promise<T>, done: (v: T) => boolean, everyMs = 200): Promise<T> {
  for (let v = await ask(); ; v = await ask()) {
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
