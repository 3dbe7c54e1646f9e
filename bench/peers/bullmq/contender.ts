// Contender 2, the BullMQ baseline: the harness process is the producer (Queue.addBulk), the worker is its own
// process, as BullMQ is deployed. One queue per benchmark run, obliterated at teardown.
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type Child, startChild } from '../../delivery/child-process.js';
import type { Contender, ContenderContext, DeliveryRun } from '../../delivery/contender.js';
import { bundleForNode } from '../../lib/bundle.js';
import { type DeliveryJob, deliveryJobOptions } from './jobs.js';
import { type RedisServer, startRedisServer } from './redis-server.js';

const workerFile = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** Jobs per addBulk: one Redis round trip (a MULTI) per chunk, the usual way to enqueue a batch. */
const CHUNK = 1000;
/** Backlog jobs are due long after any run ends. */
const BACKLOG_DELAY_MS = 24 * 3600 * 1000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Queues of earlier runs whose harness died before teardown (Ctrl-C, SIGKILL): named after a pid no longer alive. */
async function obliterateOrphanQueues(connection: Redis): Promise<void> {
  const names = new Set<string>();
  let cursor = '0';
  for (let page = 0; page < 1000; page++) {
    const [next, keys] = await connection.scan(cursor, 'MATCH', 'bull:bench-delivery-*:meta', 'COUNT', 1000);
    for (const key of keys) names.add(key.slice('bull:'.length, -':meta'.length));
    cursor = next;
    if (cursor === '0') break;
  }
  for (const name of names) {
    const pid = Number(/^bench-delivery-(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || isAlive(pid)) continue;
    const orphan = new Queue(name, { connection });
    await orphan.obliterate({ force: true });
    await orphan.close();
  }
}

/** `redisUrl` undefined: the peer starts a Redis of its own (see redis-server.ts). */
export function createBullmqContender(options: { redisUrl: string | undefined }): Contender {
  let context: ContenderContext | undefined;
  let connection: Redis | undefined;
  let queue: Queue<DeliveryJob> | undefined;
  let worker: Child | undefined;
  let redisPid: number | undefined;
  let ownRedis: RedisServer | undefined;
  let bundle: string | undefined;

  const ready = () => {
    if (context === undefined || queue === undefined) throw new Error('bullmq: setup() first');
    return { context, queue };
  };

  function jobsFor(run: DeliveryRun, from: number, to: number) {
    const { context } = ready();
    const paths = run.endpointUrls.map((url) => new URL(url).pathname);
    const jobs: Array<{ name: string; data: DeliveryJob; opts: typeof deliveryJobOptions }> = [];
    for (let index = from; index < to; index++) {
      const id = `msg_${run.id}_${index}`;
      for (const path of paths)
        jobs.push({ name: 'deliver', data: { id, path, payload: context.payload }, opts: deliveryJobOptions });
    }
    return jobs;
  }

  async function enqueueAll(run: DeliveryRun): Promise<void> {
    const { queue } = ready();
    const eventsPerChunk = Math.max(1, Math.floor(CHUNK / run.endpointUrls.length));
    for (let from = 0; from < run.events; from += eventsPerChunk) {
      await queue.addBulk(jobsFor(run, from, Math.min(run.events, from + eventsPerChunk)));
    }
  }

  return {
    name: 'bullmq',
    async build() {
      bundle = await bundleForNode(workerFile, 'bullmq-worker');
    },
    async setup(given) {
      context = given;
      if (options.redisUrl === undefined) ownRedis = await startRedisServer();
      const redisUrl = options.redisUrl ?? (ownRedis as RedisServer).url;
      connection = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 3000, lazyConnect: true });
      await connection.connect();
      const info = await connection.info('server');
      const pid = /^process_id:(\d+)/m.exec(info)?.[1];
      redisPid = pid === undefined ? undefined : Number(pid);
      await obliterateOrphanQueues(connection);
      const name = `bench-delivery-${process.pid}-${Date.now()}`;
      queue = new Queue<DeliveryJob>(name, { connection });
      worker = await startChild(
        bundle ?? workerFile,
        [
          '--queue',
          name,
          '--redis',
          redisUrl,
          '--receiver',
          given.receiverUrl,
          '--concurrency',
          String(given.concurrency),
          '--secret',
          given.secret,
        ],
        { readyTimeoutMs: 30_000 },
      );
    },
    async prepare() {
      // Every run starts on a live queue, even after a drain whose fill failed half-way.
      await ready().queue.resume();
    },
    async fill(run) {
      // A paused queue takes jobs but hands none out: the worker keeps running, idle, until release.
      await ready().queue.pause();
      await enqueueAll(run);
    },
    async release() {
      await ready().queue.resume();
    },
    publish: enqueueAll,
    // The batch row's baseline: one addBulk (one MULTI round trip) per batch the harness hands over.
    async publishBatch(run, from, to) {
      await ready().queue.addBulk(jobsFor(run, from, to));
    },
    async publishOne(run, index) {
      await ready().queue.addBulk(jobsFor(run, index, index + 1));
    },
    async fillBacklog(deliveries) {
      const { queue, context } = ready();
      for (let done = 0; done < deliveries; done += CHUNK) {
        const jobs = Array.from({ length: Math.min(CHUNK, deliveries - done) }, (_, offset) => ({
          name: 'deliver',
          data: { id: `msg_backlog_${done + offset}`, path: '/backlog/never', payload: context.payload },
          opts: { ...deliveryJobOptions, delay: BACKLOG_DELAY_MS },
        }));
        await queue.addBulk(jobs);
      }
    },
    processes: () => [
      ...(worker === undefined ? [] : [{ role: 'worker', pid: worker.pid }]),
      ...(redisPid === undefined ? [] : [{ role: 'redis', pid: redisPid }]),
    ],
    async teardown() {
      await worker?.stop();
      worker = undefined;
      if (queue !== undefined) {
        await queue.obliterate({ force: true });
        await queue.close();
        queue = undefined;
      }
      connection?.disconnect();
      connection = undefined;
      await ownRedis?.stop();
      ownRedis = undefined;
    },
  };
}
