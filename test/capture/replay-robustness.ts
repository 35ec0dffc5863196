// Replays one capture file through everything that reads captures (the pcap/pcapng readers, the
// wire decoder, the capture JSON and the DNS analysis) and says how it ended: a summary, or a
// one-line input error. Anything else (another error, a stack trace) is a defect.
import { eventToJson } from '../../src/cli/event-json.js';
import { createPcapSource } from '../../src/capture/pcap-source.js';
import { createDnsAnalyzer } from '../../src/dns/dns-analyzer.js';
import { EgressError } from '../../src/errors.js';
import type { CaptureSummary } from '../../src/events.js';

export type ReplayOutcome = { ended: 'summary'; events: number; summary: CaptureSummary } | { ended: 'input_error'; message: string };

export async function replayEverything(path: string, chunkBytes?: number): Promise<ReplayOutcome> {
  const analyzer = createDnsAnalyzer({ horizonMs: Infinity });
  let events = 0;
  try {
    const summary = await createPcapSource(path, { dnsPorts: [53], ...(chunkBytes ? { chunkBytes } : {}) }).run((batch) => {
      analyzer.ingest(batch);
      for (const ev of batch) {
        events++;
        const json = eventToJson(ev, summaryScratch);
        if (json) JSON.parse(JSON.stringify(json));
      }
    });
    JSON.stringify(analyzer.snapshot());
    return { ended: 'summary', events, summary };
  } catch (err) {
    if (err instanceof EgressError) return { ended: 'input_error', message: err.message };
    throw err;
  }
}

const summaryScratch = { events: {}, malformed: {}, lost: {}, counters: {} } as unknown as CaptureSummary;
