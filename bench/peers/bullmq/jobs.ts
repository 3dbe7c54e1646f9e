// What a delivery job holds, shared by the producer (contender.ts) and the worker process (worker.ts).
import type { JobsOptions } from 'bullmq';

export interface DeliveryJob {
  /** The event id, sent as `webhook-id`: the same for every endpoint of the event and every retry. */
  id: string;
  /** Path on the receiver. */
  path: string;
  payload: string;
}

/** Retries as a webhook sender needs them; finished jobs are dropped so Redis does not grow across runs. */
export const deliveryJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: 1000,
};
