// The fenced code blocks of a Markdown file, with the `<!-- doc-test: … -->` marker written just above each one.
// Pure: text in, snippets out; docs-snippets.test.ts runs them.
//
// Marker directives (space-separated; values in double or single quotes):
//   skip="why"            not run; the reason is required and shows in the test output
//   background            keeps running (a server): started, then the document goes on; stopped at its end
//   ready="http://…"      (background) wait until a GET of this URL answers
//   ready-output="text"   (background) wait until the process has printed this text
//   paste="prefix"        (background) then run the line it printed that starts with prefix, as the reader is told
//   file="path"           not run: written to path (relative to the document's directory) for later blocks
//   output="text"         the block's output must contain this text (repeatable)
//   output-below          the next block (json, text…: shown, not run) is text the block's output must contain
//   exit=N                the block must exit with N (default 0)
//   eventually            run it again until it passes (bounded): what a reader does with "it may take a moment"

export const RUN_LANGUAGES = { sh: 'sh', bash: 'sh', shell: 'sh', ts: 'ts', typescript: 'ts' } as const;
export type RunLanguage = (typeof RUN_LANGUAGES)[keyof typeof RUN_LANGUAGES];

export interface SnippetMarker {
  skip: string | null;
  background: boolean;
  ready: string | null;
  readyOutput: string | null;
  paste: string | null;
  file: string | null;
  output: string[];
  exit: number;
  eventually: boolean;
  outputBelow: boolean;
}

export interface Snippet {
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word, lowercased ('' when none). */
  language: string;
  /** How it runs, or null for a language that is only shown (json, text, yaml…). */
  runs: RunLanguage | null;
  code: string;
  marker: SnippetMarker;
  /** The marker's own text, for messages. */
  markerText: string | null;
}

export class SnippetMarkerError extends Error {}

const FENCE_OPEN = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)?.*$/;
const MARKER = /^\s*<!--\s*doc-test:(.*?)-->\s*$/;
const DIRECTIVE = /\s*([a-z-]+)(?:=(?:"([^"]*)"|'([^']*)'|(\S+)))?/y;

function emptyMarker(): SnippetMarker {
  return {
    skip: null,
    background: false,
    ready: null,
    readyOutput: null,
    paste: null,
    file: null,
    output: [],
    exit: 0,
    eventually: false,
    outputBelow: false,
  };
}

export function parseMarker(text: string, where: string): SnippetMarker {
  const marker = emptyMarker();
  DIRECTIVE.lastIndex = 0;
  const source = text.trim();
  while (DIRECTIVE.lastIndex < source.length) {
    const start = DIRECTIVE.lastIndex;
    const match = DIRECTIVE.exec(source);
    if (match === null) throw new SnippetMarkerError(`${where}: cannot read the marker at "${source.slice(start)}"`);
    const [, name, doubleQuoted, singleQuoted, bare] = match;
    const value = doubleQuoted ?? singleQuoted ?? bare ?? null;
    const needsValue = () => {
      if (value === null || value === '') throw new SnippetMarkerError(`${where}: ${name} needs a value`);
      return value;
    };
    switch (name) {
      case 'skip':
        marker.skip = needsValue();
        break;
      case 'background':
        marker.background = true;
        break;
      case 'eventually':
        marker.eventually = true;
        break;
      case 'output-below':
        marker.outputBelow = true;
        break;
      case 'ready':
        marker.ready = needsValue();
        break;
      case 'ready-output':
        marker.readyOutput = needsValue();
        break;
      case 'paste':
        marker.paste = needsValue();
        break;
      case 'file':
        marker.file = needsValue();
        break;
      case 'output':
        marker.output.push(needsValue());
        break;
      case 'exit': {
        const code = Number(needsValue());
        if (!Number.isInteger(code)) throw new SnippetMarkerError(`${where}: exit must be a number`);
        marker.exit = code;
        break;
      }
      default:
        throw new SnippetMarkerError(`${where}: unknown directive "${name}"`);
    }
  }
  if (marker.background && marker.ready === null && marker.readyOutput === null) {
    throw new SnippetMarkerError(`${where}: a background block needs ready="url" or ready-output="text"`);
  }
  if (marker.eventually && marker.background) {
    throw new SnippetMarkerError(`${where}: eventually is for a block that ends`);
  }
  if (marker.paste !== null && !marker.background) {
    throw new SnippetMarkerError(`${where}: paste is for a background block`);
  }
  return marker;
}

/** Every fenced block of a Markdown text, in order. */
export function extractSnippets(markdown: string, where = 'markdown'): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  let index = 0;
  while (index < lines.length) {
    const open = FENCE_OPEN.exec(lines[index] as string);
    if (open === null) {
      index += 1;
      continue;
    }
    const [, indent = '', fence = '```', info = ''] = open;
    const closing = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !closing.test(lines[end] as string)) {
      const text = lines[end] as string;
      // Content is indented like its fence (a block inside a list item): strip that much.
      body.push(text.startsWith(indent) ? text.slice(indent.length) : text.trimStart());
      end += 1;
    }
    // The marker: the nearest non-blank line above the fence.
    let above = index - 1;
    while (above >= 0 && (lines[above] as string).trim() === '') above -= 1;
    const markerMatch = above >= 0 ? MARKER.exec(lines[above] as string) : null;
    const language = info.toLowerCase();
    const line = index + 1;
    const markerText = markerMatch?.[1]?.trim() ?? null;
    snippets.push({
      line,
      language,
      runs: (RUN_LANGUAGES as Record<string, RunLanguage | undefined>)[language] ?? null,
      code: `${body.join('\n')}\n`,
      marker: markerText === null ? emptyMarker() : parseMarker(markerText, `${where}:${line}`),
      markerText,
    });
    index = end + 1;
  }
  for (const [position, snippet] of snippets.entries()) {
    if (!snippet.marker.outputBelow) continue;
    const shown = snippets[position + 1];
    if (shown === undefined || shown.runs !== null) {
      throw new SnippetMarkerError(`${where}:${snippet.line}: output-below needs a shown (not run) block after it`);
    }
    snippet.marker.output.push(shown.code.trim());
  }
  return snippets;
}
