// A lab's pipeline as a static SVG: its parts (labs/pipeline-parts.ts) as boxes left to right
// with arrows, wrapping after a few boxes so a long pipeline stays legible at a page's width,
// and the failure paths below the part that takes them. Plain SVG, no script, no font or image
// to fetch: it has to show offline on GitHub, the guide site and Workshop Studio. A white
// background of its own keeps it readable on a dark page; its <title> and <desc> (the same words
// as the alt text) say everything it shows. Text is not measured here (there is no renderer):
// textWidth estimates it, for the widest font a reader is likely to get.
import type { LabSpec } from './lab-spec.ts';
import { type PartKind, type PipelinePart, pipelineDescription, pipelineParts, pipelineTitle } from './pipeline-parts.ts';

/** The alt text of a lab's diagram: what it shows, in sentences. */
export function pipelineAlt(lab: LabSpec): string {
  return pipelineDescription(lab);
}

/** Boxes per row: four of them still read at a README's width. */
const PER_ROW = 4;
const MARGIN = 16;
const HEADER = 30;
const HEADER_SIZE = 13;
const PAD_X = 12;
const PAD_Y = 10;
const TITLE_SIZE = 14;
const TITLE_LINE = 19;
const LINE_SIZE = 12.5;
const LINE_HEIGHT = 17;
const MIN_BOX_WIDTH = 132;
const GAP_X = 36;
const ROW_GAP = 40;
const LANE_GAP = 42;
const FONT = 'Helvetica, Arial, Liberation Sans, sans-serif';
const INK = '#111827';
const MUTED = '#374151';

/** Fill and stroke by kind: Kafka blue, mappings violet, Lambda orange, SQS pink, failures red and dashed. */
const STYLE: Record<PartKind, { fill: string; stroke: string; dashed?: boolean }> = {
  producer: { fill: '#f3f4f6', stroke: '#6b7280' },
  topic: { fill: '#e0f2fe', stroke: '#0369a1' },
  mapping: { fill: '#ede9fe', stroke: '#6d28d9' },
  function: { fill: '#ffedd5', stroke: '#c2410c' },
  queue: { fill: '#fce7f3', stroke: '#be185d' },
  failure: { fill: '#fef2f2', stroke: '#b91c1c', dashed: true },
};

interface Box {
  part: PipelinePart;
  x: number;
  y: number;
  width: number;
  height: number;
}

