import { describe, expect, it } from 'vitest';
import { Progress, type ProgressStream } from './progress.js';

function stream(isTTY: boolean): ProgressStream & { text: string } {
  return {
    isTTY,
    columns: 80,
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

describe('Progress', () => {
  it('off a terminal writes plain lines, no carriage returns', () => {
    const out = stream(false);
    const progress = new Progress(out, 3, 'replaying');
    for (let i = 0; i < 3; i++) progress.tick();
    expect(out.text).toBe('replaying: 1/3\nreplaying: 2/3\nreplaying: 3/3\n');
  });

  it('off a terminal, a long run writes about twenty lines and always the last', () => {
    const out = stream(false);
    const progress = new Progress(out, 1000, 'replaying');
    for (let i = 0; i < 1000; i++) progress.tick();
    const lines = out.text.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(22);
    expect(lines[lines.length - 1]).toBe('replaying: 1000/1000');
  });

  it('on a terminal redraws one bar in place and ends the line when done', () => {
    const out = stream(true);
    const progress = new Progress(out, 2, 'replaying');
    progress.tick();
    progress.tick();
    expect(out.text.startsWith('\rreplaying [')).toBe(true);
    expect(out.text.split('\n')).toHaveLength(2);
    expect(out.text).toContain('] 2/2\n');
  });
});
