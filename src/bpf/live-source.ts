// Live capture through the eBPF addon: emits the same events as pcap replay.
// (Placeholder signature: the implementation lands with the native addon.)
import { CaptureUnavailableError } from '../errors.js';
import type { CaptureSource } from '../events.js';

export interface LiveCaptureOptions {
  /** UDP/TCP ports treated as DNS (53 plus configured extras). */
  dnsPorts: number[];
  /** Interfaces to capture DNS packets on; empty means every interface. */
  interfaces: string[];
}

export function createLiveSource(_opts: LiveCaptureOptions): CaptureSource {
  return {
    description: 'live eBPF',
    run: async () => {
      throw new CaptureUnavailableError('live capture is not built in this version');
    },
  };
}
