// A generated block of a markdown document: content between `<!-- generated:<name> -->` and
// `<!-- /generated:<name> -->`, rewritten from the code by `npm run docs:labs` and never by hand.
// The markers are HTML comments, so GitHub and the guide site show only the content.

/** A generated block as the document keeps it: its content between its two markers. */
export const withMarkers = (name: string, body: string): string => `<!-- generated:${name} -->\n${body}\n<!-- /generated:${name} -->`;

/** How a page shows a block: with its markers (the document itself), in a captioned box (the site), bare (Studio). */
export type BlockWrap = (name: string, body: string) => string;

/** `text` with block `name` replaced by `wrap(name, body)`; a document without the block is refused, naming it. */
export function replaceBlock(text: string, name: string, body: string, wrap: BlockWrap, document: string): string {
  const pattern = new RegExp(`<!-- generated:${name} -->[\\s\\S]*?<!-- /generated:${name} -->`);
  if (!pattern.test(text)) throw new Error(`${document} has no <!-- generated:${name} --> block.`);
  return text.replace(pattern, () => wrap(name, body));
}
