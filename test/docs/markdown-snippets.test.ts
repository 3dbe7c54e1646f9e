import { describe, expect, it } from 'vitest';
import { extractSnippets, parseMarker, SnippetMarkerError } from './markdown-snippets.js';

describe('extractSnippets', () => {
  it('finds fenced blocks with their language, line and code, and whether they run', () => {
    const markdown = [
      '# Title',
      '',
      '```sh',
      'echo one',
      '```',
      '',
      '~~~ts title="x"',
      'const a = 1;',
      '~~~',
      '',
      '```json',
      '{"a": 1}',
      '```',
      '',
      '```',
      'plain',
      '```',
    ].join('\n');
    expect(extractSnippets(markdown).map(({ line, language, runs, code }) => ({ line, language, runs, code }))).toEqual(
      [
        { line: 3, language: 'sh', runs: 'sh', code: 'echo one\n' },
        { line: 7, language: 'ts', runs: 'ts', code: 'const a = 1;\n' },
        { line: 11, language: 'json', runs: null, code: '{"a": 1}\n' },
        { line: 15, language: '', runs: null, code: 'plain\n' },
      ],
    );
  });

  it('strips the indentation of a block inside a list item, and a longer fence holds a shorter one', () => {
    const markdown = ['1. Step', '', '   ````sh', '   cat <<EOF', '   ```', '   EOF', '   ````'].join('\n');
    expect(extractSnippets(markdown)[0]?.code).toBe('cat <<EOF\n```\nEOF\n');
  });

  it('reads the marker on the nearest non-blank line above the fence', () => {
    const markdown = [
      '<!-- doc-test: background ready="http://127.0.0.1:8080/" paste="export X=" -->',
      '',
      '```sh',
      'npm start',
      '```',
      'text',
      '```sh',
      'echo',
      '```',
    ].join('\n');
    const [first, second] = extractSnippets(markdown);
    expect(first?.marker).toMatchObject({ background: true, ready: 'http://127.0.0.1:8080/', paste: 'export X=' });
    expect(second?.markerText).toBeNull();
    expect(second?.marker.background).toBe(false);
  });

  it('takes the shown block below as expected output with output-below', () => {
    const markdown = ['<!-- doc-test: output-below -->', '```sh', 'echo hi', '```', '', '```text', 'hi', '```'].join(
      '\n',
    );
    expect(extractSnippets(markdown)[0]?.marker.output).toEqual(['hi']);
    expect(() => extractSnippets(['<!-- doc-test: output-below -->', '```sh', 'echo', '```'].join('\n'))).toThrow(
      /output-below/,
    );
  });
});

describe('parseMarker', () => {
  it('reads every directive', () => {
    expect(
      parseMarker(`skip="needs a browser" output="a b" output=c output='"q": 1' exit=3 file="r.ts" eventually`, 'x'),
    ).toMatchObject({
      skip: 'needs a browser',
      output: ['a b', 'c', '"q": 1'],
      exit: 3,
      file: 'r.ts',
      eventually: true,
    });
    expect(parseMarker('output-below', 'x').outputBelow).toBe(true);
  });

  it('refuses an unknown directive, a skip without a reason, and a background block with nothing to wait for', () => {
    expect(() => parseMarker('skipp="typo"', 'x')).toThrow(SnippetMarkerError);
    expect(() => parseMarker('skip', 'x')).toThrow(/skip needs a value/);
    expect(() => parseMarker('background', 'x')).toThrow(/needs ready/);
    expect(() => parseMarker('paste="export "', 'x')).toThrow(/background/);
    expect(() => parseMarker('background ready="http://x/" eventually', 'x')).toThrow(/eventually/);
  });
});
