// Every link in the guide documents to a file of this repository must resolve, and every
// `#anchor` must match a heading of the document it points into (GitHub's slugs, the same the
// site gives its headings). Web links (https:, mailto:) are listed but not fetched: the checks
// run offline.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type MarkdownIt from 'markdown-it';
import { runsAsScript } from '../labs/entry-point.ts';
import type { Problem } from './guide-commands.ts';
import { createMarkdown, guideDocuments, headingIds, REPO_ROOT, type Token } from './markdown.ts';

export interface GuideLink {
  file: string;
  line: number;
  href: string;
  /** Repo-relative path the link points to ('' for an anchor in the same document); undefined for a web link. */
  target?: string;
  anchor?: string;
}

const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

function lineOf(lines: string[], from: number, to: number, needles: string[]): number {
  for (const needle of needles) {
    for (let i = from; i < Math.min(to, lines.length); i++) if (lines[i].includes(needle)) return i + 1;
  }
  return from + 1;
}

/** Where a relative href points, repo-relative (`labs/01-baseline/spec.ts`), or undefined outside the repo. */
export function resolveHref(fromFile: string, href: string): { target?: string; anchor?: string; external: boolean } {
  if (EXTERNAL.test(href)) return { external: true };
  const hash = href.indexOf('#');
  const path = decodeURIComponent((hash >= 0 ? href.slice(0, hash) : href).split('?')[0]);
  const anchor = hash >= 0 ? decodeURIComponent(href.slice(hash + 1)) : undefined;
  if (path === '') return { target: '', anchor, external: false };
  const joined = path.startsWith('/') ? normalize(path.slice(1)) : normalize(join(dirname(fromFile), path));
  if (joined.startsWith('..')) return { target: undefined, anchor, external: false };
  return { target: joined.replace(/\/$/, ''), anchor, external: false };
}

export function extractLinks(file: string, text: string, md: MarkdownIt = createMarkdown()): GuideLink[] {
  const tokens = md.parse(text, {});
  const lines = text.split('\n');
  const links: GuideLink[] = [];
  let map: [number, number] = [0, lines.length];
  const visit = (token: Token) => {
    const attr = token.type === 'link_open' ? 'href' : token.type === 'image' ? 'src' : undefined;
    if (!attr) return;
    const href = token.attrGet(attr) ?? '';
    const line = lineOf(lines, map[0], map[1], [`](${href}`, `]: ${href}`, href]);
    const resolved = resolveHref(file, href);
    links.push({ file, line, href, ...(resolved.external ? {} : { target: resolved.target ?? `../${href}`, anchor: resolved.anchor }) });
  };
  for (const token of tokens) {
    if (token.map) map = token.map;
    for (const child of token.children ?? []) visit(child);
  }
  return links;
}

/** Every link and image address of a markdown text, as written. */
export function hrefsIn(text: string, md: MarkdownIt = createMarkdown()): string[] {
  return extractLinks('', text, md).map((link) => link.href);
}

/** Problems with the links of one document, given as text. `root` is where repo paths resolve. */
export function checkLinksText(file: string, text: string, root = REPO_ROOT): { links: GuideLink[]; problems: Problem[] } {
  const links = extractLinks(file, text);
  const md = createMarkdown();
  const idsOf = new Map<string, string[]>();
  const ids = (target: string, content?: string) => {
    if (!idsOf.has(target)) idsOf.set(target, headingIds(md, content ?? readFileSync(join(root, target), 'utf8')));
    return idsOf.get(target)!;
  };
  const problems: Problem[] = [];
  for (const link of links) {
    if (link.target === undefined) continue; // a web link
    const problem = (message: string) => problems.push({ file, line: link.line, subject: link.href, message });
    if (link.target.startsWith('..')) {
      problem('points outside the repository');
      continue;
    }
    const targetFile = link.target === '' ? file : link.target;
    if (link.target !== '') {
      const path = join(root, link.target);
      if (!existsSync(path)) {
        problem(`no such file: ${link.target}`);
        continue;
      }
      if (link.anchor !== undefined && statSync(path).isDirectory()) {
        problem(`${link.target} is a folder: an anchor needs a document`);
        continue;
      }
    }
    if (link.anchor !== undefined && link.anchor !== '') {
      if (!targetFile.endsWith('.md')) {
        if (!/^L\d+(-L\d+)?$/.test(link.anchor))
          problem(`#${link.anchor} on ${targetFile}, which has no headings (only #L<line> anchors work on a source file)`);
        continue;
      }
      const known = ids(targetFile, link.target === '' ? text : undefined);
      if (!known.includes(link.anchor))
        problem(`no heading in ${targetFile} has the anchor #${link.anchor} (its anchors: ${known.map((id) => `#${id}`).join(', ')})`);
    }
  }
  return { links, problems };
}

export function checkGuideLinks(root = REPO_ROOT): Array<{ file: string; links: GuideLink[]; problems: Problem[] }> {
  return guideDocuments(root).map((file) => ({ file, ...checkLinksText(file, readFileSync(join(root, file), 'utf8'), root) }));
}

if (runsAsScript(import.meta.url)) {
  const results = checkGuideLinks();
  for (const r of results) {
    console.log(`${r.file}: ${r.links.length} links`);
    for (const l of r.links) console.log(`  ${String(l.line).padStart(4)} ${l.href}`);
    for (const p of r.problems) console.log(`  PROBLEM ${p.file}:${p.line}: ${p.message} (${p.subject})`);
  }
}
