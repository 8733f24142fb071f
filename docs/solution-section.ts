// The answers out of sight: each lab's solution walkthrough (WORKSHOP.md) and each lab README's
// solution part are folded in a `<details>` block whose summary starts with "Solution", so GitHub,
// the site (docs/build-site.ts) and an editor's preview show it closed, below the exercise; the
// Workshop Studio export (docs/studio-export.ts) puts it on a page of its own. This is the one
// place that knows what such a block looks like; the guide test keeps every lab's solution in one.
import type MarkdownIt from 'markdown-it';

/** How a solution block's summary begins, after `<summary>` and an optional `<strong>`. */
export const SOLUTION_SUMMARY = /^<summary>\s*(?:<strong>)?\s*Solution\b/;

export interface SolutionBlock {
  /** 0-based line of `<details>`. */
  open: number;
  /** 0-based line of `</details>`. */
  close: number;
  /** The summary's words, without the markup. */
  summary: string;
  /** The lines between the summary and `</details>`: the solution itself. */
  body: string[];
}

/** Every solution block of a markdown text, in order. A `<details>` that is no solution is left alone. */
export function solutionBlocks(md: MarkdownIt, text: string): SolutionBlock[] {
  const lines = text.split('\n');
  const blocks: SolutionBlock[] = [];
  let open: { line: number; summary: string; bodyFrom: number } | undefined;
  let depth = 0;
  for (const token of md.parse(text, {})) {
    if (token.type !== 'html_block' || !token.map) continue;
    const html = token.content.trim();
    if (/^<details\b/i.test(html)) {
      depth++;
      const summaryLine = html.split('\n').find((l) => SOLUTION_SUMMARY.test(l.trim()));
      if (depth === 1 && summaryLine) {
        open = {
          line: token.map[0],
          summary: summaryLine
            .replace(/<[^>]+>/g, '')
            .replace(/\s+/g, ' ')
            .trim(),
          bodyFrom: token.map[1],
        };
      }
    } else if (/^<\/details>/i.test(html)) {
      depth = Math.max(0, depth - 1);
      if (depth === 0 && open) {
        blocks.push({ open: open.line, close: token.map[0], summary: open.summary, body: lines.slice(open.bodyFrom, token.map[0]) });
        open = undefined;
      }
    }
  }
  return blocks;
}

/** The text without its solution blocks (`replace` says what stands in each one's place). */
export function withoutSolutions(md: MarkdownIt, text: string, replace: (block: SolutionBlock) => string[] = () => []): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let at = 0;
  for (const block of solutionBlocks(md, text)) {
    out.push(...lines.slice(at, block.open), ...replace(block));
    at = block.close + 1;
  }
  out.push(...lines.slice(at));
  return out.join('\n');
}
