// The links of a Markdown file and the anchors it offers, as GitHub renders them: markdown-it finds the links (so a
// link inside code is not one, and reference-style links resolve) and github-slugger makes the headings' anchors.
// Pure: text in, links and anchors out; docs-links.test.ts checks them against the repository and a server.
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';

export interface MarkdownLink {
  /** 1-based line of the block holding the link. */
  line: number;
  /** The target as written in the source (an image's source too). */
  target: string;
}

type Token = ReturnType<MarkdownIt['parse']>[number];

const markdown = new MarkdownIt({ html: true });

/** Every link and image target of a Markdown text, in order. */
export function linksOf(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const block of markdown.parse(text, {})) {
    if (block.type !== 'inline') continue;
    const line = (block.map?.[0] ?? 0) + 1;
    for (const child of block.children ?? []) {
      const target =
        child.type === 'link_open' ? child.attrGet('href') : child.type === 'image' ? child.attrGet('src') : null;
      if (target !== null) links.push({ line, target: decodeTarget(target) });
    }
  }
  return links;
}

/** The inline code spans of a Markdown text (`packages/server/src/config.ts` names a file as surely as a link). */
export function codeSpansOf(text: string): MarkdownLink[] {
  const spans: MarkdownLink[] = [];
  for (const block of markdown.parse(text, {})) {
    if (block.type !== 'inline') continue;
    const line = (block.map?.[0] ?? 0) + 1;
    for (const child of block.children ?? []) {
      if (child.type === 'code_inline') spans.push({ line, target: child.content });
    }
  }
  return spans;
}

/** markdown-it percent-encodes what it renders (`a b` becomes `a%20b`); a file name is matched as written. */
function decodeTarget(href: string): string {
  try {
    return decodeURI(href);
  } catch {
    return href;
  }
}

/** The text a heading shows (GitHub slugs that, not the source: `` `serve` `` gives `serve`). */
function headingText(inline: Token): string {
  return (inline.children ?? [])
    .filter((child) => child.type === 'text' || child.type === 'code_inline')
    .map((child) => child.content)
    .join('');
}

const HTML_ANCHOR = /\s(?:id|name)="([^"]+)"/g;

/** Every `#anchor` a Markdown text offers: its headings' slugs (duplicates numbered as GitHub does) and HTML ids. */
export function anchorsOf(text: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  const tokens = markdown.parse(text, {});
  for (const [index, token] of tokens.entries()) {
    if (token.type === 'heading_open') {
      const inline = tokens[index + 1];
      if (inline?.type === 'inline') anchors.add(slugger.slug(headingText(inline)));
    }
    const html =
      token.type === 'html_block'
        ? token.content
        : (token.children ?? [])
            .filter((child) => child.type === 'html_inline')
            .map((child) => child.content)
            .join('');
    for (const match of html.matchAll(HTML_ANCHOR)) anchors.add(match[1] as string);
  }
  return anchors;
}

export type LinkKind =
  | { kind: 'external'; url: URL }
  | { kind: 'in-document'; anchor: string }
  | { kind: 'repository'; path: string; anchor: string | null }
  | { kind: 'site-absolute' };

/** What a link points at: another site, this document, or a file of the repository (relative to the document). */
export function classifyLink(target: string): LinkKind {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return { kind: 'external', url: new URL(target) };
  if (target.startsWith('#')) return { kind: 'in-document', anchor: target.slice(1) };
  // `/docs/x.md` means the host's root on a website and the repository's root on GitHub: neither is reliable.
  if (target.startsWith('/')) return { kind: 'site-absolute' };
  const hash = target.indexOf('#');
  return hash === -1
    ? { kind: 'repository', path: target, anchor: null }
    : { kind: 'repository', path: target.slice(0, hash), anchor: target.slice(hash + 1) };
}
