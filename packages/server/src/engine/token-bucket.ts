// A token bucket per endpoint for `throttleRate` (deliveries per second). Pure: the clock is passed in.

/** Float refills land a hair under whole tokens (0.9999999999999999): count those as whole. */
const EPSILON = 1e-9;

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    now: number,
    private readonly capacity: number = Math.max(1, ratePerSecond),
  ) {
    this.tokens = this.capacity;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
      this.updatedAt = now;
    }
  }

  /** Whole sends available now. */
  available(now: number): number {
    this.refill(now);
    return Math.floor(this.tokens + EPSILON);
  }

  take(now: number): boolean {
    this.refill(now);
    if (this.tokens + EPSILON < 1) return false;
    this.tokens = Math.max(0, this.tokens - 1);
    return true;
  }

  /** When the next token arrives. */
  nextTokenAt(now: number): number {
    this.refill(now);
    return this.tokens + EPSILON >= 1 ? now : now + Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  get rate(): number {
    return this.ratePerSecond;
  }
}
