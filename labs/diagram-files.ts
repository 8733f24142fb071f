// Where each lab's pipeline diagram lives and how the guide shows it: the SVG beside the lab's
// README (labs/<lab>/pipeline.svg), and a markdown image of it, with its alt text, in the README's
// solution and in the lab's walkthrough in WORKSHOP.md. `npm run docs:labs` writes both
// (labs/lab-readme.ts); the guide site and the Workshop Studio export draw the SVG from the spec
// again when they are built, as they do the READMEs' other generated blocks.
import { posix } from 'node:path';
import { pipelineAlt, pipelineSvg } from './diagram.ts';
import { type BlockWrap, replaceBlock, withMarkers } from './generated-block.ts';
import { LABS } from './index.ts';
import type { LabSpec } from './lab-spec.ts';

/** The diagram's file, from the repository root. */
export function diagramFile(lab: Pick<LabSpec, 'id'>): string {
  return `labs/${lab.id}/pipeline.svg`;
}

/** The diagram as a markdown image in `document` (a repo path), linked relative to it. */
export function diagramImage(lab: LabSpec, document: string): string {
  // Brackets would end the alt text early (a filter value may hold one).
  const alt = pipelineAlt(lab).replace(/\[/g, '(').replace(/\]/g, ')');
  return `![${alt}](${posix.relative(posix.dirname(document), diagramFile(lab))})`;
}

/** The SVG a repo path holds when it is a lab's diagram, drawn from the lab's spec now. */
export function currentDiagram(file: string, labs: readonly LabSpec[] = LABS): string | undefined {
  const lab = labs.find((l) => diagramFile(l) === file);
  return lab ? pipelineSvg(lab) : undefined;
}

/** WORKSHOP.md's block for a lab's diagram: `<!-- generated:pipeline-diagram:<lab id> -->`. */
export const guideBlockName = (lab: Pick<LabSpec, 'id'>) => `pipeline-diagram:${lab.id}`;

/**
 * WORKSHOP.md with each lab's diagram block replaced by its current image, written by `wrap`
 * (with its markers by default). Every lab must have its block, in its walkthrough.
 */
export function regenerateGuide(text: string, wrap: BlockWrap = withMarkers, labs: readonly LabSpec[] = LABS, document = 'WORKSHOP.md'): string {
  return labs.reduce((out, lab) => replaceBlock(out, guideBlockName(lab), diagramImage(lab, document), wrap, document), text);
}
