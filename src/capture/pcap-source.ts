// Replays a pcap or pcapng file as capture events.
// (Placeholder signature: the implementation lands with the pcap reader.)
import { EgressError } from '../errors.js';
import type { CaptureSource } from '../events.js';

export interface PcapSourceOptions {
  /** UDP/TCP ports treated as DNS (53 plus configured extras). */
  dnsPorts: number[];
}

export function createPcapSource(path: string, _opts: PcapSourceOptions): CaptureSource {
  return {
    description: `pcap file ${path}`,
    run: async () => {
      throw new EgressError('input', 'pcap replay is not built in this version');
    },
  };
}
