// Benchmark: how long the reliability engine's tick holds the JS thread in a long-running agent
// (500 endpoints, 50 providers, 400 days of history in the lowdb store, TCP traffic between
// ticks). Reports per tick the wall time and the longest stretch the event loop was blocked
// (what an HTTP request arriving during the tick waits), for the first tick after start and the
// steady ticks that follow. Peer in the same run: the same tick with nothing to recompute
// (no traffic since the previous tick).
// Usage: node dist/bench/health-tick.js [--ticks 8] [--endpoints 500] [--providers 50] [--days 400]
import { loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startLiveEngine } from './live-engine.js';

const { values } = parseArgs({ options: { ticks: { type: 'string', default: '8' }, endpoints: { type: 'string', default: '500' }, providers: { type: 'string', default: '50' }, days: { type: 'string', default: '400' } } });
const TICK_MS = 10_000;

interface TickFigure {
  wallMs: number;
  /** CPU time of this process during the tick (robust to other load on the machine, unlike wall time). */
  cpuMs: number;
  blockedMaxMs: number;
}

/** Runs one tick while a 1 ms timer watches the event loop; the largest delay is the longest block. */
async function timedTick(run: () => Promise<unknown>): Promise<TickFigure> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await run();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  // Let the histogram take its last sample after the final synchronous stretch.
  await new Promise((r) => setTimeout(r, 5));
  h.disable();
  return { wallMs: round(wallMs), cpuMs: round((c.user + c.system) / 1000), blockedMaxMs: round(h.max / 1e6) };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

function summary(list: TickFigure[]): Record<string, number> {
  const walls = list.map((x) => x.wallMs).sort((a, b) => a - b);
  const blocks = list.map((x) => x.blockedMaxMs).sort((a, b) => a - b);
  const cpus = list.map((x) => x.cpuMs).sort((a, b) => a - b);
  return { wallP50Ms: walls[walls.length >> 1], wallMaxMs: walls[walls.length - 1], cpuP50Ms: cpus[cpus.length >> 1], cpuMaxMs: cpus[cpus.length - 1], blockedP50Ms: blocks[blocks.length >> 1], blockedMaxMs: blocks[blocks.length - 1] };
}

const live = await startLiveEngine({ endpoints: Number(values.endpoints), providers: Number(values.providers), days: Number(values.days), connectsPerMinute: 60 });
try {
  live.feed(TICK_MS);
  const first = await timedTick(() => live.engine.tick());
  const steady: TickFigure[] = [];
  for (let i = 0; i < Number(values.ticks); i++) {
    live.feed(TICK_MS);
    steady.push(await timedTick(() => live.engine.tick()));
  }
  const idle: TickFigure[] = [];
  for (let i = 0; i < 3; i++) {
    live.clock.advance(1);
    idle.push(await timedTick(() => live.engine.tick()));
  }
  console.log(JSON.stringify({
    benchmark: 'health-tick',
    setup: { endpoints: Number(values.endpoints), providers: Number(values.providers), daysOfHistory: Number(values.days), historyBuckets: live.historyBuckets, fillMs: Math.round(live.fillMs), tcpEventsPerTick: Number(values.endpoints) * 10, tickEveryMs: TICK_MS },
    firstTick: first,
    steadyTicks: summary(steady),
    steadyEach: steady,
    peerTickWithoutNewTraffic: summary(idle),
    target: 'blockedMaxMs < 20 (a request waits at most that long behind a tick)',
    loadAverage: loadavg(),
  }, null, 2));
} finally {
  await live.close();
}
