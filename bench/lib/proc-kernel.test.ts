import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processKernelFigures, startKernelReading } from './proc-kernel.js';

describe.skipIf(process.platform !== 'linux')('the kernel figures of a process, from /proc', () => {
  it('counts this process’s write calls and reads its system time', () => {
    const reading = startKernelReading([{ role: 'me', pid: process.pid }]);
    const dir = mkdtempSync(join(tmpdir(), 'proc-kernel-'));
    try {
      const fd = openSync(join(dir, 'f'), 'w');
      for (let i = 0; i < 100; i++) writeSync(fd, 'x');
      closeSync(fd);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const spent = reading.spent().get('me');
    expect(spent?.writeCalls).toBeGreaterThanOrEqual(100);
    expect(spent?.systemMicros).toBeGreaterThanOrEqual(0);
  });

  it('gives nothing for a process that is not there', () => {
    expect(processKernelFigures(2 ** 22 + 1)).toBeUndefined();
  });
});
