import { expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

it('defaults to 127.0.0.1:8080', () => {
  expect(loadConfig()).toEqual({ host: '127.0.0.1', port: 8080 });
});

it('reads PORT and HOST from the environment, and flags win over both', () => {
  expect(loadConfig({ env: { PORT: '9000', HOST: '0.0.0.0' } })).toEqual({ host: '0.0.0.0', port: 9000 });
  expect(loadConfig({ env: { PORT: '9000' }, flags: { port: 9100 } }).port).toBe(9100);
});

it.each(['abc', '70000', '-1', '80.5', ' 80'])('PORT=%j is refused with a clear message', (port) => {
  expect(() => loadConfig({ env: { PORT: port } })).toThrow(ConfigError);
  expect(() => loadConfig({ env: { PORT: port } })).toThrow(/PORT must be a port number/);
});
