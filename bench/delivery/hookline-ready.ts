// How the bench knows a `hookline serve` child is ready, from its stdout. An API (or all-in-one) process ends its
// start with the quick-start text for people ("hookline listening on <url>"); a worker prints none, so for it the
// ready line is Fastify's own log line ("Server listening at <url>", at HOOKLINE_LOG_LEVEL=info).
export function hooklineReadyLine(
  role: 'all' | 'api' | 'worker',
): (line: string) => Record<string, unknown> | undefined {
  return (line) => {
    if (role !== 'worker') {
      const url = /^hookline listening on (http:\/\/\S+)/.exec(line)?.[1];
      return url === undefined ? undefined : { url };
    }
    if (!line.startsWith('{')) return undefined;
    try {
      const { msg } = JSON.parse(line) as { msg?: unknown };
      const url = typeof msg === 'string' ? /^Server listening at (http:\/\/\S+)/.exec(msg)?.[1] : undefined;
      return url === undefined ? undefined : { url };
    } catch {
      return undefined;
    }
  };
}
