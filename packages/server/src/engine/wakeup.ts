// The in-process signal that new work exists: the engine sleeps on it, publish and finished sends ring it.

export class Wakeup {
  private pending = false;
  private waiter: (() => void) | null = null;

  notify(): void {
    if (this.waiter !== null) {
      const resolve = this.waiter;
      this.waiter = null;
      resolve();
    } else {
      this.pending = true;
    }
  }

  /** Resolves on the next notify (or one that came since the last wait), or after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.waiter = null;
          resolve();
        },
        Math.max(0, timeoutMs),
      );
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
