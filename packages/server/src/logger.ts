// Structured JSON logs (pino). Secrets never reach them: the redact list covers the fields that could hold one.
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'hookline' },
    redact: {
      paths: [
        'secret',
        'key',
        'token',
        'adminToken',
        '*.secret',
        '*.key',
        '*.token',
        'headers.authorization',
        '*.headers.authorization',
      ],
      censor: '[redacted]',
    },
  });
}
