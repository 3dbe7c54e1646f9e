// Every link of the repository's Markdown resolves: a relative link names a file or folder that exists, its
// `#anchor` a heading of that page, and a link to a Hookline server on http://127.0.0.1:8080 (the address the
// quickstart starts) a page a real server serves without a token, the API's OpenAPI reference among them.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_PATH, REFERENCE_PATH } from '../../packages/server/src/api/routes/reference.js';
import { startHookline, type TestHookline } from '../../packages/server/test/support/hookline.js';
import { anchorsOf, classifyLink, codeSpansOf, linksOf } from './markdown-links.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The server the documents start (`npm start`, `hookline serve`): links to it are pages a reader opens. */
const DOCUMENTED_SERVER = new Set(['127.0.0.1:8080', 'localhost:8080']);

/** Every Markdown file of the repository (tracked: what a clone holds), README.md, docs/ and the packages' included. */
const DOCUMENTS = execFileSync('git', ['ls-files', '-z', '--', '*.md'], { cwd: ROOT, encoding: 'utf8' })
  .split('\0')
  .filter((path) => path !== '' && existsSync(join(ROOT, path)));

/** The repository's top folders: a code span that starts with one (`packages/…`, `test/docs/`) names a path of it. */
const TOP_FOLDERS = new Set(
  execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file.includes('/'))
    .map((file) => file.slice(0, file.indexOf('/'))),
);
/** A plain path: no spaces, no placeholders (`<app>`, `{ep}`, `*`), at least one slash. */
const REPOSITORY_PATH = /^[\w.-]+\/[\w./-]*$/;

/** Code spans that name a path of the repository (from its root) which does not exist. */
function codePathProblems(document: string): string[] {
  return codeSpansOf(readFileSync(join(ROOT, document), 'utf8'))
    .filter(({ target }) => REPOSITORY_PATH.test(target) && TOP_FOLDERS.has(target.slice(0, target.indexOf('/'))))
    .filter(({ target }) => !existsSync(join(ROOT, target)))
    .map(({ line, target }) => `${document}:${line} (\`${target}\`): ${target} does not exist`);
}

const anchorCache = new Map<string, Set<string>>();
function anchorsOfFile(path: string): Set<string> {
  let anchors = anchorCache.get(path);
  if (anchors === undefined) {
    anchors = anchorsOf(readFileSync(join(ROOT, path), 'utf8'));
    anchorCache.set(path, anchors);
  }
  return anchors;
}

/** What is wrong with the links of a document that stay on this site (the repository, the page itself). */
function repositoryLinkProblems(document: string): string[] {
  const problems: string[] = [];
  for (const { line, target } of linksOf(readFileSync(join(ROOT, document), 'utf8'))) {
    const where = `${document}:${line} (${target})`;
    const link = classifyLink(target);
    if (link.kind === 'external') continue;
    if (link.kind === 'site-absolute') {
      problems.push(`${where}: write a path relative to the document, which works on GitHub and in a clone`);
      continue;
    }
    if (link.kind === 'in-document') {
      if (!anchorsOfFile(document).has(link.anchor)) problems.push(`${where}: no heading here has that anchor`);
      continue;
    }
    const path = relative(ROOT, join(dirname(join(ROOT, document)), link.path));
    if (path.startsWith('..')) {
      problems.push(`${where}: points outside the repository`);
      continue;
    }
    if (!existsSync(join(ROOT, path))) {
      problems.push(`${where}: ${path} does not exist`);
      continue;
    }
    if (link.anchor === null) continue;
    if (statSync(join(ROOT, path)).isDirectory() || !path.endsWith('.md')) {
      problems.push(`${where}: an anchor into something other than a Markdown page cannot be checked`);
    } else if (!anchorsOfFile(path).has(link.anchor)) {
      problems.push(`${where}: no heading of ${path} has the anchor #${link.anchor}`);
    }
  }
  return problems;
}

/** Links to the documented server, by path (with the query), and where each is. */
function serverLinks(): Map<string, string[]> {
  const links = new Map<string, string[]>();
  for (const document of DOCUMENTS) {
    for (const { line, target } of linksOf(readFileSync(join(ROOT, document), 'utf8'))) {
      const link = classifyLink(target);
      if (link.kind !== 'external' || !DOCUMENTED_SERVER.has(link.url.host)) continue;
      const path = `${link.url.pathname}${link.url.search}`;
      links.set(path, [...(links.get(path) ?? []), `${document}:${line}`]);
    }
  }
  return links;
}

describe('links in the Markdown files', () => {
  it('cover README.md, docs/ and the packages’ READMEs', () => {
    expect(DOCUMENTS).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'packages/receiver/README.md']));
  });

  for (const document of DOCUMENTS) {
    it(`${document}: every relative link, anchor and path in code resolves`, () => {
      expect([...repositoryLinkProblems(document), ...codePathProblems(document)]).toEqual([]);
    });
  }
});

describe('links to a running server', () => {
  let hookline: TestHookline;
  const links = serverLinks();

  beforeAll(async () => {
    hookline = await startHookline();
  });

  afterAll(async () => {
    await hookline?.stop();
  });

  it('the API reference links the OpenAPI document and its page, as a server serves them', async () => {
    const fromApiReference = (path: string) =>
      (links.get(path) ?? []).some((at) => at.startsWith('docs/reference/api.md:'));
    expect(fromApiReference(OPENAPI_PATH), `docs/reference/api.md links ${OPENAPI_PATH}`).toBe(true);
    expect(fromApiReference(REFERENCE_PATH), `docs/reference/api.md links ${REFERENCE_PATH}`).toBe(true);

    const document = await fetch(`${hookline.server.url}${OPENAPI_PATH}`);
    expect(document.status).toBe(200);
    expect(((await document.json()) as { openapi?: string }).openapi).toMatch(/^3\.1\./);
    const page = await fetch(`${hookline.server.url}${REFERENCE_PATH}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(OPENAPI_PATH);
  });

  it('every link to http://127.0.0.1:8080 opens without a token', async () => {
    const refused: string[] = [];
    for (const [path, where] of links) {
      const response = await fetch(`${hookline.server.url}${path}`);
      await response.arrayBuffer();
      if (response.status !== 200) refused.push(`${path} (${where.join(', ')}) answered ${response.status}`);
    }
    expect(refused).toEqual([]);
  });
});
