// Delivery through each destination kind, in one Hookline engine (SQLite store, in this process): HTTP to a
// receiver process of the bench's own, RabbitMQ (publisher confirms), NATS JetStream, Redis Streams on this
// machine's brokers. Per round and kind: EVENTS published with the engine paused (one publishMany), then drained;
// events/s, and CPU µs per event of this process (store + engine + client) from /proc/<pid>/stat. Rounds alternate
// the kinds; medians printed. The receiver's and the brokers' CPU is not counted: each side's own cost is Hookline's.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Agent } from 'undici';
import { DEFAULT_ENGINE_OPTIONS, DeliveryEngine } from '../../packages/server/src/engine/delivery-engine.js';
import { SqliteStore } from '../../packages/server/src/store/sqlite/sqlite-store.js';
import { processCpuMicros } from '../lib/proc-cpu.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PAYLOAD = JSON.stringify({
  order: { id: 'ord_123', lines: Array.from({ length: 8 }, (_, i) => ({ sku: `sku-${i}`, qty: i })) },
  pad: 'x'.repeat(600),
});

async function startReceiver(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      "require('node:http').createServer((q,s)=>{q.resume();q.on('end',()=>s.end('ok'))}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (data: Buffer) => resolve(data.toString().trim())),
  );
  return { url: `http://127.0.0.1:${port}/hook`, stop: () => child.kill() };
}

async function prepareBrokers(name: string) {
  const amqp = await import('amqplib');
  const model = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  const channel = await model.createChannel();
  await channel.assertExchange(name, 'topic', { durable: false, autoDelete: false });
  const { queue } = await channel.assertQueue(`${name}.q`, { durable: false });
  await channel.bindQueue(queue, name, '#');
  const { connect } = await import('nats');
  const nats = await connect({ servers: '127.0.0.1:4222' });
  const jsm = await nats.jetstreamManager();
  await jsm.streams.add({ name, subjects: [`${name}.events`] });
  const { Redis } = await import('ioredis');
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  return {
    async cleanup() {
      await channel.deleteQueue(queue);
      await channel.deleteExchange(name);
      await model.close();
      await jsm.streams.delete(name);
      await nats.close();
      await redis.del(name);
      redis.disconnect();
    },
    // The queue is emptied between rounds so RabbitMQ does not slow down as it grows.
    async drain() {
      await channel.purgeQueue(queue);
      await jsm.streams.purge(name);
      await redis.del(name);
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-destinations-'));
  const receiver = await startReceiver();
  const name = `bench_${randomUUID().replaceAll('-', '')}`;
  const brokers = await prepareBrokers(name);
  const kinds: Array<[string, string]> = [
    ['http', receiver.url],
    ['rabbitmq', `amqp://guest:guest@127.0.0.1:5672/?exchange=${name}`],
    ['nats', `nats://127.0.0.1:4222?subject=${name}.events`],
    ['redis-streams', `redis://127.0.0.1:6379?stream=${name}&maxLen=1000000`],
  ];
  const store = new SqliteStore({ path: join(dir, 'bench.db') });
  await store.migrate();
  const now = Date.now();
  const appOf = new Map<string, string>();
  for (const [kind, url] of kinds) {
    const app = await store.createApplication({ name: kind }, now);
    await store.createEndpoint(app.id, { url, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, now);
    appOf.set(kind, app.id);
  }
  const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  const engine = new DeliveryEngine({
    ...DEFAULT_ENGINE_OPTIONS,
    store,
    dispatcher,
    networkPolicy: { allowPrivateNetworks: true, allowedCidrs: [] },
    logger: pino({ level: 'warn' }),
    concurrency: 64,
    concurrencyPerEndpoint: 64,
    circuit: { failureThreshold: 1000, openMs: 30_000, maxOpenMs: 600_000 },
  });
  engine.pause();
  engine.start();
  const results = new Map<string, { rate: number[]; cpu: number[] }>(
    kinds.map(([kind]) => [kind, { rate: [], cpu: [] }]),
  );
  let delivered = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const order = round % 2 === 0 ? kinds : [...kinds].reverse();
    for (const [kind] of order) {
      const inputs = Array.from({ length: EVENTS }, () => ({ eventType: 'order.created', payload: PAYLOAD }));
      await store.publishMany(appOf.get(kind) as string, inputs, Date.now());
      const cpuBefore = processCpuMicros(process.pid);
      const started = performance.now();
      engine.resume();
      while (engine.stats().delivered < delivered + EVENTS) {
        if (engine.stats().failed > 0) throw new Error(`${kind}: a delivery failed; see the log`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      engine.pause();
      const seconds = (performance.now() - started) / 1000;
      const cpuAfter = processCpuMicros(process.pid);
      delivered += EVENTS;
      // Round 0 warms up (connections, JIT, the clients' first import) and is not counted.
      if (round === 0) continue;
      const result = results.get(kind) as { rate: number[]; cpu: number[] };
      result.rate.push(EVENTS / seconds);
      if (cpuBefore !== undefined && cpuAfter !== undefined) result.cpu.push((cpuAfter - cpuBefore) / EVENTS);
      await brokers.drain();
    }
  }
  await engine.stop();
  await dispatcher.close();
  await store.close();
  await brokers.cleanup();
  receiver.stop();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `destinations: ${EVENTS} events (~${PAYLOAD.length} B) per round, 64 in flight, ${ROUNDS} rounds, medians; CPU of the Hookline process from /proc`,
  );
  for (const [kind] of kinds) {
    const { rate, cpu } = results.get(kind) as { rate: number[]; cpu: number[] };
    const cpuText = cpu.length === 0 ? '-' : median(cpu).toFixed(0);
    console.log(
      `  ${kind.padEnd(14)} ${median(rate).toFixed(0).padStart(7)} events/s   ${cpuText.padStart(5)} CPU µs/event`,
    );
  }
}

await main();
