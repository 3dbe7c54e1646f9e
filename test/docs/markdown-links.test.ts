import { describe, expect, it } from 'vitest';
import { anchorsOf, classifyLink, codeSpansOf, linksOf } from './markdown-links.js';

describe('linksOf', () => {
  it('finds inline, reference-style and image links with their line, and none inside code', () => {
    const markdown = [
      'See [the guide](docs/guide.md#setup) and [the API][api].', // 1
      '',
      '![diagram](docs/a%20b.png)', // 3
      '',
      '`[not a link](nowhere.md)`', // 5
      '',
      '```md',
      '[not a link either](nowhere.md)',
      '```',
      '',
      '[api]: docs/reference/api.md',
    ].join('\n');
    expect(linksOf(markdown)).toEqual([
      { line: 1, target: 'docs/guide.md#setup' },
      { line: 1, target: 'docs/reference/api.md' },
      { line: 3, target: 'docs/a b.png' },
    ]);
  });
});

describe('anchorsOf', () => {
  it('slugs headings as GitHub does: the text shown, lowercased, punctuation dropped, duplicates numbered', () => {
    const markdown = [
      '# Running on PostgreSQL',
      '## `hookline serve`',
      '## Errors, and limits!',
      '## Retries',
      '## Retries',
      '## [Linked](x.md) heading',
      '<a id="custom"></a>',
      '```sh',
      '# not a heading',
      '```',
    ].join('\n');
    expect([...anchorsOf(markdown)]).toEqual([
      'running-on-postgresql',
      'hookline-serve',
      'errors-and-limits',
      'retries',
      'retries-1',
      'linked-heading',
      'custom',
    ]);
  });
});

describe('codeSpansOf', () => {
  it('lists inline code with its line, not fenced blocks', () => {
    expect(codeSpansOf('a `packages/x.ts` b\n\n```sh\necho `no`\n```\n')).toEqual([
      { line: 1, target: 'packages/x.ts' },
    ]);
  });
});

describe('classifyLink', () => {
  it('tells another site, this page, a repository path with its anchor, and a root-absolute path apart', () => {
    expect(classifyLink('https://www.standardwebhooks.com/')).toMatchObject({ kind: 'external' });
    expect(classifyLink('mailto:a@example.com')).toMatchObject({ kind: 'external' });
    expect(classifyLink('#retries')).toEqual({ kind: 'in-document', anchor: 'retries' });
    expect(classifyLink('../concepts.md#retries')).toEqual({
      kind: 'repository',
      path: '../concepts.md',
      anchor: 'retries',
    });
    expect(classifyLink('examples')).toEqual({ kind: 'repository', path: 'examples', anchor: null });
    expect(classifyLink('/docs/quickstart.md')).toEqual({ kind: 'site-absolute' });
  });
});
