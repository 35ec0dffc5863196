// Check runs the agent itself could not make (out of file descriptors or memory): they say nothing
// about the provider, so they never reach the engine. They turn the checks stage to "fail" in
// /healthz and on the page, with one log line per episode, until a minute passes without one.
import type { ProbeResult } from '../events.js';

const EPISODE_GAP_MS = 60_000;

export class AgentFaults {
  private count = 0;
  private lastAt = -Infinity;
  private lastMessage = '';

  /** True when `result` is an agent fault (recorded); `onNewEpisode` hears the first of each episode. */
  record(result: ProbeResult, now: number, onNewEpisode: (line: string) => void): boolean {
    if (result.ok || result.error?.kind !== 'agent') return false;
    if (now - this.lastAt >= EPISODE_GAP_MS) {
      this.count = 0;
      onNewEpisode(`check ${result.check} could not run: ${result.error.message}; runs the agent cannot make count for no provider`);
    }
    this.count++;
    this.lastAt = now;
    this.lastMessage = result.error.message;
    return true;
  }

  /** The fault to show while an episode lasts, undefined once it is over. */
  current(now: number): string | undefined {
    if (now - this.lastAt >= EPISODE_GAP_MS) return undefined;
    return `${this.count} check run${this.count === 1 ? '' : 's'} could not be made by the agent (${this.lastMessage}): its own fault, not the providers'`;
  }
}
