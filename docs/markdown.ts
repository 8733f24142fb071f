// What the guide tooling shares: which documents make up the guide, one markdown-it parser, and
// the heading slugs (GitHub's rule, so an anchor that works on GitHub works on the site and in
// the link checker alike).
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';

export type Token = ReturnType<MarkdownIt['parse']>[number];

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Repo-relative paths of the lab READMEs, in lab order. */
export function labReadmes(root = REPO_ROOT): string[] {
  return readdirSync(join(root, 'labs'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d\d-/.test(entry.name) && existsSync(join(root, 'labs', entry.name, 'README.md')))
    .map((entry) => `labs/${entry.name}/README.md`)
    .sort();
}

/**
 * The instructor's guide (docs/facilitator.ts writes its generated parts): never a participant's
 * page, so the guide site refuses a page that links it and the Workshop Studio export writes it
 * outside content/.
 */
export const FACILITATOR_SOURCE = 'docs/FACILITATOR.md';

/** Every document whose commands and links the guide checks: WORKSHOP.md, README.md, the lab READMEs. */
export function guideDocuments(root = REPO_ROOT): string[] {
  return ['WORKSHOP.md', 'README.md', ...labReadmes(root)];
}

/** html: true keeps the lab READMEs' `<!-- generated:... -->` markers as comments, not text. */
export function createMarkdown(): MarkdownIt {
  return new MarkdownIt({ html: true, linkify: false, typographer: false });
}

/** GitHub's heading slug: lower case, punctuation dropped, each space a hyphen. */
export function slug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Unique slugs in document order, as GitHub numbers repeats: `x`, `x-1`, `x-2`. */
export class Slugger {
  private readonly seen = new Map<string, number>();

  next(text: string): string {
    const base = slug(text);
    let candidate = base;
    let n = this.seen.get(base) ?? 0;
    while (this.seen.has(candidate)) candidate = `${base}-${++n}`;
    this.seen.set(base, n);
    this.seen.set(candidate, 0);
    return candidate;
  }
}

/** The plain text of an inline token (what a heading's slug is made from). */
export function inlineText(token: Token): string {
  return (token.children ?? [])
    .filter((child) => child.type === 'text' || child.type === 'code_inline')
    .map((child) => child.content)
    .join('');
}

export interface Heading {
  /** Its first line, 0-based. */
  line: number;
  level: number;
  text: string;
  id: string;
}

/** Every heading, in order, with the anchor id `ids` gives it: GitHub's by default (Slugger). */
export function headings(md: MarkdownIt, text: string, ids: { next(text: string): string } = new Slugger()): Heading[] {
  const tokens = md.parse(text, {});
  const found: Heading[] = [];
  tokens.forEach((token, i) => {
    if (token.type !== 'heading_open') return;
    const heading = inlineText(tokens[i + 1]);
    found.push({ line: token.map![0], level: Number(token.tag.slice(1)), text: heading, id: ids.next(heading) });
  });
  return found;
}

/** Every heading's anchor id, in order. */
export function headingIds(md: MarkdownIt, text: string): string[] {
  return headings(md, text).map((h) => h.id);
}

/** A fence's info string with its words single-spaced (`bash  aws` is `bash aws`). */
export function fenceInfo(token: Token): string {
  return token.info.trim().replace(/\s+/g, ' ');
}
