// Every command and code block in README.md and docs/ runs as written, in order, in a sandbox of its own
// (sandbox.ts): a document that says `npm start`, then `curl …`, is run that way. A block that cannot run alone
// says why in a `<!-- doc-test: skip="…" -->` marker (markdown-snippets.ts lists the directives).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractSnippets, RUN_LANGUAGES } from './markdown-snippets.js';
import { DocumentRunner } from './run-document.js';
import { DocsSandbox, sandboxSupported } from './sandbox.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SANDBOX_LIMIT_MS = 15 * 60_000;
const DOCUMENT_LIMIT_MS = 20 * 60_000;

function markdownUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .sort();
}

const DOCUMENTS = ['README.md', ...markdownUnder('docs')];
const snippetsOf = (document: string) => extractSnippets(readFileSync(join(ROOT, document), 'utf8'), document);

function log(line: string): void {
  console.log(`[docs] ${line}`);
}

describe('README.md and docs/', () => {
  it('have runnable blocks only in languages the runner knows, and every marker reads', () => {
    const languages = new Set(['', 'json', 'text', 'yaml', 'ini', 'http', 'dockerfile', ...Object.keys(RUN_LANGUAGES)]);
    for (const document of DOCUMENTS) {
      for (const snippet of snippetsOf(document)) {
        // A block in an unknown language would be shown and never run: name it here, or write it as sh/ts.
        expect(languages.has(snippet.language), `${document}:${snippet.line} is in "${snippet.language}"`).toBe(true);
      }
    }
  });

  describe.skipIf(!sandboxSupported())('run as written', () => {
    let sandbox: DocsSandbox;

    beforeAll(async () => {
      sandbox = await DocsSandbox.create(ROOT, log);
    }, SANDBOX_LIMIT_MS);

    afterAll(async () => {
      await sandbox?.close();
    }, SANDBOX_LIMIT_MS);

    for (const document of DOCUMENTS) {
      const snippets = snippetsOf(document);
      const runnable = snippets.filter((snippet) => snippet.runs !== null || snippet.marker.file !== null);
      it.skipIf(runnable.length === 0)(
        `${document} (${runnable.length} blocks)`,
        async () => {
          const report = await new DocumentRunner(sandbox, document, log).run(snippets);
          expect(report.ran + report.skipped.length).toBeGreaterThan(0);
        },
        DOCUMENT_LIMIT_MS,
      );
    }
  });
});
