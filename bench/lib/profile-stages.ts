// Where a delivery's CPU goes, stage by stage, from a V8 CPU profile (`--cpu-prof`) of `hookline serve` or of the
// relay taken under bench/delivery. Each busy sample goes to the stage of the first frame, walking from the leaf
// to the root, that a rule below recognises (so `JSON.parse` inside the publish route counts as publish, and a
// store statement inside `claimDueDeliveries` as claim). Anonymous functions (the write callbacks the store hands
// its write queue) are known by the method they are written in, found in the compiled source. Given the CPU µs per
// event that bench/delivery printed for the same process, each stage's share becomes µs per event.
// Run: npx tsx bench/lib/profile-stages.ts <file.cpuprofile> [µs per event]
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A frame as the rules see it: where it is and, for code of ours, the method it is written in. */
interface Frame {
  name: string;
  url: string;
  method: string;
}

interface Rule {
  stage: string;
  matches(frame: Frame): boolean;
}

const inFile = (pattern: RegExp) => (frame: Frame) => pattern.test(frame.url);
const inMethod = (file: RegExp, methods: RegExp) => (frame: Frame) =>
  file.test(frame.url) && methods.test(frame.method);
const named = (names: RegExp) => (frame: Frame) => frame.url === '' && names.test(frame.name);

/**
 * First match wins, per frame, leaf to root. Store rules go by method name (the `Store` interface's, which outlive
 * a reshaping of its files); the rest by file. Kept in one place so a moved file is one edit here.
 */