export function pipelineSvg(lab: LabSpec): string {
  const { chain, branches } = pipelineParts(lab);
  const id = `pipeline-${lab.id.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const arrow = `url(#${id}-arrow)`;
  const boxes: Box[] = [];
  const branchBoxes: Array<{ box: Box; from: Box; when: string }> = [];
  const connectors: string[] = [];
  let top = MARGIN + HEADER;
  let right = MARGIN + textWidth(pipelineTitle(lab), HEADER_SIZE, false);

  for (let start = 0; start < chain.length; start += PER_ROW) {
    const row = chain.slice(start, start + PER_ROW);
    const height = Math.max(...row.map(contentHeight));
    let x = MARGIN;
    const rowBoxes = row.map((part) => {
      const box = { part, x, y: top, width: boxWidth(part), height };
      x += box.width + GAP_X;
      return box;
    });
    boxes.push(...rowBoxes);
    let bottom = top + height;
    const rowBranches = branches.filter((b) => b.from >= start && b.from < start + row.length);
    if (rowBranches.length > 0) {
      const laneTop = bottom + LANE_GAP;
      const laneHeight = Math.max(...rowBranches.map((b) => contentHeight(b.part)));
      for (const branch of rowBranches) {
        const from = rowBoxes[branch.from - start];
        const width = boxWidth(branch.part);
        const box = { part: branch.part, x: Math.max(MARGIN, from.x + (from.width - width) / 2), y: laneTop, width, height: laneHeight };
        branchBoxes.push({ box, from, when: branch.when });
      }
      bottom = laneTop + laneHeight;
    }
    const rowRight = Math.max(...[...rowBoxes, ...branchBoxes.filter((b) => rowBoxes.includes(b.from)).map((b) => b.box)].map((b) => b.x + b.width));
    right = Math.max(right, rowRight);
    const next = chain[start + PER_ROW];
    if (next) {
      // Down the right-hand side of the row and its failure paths, across below them, and down
      // into the next row's first box: it never crosses a box.
      const last = rowBoxes[rowBoxes.length - 1];
      const turnX = rowRight + GAP_X / 2;
      const turnY = bottom + ROW_GAP / 2;
      const nextTop = bottom + ROW_GAP;
      const firstCentre = MARGIN + boxWidth(next) / 2;
      connectors.push(path(`M${n(last.x + last.width)} ${mid(last)} H${n(turnX)} V${n(turnY)} H${n(firstCentre)} V${n(nextTop)}`, arrow));
      right = Math.max(right, turnX);
      top = nextTop;
    } else {
      top = bottom;
    }
  }

  const width = Math.ceil(right + MARGIN);
  const height = Math.ceil(top + MARGIN);
  const links = boxes.slice(1).flatMap((box, i) => {
    const before = boxes[i];
    return before.y === box.y ? [path(`M${n(before.x + before.width)} ${mid(before)} H${n(box.x)}`, arrow)] : [];
  });
  const failures = branchBoxes.flatMap(({ box, from, when }) => {
    const x = from.x + from.width / 2;
    const y = from.y + from.height;
    return [
      path(`M${n(x)} ${n(y)} V${n(box.y)}`, arrow, true),
      text(when, x + 6, y + LANE_GAP / 2 + 4, { size: 11.5, fill: MUTED, anchor: 'start', italic: true }),
    ];
  });

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="${escapeXml(FONT)}">`,
    `<title id="${id}-title">${escapeXml(pipelineTitle(lab))}</title>`,
    `<desc id="${id}-desc">${escapeXml(pipelineDescription(lab))}</desc>`,
    '<defs>',
    `<marker id="${id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">`,
    `<path d="M0 0L10 5L0 10z" fill="${MUTED}"/>`,
    '</marker>',
    '</defs>',
    `<rect width="${width}" height="${height}" rx="8" fill="#ffffff" stroke="#d1d5db"/>`,
    text(pipelineTitle(lab), MARGIN, MARGIN + HEADER_SIZE, { size: HEADER_SIZE, fill: MUTED, anchor: 'start' }),
    ...boxes.map(drawBox),
    ...branchBoxes.map(({ box }) => drawBox(box)),
    ...links,
    ...connectors,
    ...failures,
    '</svg>',
    '',
  ].join('\n');
}

function drawBox(box: Box): string {
  const style = STYLE[box.part.kind];
  const centre = box.x + box.width / 2;
  const first = box.y + (box.height - contentHeight(box.part)) / 2 + PAD_Y + TITLE_SIZE;
  return [
    '<g>',
    `<rect x="${n(box.x)}" y="${n(box.y)}" width="${n(box.width)}" height="${n(box.height)}" rx="6" fill="${style.fill}" stroke="${style.stroke}" stroke-width="1.5"${style.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
    text(box.part.title, centre, first, { size: TITLE_SIZE, fill: INK, bold: true }),
    ...box.part.lines.map((line, i) => text(line, centre, first + TITLE_LINE - TITLE_SIZE + LINE_SIZE + i * LINE_HEIGHT, { size: LINE_SIZE, fill: MUTED })),
    '</g>',
  ].join('\n');
}

function text(
  content: string,
  x: number,
  y: number,
  style: { size: number; fill: string; anchor?: 'start' | 'middle'; bold?: boolean; italic?: boolean },
): string {
  const weight = style.bold ? ' font-weight="bold"' : '';
  const slant = style.italic ? ' font-style="italic"' : '';
  return `<text x="${n(x)}" y="${n(y)}" font-size="${style.size}" fill="${style.fill}" text-anchor="${style.anchor ?? 'middle'}"${weight}${slant}>${escapeXml(content)}</text>`;
}

function path(d: string, marker: string, dashed = false): string {
  return `<path d="${d}" fill="none" stroke="${MUTED}" stroke-width="1.5"${dashed ? ' stroke-dasharray="5 3"' : ''} marker-end="${marker}"/>`;
}

const mid = (box: Box) => n(box.y + box.height / 2);

function contentHeight(part: PipelinePart): number {
  return PAD_Y * 2 + TITLE_LINE + part.lines.length * LINE_HEIGHT;
}

function boxWidth(part: PipelinePart): number {
  const widest = Math.max(textWidth(part.title, TITLE_SIZE, true), ...part.lines.map((line) => textWidth(line, LINE_SIZE, false)));
  return Math.max(MIN_BOX_WIDTH, Math.ceil(widest + PAD_X * 2));
}

/**
 * A line's width, estimated from DejaVu Sans's advance widths by class of character: the widest
 * sans-serif a reader is likely to get (where Helvetica, Arial and Liberation Sans are missing),
 * so the narrower ones leave room to spare.
 */
export function textWidth(content: string, size: number, bold: boolean): number {
  let em = 0;
  for (const char of content) {
    if (/[ijlI.,:;'|!·/]/.test(char)) em += 0.32;
    else if (/[ frt()\-]/.test(char)) em += 0.4;
    else if (/[mwMW]/.test(char)) em += 0.96;
    else if (/[A-Z]/.test(char)) em += 0.72;
    else if (/[0-9]/.test(char)) em += 0.64;
    else if (/[a-z]/.test(char)) em += 0.61;
    else em += 1;
  }
  return em * size * 1.02 * (bold ? 1.1 : 1);
}

/** Coordinates to one decimal at most, so the same spec always writes the same bytes. */
function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export function escapeXml(content: string): string {
  return content.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
