// Progress for long CLI operations: a bar redrawn in place on a terminal, plain lines elsewhere (CI logs, pipes,
// files), where carriage returns would pile up into one unreadable line. Hand-written: the `progress` package
// draws nothing at all off a TTY, and the fallback is the half that matters in logs.

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export class Progress {
  private done = 0;
  private lastLineAt = -1;

  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number,
    private readonly label: string,
    /** Off a TTY, a line every this many items (and at the end), so a long run does not flood its log. */
    private readonly lineEvery = Math.max(1, Math.ceil(total / 20)),
  ) {}

  tick(): void {
    this.done++;
    if (this.stream.isTTY === true) {
      const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - this.label.length - 20));
      const filled = this.total === 0 ? width : Math.round((this.done / this.total) * width);
      this.stream.write(
        `\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.total}`,
      );
      if (this.done === this.total) this.stream.write('\n');
    } else if (this.done === this.total || this.done - this.lastLineAt >= this.lineEvery || this.lastLineAt < 0) {
      this.lastLineAt = this.done;
      this.stream.write(`${this.label}: ${this.done}/${this.total}\n`);
    }
  }
}