const RULES: readonly Rule[] = [
  { stage: 'gc', matches: named(/^\(garbage collector\)$/) },
  // Since the store's split into a file per module (issue 11) the statements run in helpers named for what they do
  // (insertMessage, find, withWhatSendingNeeds), below the Store method in the stack: named here, or they counted
  // as "reads" (the 2026-12-05 profile's 24.5 % "reads" was mostly the publish's INSERTs).
  { stage: 'publish: store write', matches: inMethod(/\/store\//, /^(publish|insertMessage|enabledEndpoints)/) },
  { stage: 'claim: store', matches: inMethod(/\/store\//, /^(claim|withWhatSendingNeeds)/) },
  { stage: 'claim: store', matches: inFile(/\/store\/(sqlite\/claim-candidates|claim-order)/) },
  { stage: 'record: store', matches: inMethod(/\/store\//, /^record/) },
  {
    stage: 'store: commit + fsync (group commit, all stages)',
    matches: inFile(/\/store\/sqlite\/(write-queue|wal-sync)/),
  },
  { stage: 'store: reads, caches, version checks', matches: inFile(/\/store\//) },
  { stage: 'claim: engine', matches: inMethod(/\/engine\/delivery-engine/, /^(step|run|dispatch|sleepMs)$/) },
  { stage: 'record: engine', matches: inMethod(/\/engine\/delivery-engine/, /^(record|ownFailure)$/) },
  { stage: 'record: engine', matches: inFile(/\/engine\/(outcome|retry-policy|status-policy|circuit-breaker)/) },
  // Node's hash frames decide nothing by themselves: the same SHA-256 code signs a delivery and hashes an API key.
  { stage: 'send: sign', matches: inFile(/signatures\/|delivery-headers/) },
  { stage: 'send: HTTP out (undici, sender)', matches: inFile(/\/engine\/|undici\//) },
  { stage: 'metrics + logs', matches: inFile(/\/metrics\/|prom-client|pino|sonic-boom/) },
  {
    stage: 'publish: auth, validation, operations',
    matches: inFile(/\/api\/auth|\/operations\/|\/input\/|ajv|\/ids\.js/),
  },
  {
    stage: 'publish: HTTP in + answer (fastify, routes, JSON)',
    matches: inFile(/fastify|find-my-way|secure-json|\/api\//),
  },
  // The relay (bench/peers/relay/server.ts, bundled): its stages by function.
  // `signedHeaders` (relay-api.ts) signs and builds the headers; `postDelivery`'s undici frames count as sending.
  { stage: 'send: sign', matches: inMethod(/relay-server/, /^(deliver|signedHeaders)$/) },
  { stage: 'send: HTTP out (undici, sender)', matches: inMethod(/relay-server/, /^(postDelivery|pump)$/) },
  { stage: 'publish: HTTP in + answer (fastify, routes, JSON)', matches: inFile(/relay-server|node:_http_server/) },
];

/** A sample whose stack no rule knows, with a `writev` in it: the kernel's socket write, called from a tick. */
const SOCKET_WRITES = 'socket writes (kernel writev: answers and sends)';

const sources = new Map<string, string[]>();
const sourceMaps = new Map<string, SourceMap | null>();

/**
 * `hookline serve` runs as one esbuild bundle (dist/hookline.mjs) whose linked source map leads back to the .ts
 * files: a frame in a bundle is read at its original file and line, so the rules above, written by file, apply.
 */
function original(url: string, line: number, column: number): { url: string; line: number } {
  if (!url.startsWith('file://')) return { url, line };
  let map = sourceMaps.get(url);
  if (map === undefined) {
    const file = `${fileURLToPath(url)}.map`;
    map = existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : null;
    sourceMaps.set(url, map);
  }
  if (map === null) return { url, line };
  const entry = map.findEntry(line, column) as { originalSource?: string; originalLine?: number };
  if (entry.originalSource === undefined || entry.originalLine === undefined) return { url, line };
  return { url: new URL(entry.originalSource, url).href, line: entry.originalLine };
}

/** The method or function a line of a compiled file is written in: the nearest definition above it. */
function enclosingMethod(url: string, line: number): string {
  if (!url.startsWith('file://')) return '';
  let lines = sources.get(url);
  if (lines === undefined) {
    try {
      lines = readFileSync(fileURLToPath(url), 'utf8').split('\n');
    } catch {
      lines = [];
    }
    sources.set(url, lines);
  }
  // A class member: indented 4 (tsc's output) or 2 (a .ts source, with its modifiers); or a function.
  const definition =
    /^(?: {2}(?: {2})?(?:(?:private|protected|public|static|readonly|override)\s+)*(?:async\s+)?\*?([A-Za-z_$][\w$]*)\s*[(<]|(?:export\s+)?(?:async\s+)?function\*?\s+([A-Za-z_$][\w$]*)\s*[(<])/;
  for (let k = Math.min(line, lines.length - 1); k >= 0; k--) {
    const match = definition.exec(lines[k] as string);
    const name = match?.[1] ?? match?.[2];
    if (name !== undefined && !/^(if|for|while|switch|catch|return|function)$/.test(name)) return name;
  }
  return '';
}

export function stagesOf(profile: CpuProfile): { busy: number; byStage: Map<string, number> } {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const stageOfNode = new Map<number, string>();
  const frameOf = (node: ProfileNode): Frame => {
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const at = original(url, lineNumber, columnNumber);
    return { name: functionName, url: at.url, method: functionName || enclosingMethod(at.url, at.line) };
  };
  const classify = (leaf: ProfileNode): string => {
    const leafName = leaf.callFrame.functionName;
    if (leafName === '(idle)') return '(idle)';
    let writes = false;
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id) as ProfileNode;
      if (node.callFrame.functionName === 'writev' && node.callFrame.url === '') writes = true;
      const frame = frameOf(node);
      const rule = RULES.find((r) => r.matches(frame));
      if (rule !== undefined) return rule.stage;
    }
    return writes ? SOCKET_WRITES : 'other (node internals, timers, program)';
  };
  let busy = 0;
  const byStage = new Map<string, number>();
  profile.samples.forEach((id, k) => {
    let stage = stageOfNode.get(id);
    if (stage === undefined) {
      stage = classify(byId.get(id) as ProfileNode);
      stageOfNode.set(id, stage);
    }
    if (stage === '(idle)') return;
    // Each sample stands for the time until the next one.
    const micros = profile.timeDeltas[k + 1] ?? profile.timeDeltas[k] ?? 0;
    busy += micros;
    byStage.set(stage, (byStage.get(stage) ?? 0) + micros);
  });
  return { busy, byStage };
}

if (process.argv[1] !== undefined && import.meta.url === `file://${process.argv[1]}`) {
  const [file, perEvent] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: profile-stages.ts <file.cpuprofile> [µs per event]');
  const { busy, byStage } = stagesOf(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const total = perEvent === undefined ? undefined : Number(perEvent);
  console.log(`${file}: ${(busy / 1e6).toFixed(1)} s busy`);
  for (const [stage, micros] of [...byStage].sort((a, b) => b[1] - a[1])) {
    const share = micros / busy;
    const cost = total === undefined ? '' : `  ${(share * total).toFixed(1).padStart(6)} µs/event`;
    console.log(`${(share * 100).toFixed(1).padStart(5)} %${cost}  ${stage}`);
  }
}
