// Heading anchors as Hugo makes them (Goldmark, autoHeadingIDType "github", Hugo's default), which
// is how a page rendered from Hugo markdown, as Workshop Studio's are, names its headings. Close
// to GitHub's rule in markdown.ts but not the same: Hugo keeps `_` and letters and digits only,
// turns a tab into `-` too, names an empty heading `heading`, and numbers repeats per page. The
// rule is Hugo's markup/goldmark/autoid.go (sanitizeAnchorNameWithHook, idFactory.Generate).
import type MarkdownIt from 'markdown-it';
import { createMarkdown, type Heading, headings } from './markdown.ts';

/** One heading's anchor before repeats are numbered. */
export function hugoAnchor(text: string): string {
  let id = '';
  for (const char of text) {
    if (char === '-' || char === ' ' || char === '\t') id += '-';
    else if (char === '_' || /\p{L}|\p{Nd}/u.test(char)) id += char.toLowerCase();
  }
  return id === '' ? 'heading' : id;
}

/** Unique anchors in page order, as Hugo numbers repeats: `x`, `x-1`, `x-2`. */
export class HugoAnchors {
  private readonly taken = new Set<string>();

  next(text: string): string {
    const base = hugoAnchor(text);
    let id = base;
    for (let n = 1; this.taken.has(id); n++) id = `${base}-${n}`;
    this.taken.add(id);
    return id;
  }
}

/** Every heading of one page, in order, with the anchor Hugo gives it. */
export function hugoHeadings(text: string, md: MarkdownIt = createMarkdown()): Heading[] {
  return headings(md, text, new HugoAnchors());
}
