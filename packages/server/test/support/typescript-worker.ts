// A worker thread running a TypeScript file: tsx's loader is registered inside the thread (a Worker's execArgv
// `--import tsx` is not applied to it on Node 20), then the file is imported.
import { Worker } from 'node:worker_threads';

export function typescriptWorker(file: URL, workerData: unknown): Worker {
  const code = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); })`;
  return new Worker(code, { eval: true, workerData });
}
