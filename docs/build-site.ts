// `npm run guide`: WORKSHOP.md and the lab READMEs as a static, offline site under site/.
//
//   site/index.html                     WORKSHOP.md
//   site/labs/<lab>/index.html          labs/<lab>/README.md, its generated blocks (capacity model,
//                                       synthesized mapping) re-rendered from the LabSpecs now, so
//                                       the site is current even if a README is stale
//   site/files/<repo path>.html         any other repo file a page links to: a markdown file
//                                       rendered (sandbox/MODEL.md), anything else as numbered
//                                       plain text with #L<n> line anchors (labs/01-baseline/spec.ts)
//   site/<repo path>                    every image a page shows, at its own path; a lab's
//                                       pipeline diagram (labs/<lab>/pipeline.svg) drawn from the
//                                       spec now, like the README blocks
//   site/style.css                      the only stylesheet; no fonts, scripts or images from the network
//
// The facilitator guide (docs/FACILITATOR.md) is the instructor's, not a participant's page: the
// site has no page of it, and a page that links it is a warning (so `npm run guide` exits 1).
//
// Every heading has an id (GitHub's slug, so `#clean-up` works as on GitHub) and a self-link;
// every shell block has a copy button (one small inline script); every page has the menu and
// previous/next links.

import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { pathToFileURL } from 'node:url';
import type MarkdownIt from 'markdown-it';
import { currentDiagram, regenerateGuide } from '../labs/diagram-files.ts';
import { displayPath } from '../labs/display-path.ts';
import { runsAsScript } from '../labs/entry-point.ts';
import { findLab } from '../labs/index.ts';
import { regenerate, synthesizedMappings } from '../labs/lab-readme.ts';
import { resolveHref } from './guide-links.ts';
import { createMarkdown, FACILITATOR_SOURCE, fenceInfo, inlineText, labReadmes, REPO_ROOT, Slugger, type Token } from './markdown.ts';

export const DEFAULT_OUT_DIR = join(REPO_ROOT, 'site');

export interface BuildOptions {
  /** Where the site goes; emptied first. Default site/. */
  outDir?: string;
  /** Reads a repo file (repo-relative path); tests pass a stale README through it. */
  read?: (path: string) => string;
  /** Print where the site is. Default true. */
  log?: boolean;
}

export interface SitePage {
  /** Repo-relative source, e.g. labs/02-low-latency/README.md. */
  source: string;
  /** Site-relative output, e.g. labs/02-low-latency/index.html. */
  file: string;
  title: string;
  /** Short name for the menu and the pager; only the guide's own pages are in the menu. */
  menu?: string;
}

export interface BuiltSite {
  outDir: string;
  index: string;
  pages: SitePage[];
  /** Links that could not be turned into site links (they are left as written). */
  warnings: string[];
}

interface RenderEnv {
  page: SitePage;
  slugger: Slugger;
  toc: Array<{ level: number; id: string; text: string }>;
  headingIds: string[];
  rewrite: (href: string) => string;
  /** An image's address on the site; the image is written there with the pages. */
  asset: (src: string) => string;
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function sitePathFor(source: string, mainPages: Map<string, SitePage>): string {
  return mainPages.get(source)?.file ?? `files/${source}.html`;
}

function relativeHref(fromFile: string, toFile: string): string {
  const rel = posix.relative(posix.dirname(fromFile), toFile);
  return rel === '' ? posix.basename(toFile) : rel;
}

/** markdown-it with the site's rules: heading ids and self-links, copyable shell blocks, rewritten links, scrollable tables. */
function siteMarkdown(): MarkdownIt {
  const md = createMarkdown();
  const rules = md.renderer.rules;

  rules.heading_open = (tokens, idx, _options, env: RenderEnv) => {
    const text = inlineText(tokens[idx + 1]);
    const id = env.slugger.next(text);
    const level = Number(tokens[idx].tag.slice(1));
    env.toc.push({ level, id, text });
    env.headingIds.push(id);
    return `<${tokens[idx].tag} id="${esc(id)}">`;
  };
  rules.heading_close = (tokens, idx, _options, env: RenderEnv) => {
    const id = env.headingIds[env.headingIds.length - 1];
    return ` <a class="anchor" href="#${esc(id)}" aria-label="Link to this section">#</a></${tokens[idx].tag}>\n`;
  };

  rules.fence = (tokens, idx) => {
    const token = tokens[idx];
    const info = fenceInfo(token);
    const lang = info.split(' ')[0];
    const shell = lang === 'bash';
    const label = info === 'bash aws' ? 'AWS' : shell ? 'local' : lang || 'text';
    const lines = token.content.replace(/\n$/, '').split('\n');
    const body = shell
      ? lines
          .map((line) => {
            if (/^\s*#/.test(line)) return `<span class="comment">${esc(line)}</span>`;
            if (line.trim() === '') return '';
            const m = /^(.*?\S)(\s+#.*)$/.exec(line);
            return m ? `<span class="cmd">${esc(m[1])}</span><span class="comment">${esc(m[2])}</span>` : `<span class="cmd">${esc(line)}</span>`;
          })
          .join('\n')
      : esc(lines.join('\n'));
    return (
      `<div class="code${info === 'bash aws' ? ' aws' : ''}"><div class="code-bar"><span class="code-label">${esc(label)}</span>` +
      `<button type="button" class="copy" aria-label="Copy to clipboard">Copy</button></div>` +
      `<pre><code class="language-${esc(lang || 'text')}">${body}</code></pre></div>\n`
    );
  };

  const defaultLinkOpen = rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  rules.link_open = (tokens, idx, options, env: RenderEnv, self) => {
    const href = tokens[idx].attrGet('href');
    if (href !== null) tokens[idx].attrSet('href', env.rewrite(href));
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  const defaultImage = rules.image!;
  rules.image = (tokens, idx, options, env: RenderEnv, self) => {
    const src = tokens[idx].attrGet('src');
    if (src !== null) tokens[idx].attrSet('src', env.asset(src));
    return defaultImage(tokens, idx, options, env, self);
  };

  rules.table_open = () => '<div class="table-wrap"><table>\n';
  rules.table_close = () => '</table></div>\n';
  return md;
}

const GENERATED_NOTES: Record<string, string> = {
  'capacity-model': 'Computed by labs/capacity-model.ts from this lab’s spec when the site was built.',
  'mapping-diff': 'Synthesized from the lab’s CDKTF stacks when the site was built.',
  'pipeline-diagram': 'Drawn by labs/diagram.ts from this lab’s spec when the site was built.',
};

/** A generated block in a captioned box; WORKSHOP.md's blocks are named `<kind>:<lab id>`. */
function captioned(name: string, body: string): string {
  const kind = name.split(':')[0];
  return [
    `<div class="generated" data-generated="${esc(kind)}">`,
    '',
    body,
    '',
    `<p class="generated-note">${esc(GENERATED_NOTES[kind] ?? 'Generated when the site was built.')}</p>`,
    '</div>',
  ].join('\n');
}

/** A lab README with its generated blocks re-rendered from the specs, each wrapped and captioned. */
function currentLabReadme(text: string, source: string, mappings: ReturnType<typeof synthesizedMappings>): string {
  const labId = source.split('/')[1];
  const lab = findLab(labId);
  if (!lab) throw new Error(`${source}: no LabSpec has the id ${labId} (labs/index.ts)`);
  return regenerate(text, lab, mappings, captioned);
}

function titleOf(md: MarkdownIt, text: string, fallback: string): string {
  const tokens = md.parse(text, {});
  const i = tokens.findIndex((t: Token) => t.type === 'heading_open' && t.tag === 'h1');
  return i >= 0 ? inlineText(tokens[i + 1]) : fallback;
}

const COPY_SCRIPT = `
// A link to a heading inside a folded solution opens the fold first.
const openFolded = () => {
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  for (let node = target; node; node = node.parentElement) if (node.tagName === 'DETAILS') node.open = true;
  if (target) target.scrollIntoView();
};
addEventListener('hashchange', openFolded);
addEventListener('DOMContentLoaded', openFolded);
document.addEventListener('click', async (event) => {
  const button = event.target.closest && event.target.closest('button.copy');
  if (!button) return;
  const code = button.closest('.code').querySelector('code');
  const text = code.innerText.replace(/\\n+$/, '') + '\\n';
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch (_) {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    try { copied = document.execCommand('copy'); } catch (_) { copied = false; }
    area.remove();
  }
  button.textContent = copied ? 'Copied' : 'Press Ctrl+C';
  button.classList.toggle('done', copied);
  if (!copied) { const range = document.createRange(); range.selectNodeContents(code); const sel = getSelection(); sel.removeAllRanges(); sel.addRange(range); }
  clearTimeout(button._reset);
  button._reset = setTimeout(() => { button.textContent = 'Copy'; button.classList.remove('done'); }, 1600);
});`;

function layout(options: { page: SitePage; body: string; toc: RenderEnv['toc']; menu: SitePage[]; siteTitle: string; builtAt: string }): string {
  const { page, body, toc, menu, siteTitle } = options;
  const href = (to: SitePage) => relativeHref(page.file, to.file);
  const index = menu.findIndex((p) => p.file === page.file);
  const prev = index > 0 ? menu[index - 1] : undefined;
  const next = index >= 0 && index < menu.length - 1 ? menu[index + 1] : undefined;
  const onPage = toc.filter((h) => h.level === 2);
  const isHome = page.file === 'index.html';
  const pager =
    index >= 0
      ? `<nav class="pager" aria-label="Previous and next">${prev ? `<a class="prev" rel="prev" href="${esc(href(prev))}"><small>Previous</small>${esc(prev.menu!)}</a>` : '<span></span>'}` +
        `${next ? `<a class="next" rel="next" href="${esc(href(next))}"><small>Next</small>${esc(next.menu!)}</a>` : '<span></span>'}</nav>`
      : `<nav class="pager" aria-label="Back"><a class="prev" href="${esc(href(menu[0]))}"><small>Back to</small>${esc(menu[0].menu!)}</a><span></span></nav>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(isHome ? siteTitle : `${page.title} · ${siteTitle}`)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${esc(relativeHref(page.file, 'style.css'))}">
</head>
<body>
<header class="top">
  <a class="brand" href="${esc(href(menu[0]))}">${esc(siteTitle)}</a>
  <span class="source">${esc(page.source)}</span>
</header>
<div class="layout">
<aside class="sidebar">
  <nav class="menu" aria-label="Guide">
    <h2>Guide</h2>
    <ol>
${menu.map((p) => `      <li${p.file === page.file ? ' class="current"' : ''}><a href="${esc(href(p))}"${p.file === page.file ? ' aria-current="page"' : ''}>${esc(p.menu!)}</a></li>`).join('\n')}
    </ol>
  </nav>
${
  onPage.length > 1
    ? `  <nav class="toc" aria-label="On this page">
    <h2>On this page</h2>
    <ol>
${onPage.map((h) => `      <li><a href="#${esc(h.id)}">${esc(h.text)}</a></li>`).join('\n')}
    </ol>
  </nav>`
    : ''
}
</aside>
<main class="content">
${body}
${pager}
</main>
</div>
<footer class="foot">Built from <code>${esc(page.source)}</code> by <code>npm run guide</code> on ${esc(options.builtAt)}. Works offline.</footer>
<script>${COPY_SCRIPT}
</script>
</body>
</html>
`;
}

/** A repo file that is not a guide page, as numbered plain text with a #L<n> anchor per line. */
function sourceBody(source: string, text: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  const rows = lines.map((line, i) => `<span class="line" id="L${i + 1}"><a class="ln" href="#L${i + 1}">${i + 1}</a>${esc(line) || ' '}</span>`).join(''); // each line is a block: no newline between them
  return `<h1 id="source">${esc(source)} <a class="anchor" href="#source" aria-label="Link to this section">#</a></h1>\n<p class="lede">A copy of <code>${esc(source)}</code> as it was when the site was built.</p>\n<div class="code source"><pre><code>${rows}</code></pre></div>`;
}

export async function buildSite(options: BuildOptions = {}): Promise<BuiltSite> {
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  const read = options.read ?? ((path: string) => readFileSync(join(REPO_ROOT, path), 'utf8'));
  const md = siteMarkdown();
  const builtAt = new Date()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', ' ');

  const workshopText = read('WORKSHOP.md');
  const siteTitle = titleOf(md, workshopText, 'Workshop');
  const menu: SitePage[] = [{ source: 'WORKSHOP.md', file: 'index.html', title: siteTitle, menu: 'Workshop guide' }];
  for (const source of labReadmes()) {
    const title = titleOf(md, read(source), source);
    menu.push({ source, file: `${posix.dirname(source)}/index.html`, title, menu: title.split(':')[0].trim() });
  }
  const mainPages = new Map(menu.map((p) => [p.source, p]));
  const mappings = synthesizedMappings();

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'style.css'), readFileSync(new URL('./site.css', import.meta.url), 'utf8'));

  const warnings: string[] = [];
  /** Images the pages show, by repo path; each is written at the same path under the site. */
  const assets = new Set<string>();
  const pages: SitePage[] = [];
  const queue: SitePage[] = [...menu];
  const queued = new Set(queue.map((p) => p.source));
  while (queue.length > 0) {
    const page = queue.shift()!;
    let text = read(page.source);
    const isMarkdown = page.source.endsWith('.md');
    if (page.source.startsWith('labs/') && page.source.endsWith('/README.md')) text = currentLabReadme(text, page.source, mappings);
    if (page.source === 'WORKSHOP.md') text = regenerateGuide(text, captioned);
    const env: RenderEnv = {
      page,
      slugger: new Slugger(),
      toc: [],
      headingIds: [],
      rewrite: (href) => {
        const resolved = resolveHref(page.source, href);
        if (resolved.external || resolved.target === '') return href;
        const where = `${page.source}: link ${href}`;
        if (resolved.target === undefined || !existsSync(join(REPO_ROOT, resolved.target))) {
          warnings.push(`${where} points to nothing in the repository`);
          return href;
        }
        if (statSync(join(REPO_ROOT, resolved.target)).isDirectory()) {
          warnings.push(`${where} points to a folder, which the site has no page for`);
          return href;
        }
        const target = resolved.target;
        if (target === FACILITATOR_SOURCE) {
          warnings.push(`${where} is the facilitator guide, which the site does not show participants: name it as inline code`);
          return href;
        }
        if (!queued.has(target)) {
          queued.add(target);
          queue.push({ source: target, file: sitePathFor(target, mainPages), title: target });
        }
        return relativeHref(page.file, sitePathFor(target, mainPages)) + (resolved.anchor !== undefined ? `#${resolved.anchor}` : '');
      },
      asset: (src) => {
        const resolved = resolveHref(page.source, src);
        if (resolved.external || !resolved.target) return src;
        if (!existsSync(join(REPO_ROOT, resolved.target)) || statSync(join(REPO_ROOT, resolved.target)).isDirectory()) {
          warnings.push(`${page.source}: image ${src} is no file in the repository`);
          return src;
        }
        assets.add(resolved.target);
        return relativeHref(page.file, resolved.target);
      },
    };
    const body = isMarkdown ? md.render(text, env) : sourceBody(page.source, text);
    if (isMarkdown && !mainPages.has(page.source)) page.title = titleOf(md, text, page.source);
    const file = join(outDir, page.file);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, layout({ page, body, toc: env.toc, menu, siteTitle, builtAt }));
    pages.push(page);
  }

  for (const asset of assets) {
    const file = join(outDir, asset);
    mkdirSync(dirname(file), { recursive: true });
    const diagram = currentDiagram(asset);
    if (diagram === undefined) copyFileSync(join(REPO_ROOT, asset), file);
    else writeFileSync(file, diagram);
  }

  const index = join(outDir, 'index.html');
  if (options.log ?? true) {
    console.log(`Site: ${displayPath(index)} (${menu.length} guide pages, ${pages.length - menu.length} linked repo files)`);
    console.log(`Open ${pathToFileURL(index).href}`);
    for (const w of warnings) console.log(`warning: ${w}`);
  }
  return { outDir, index, pages, warnings };
}

if (runsAsScript(import.meta.url)) {
  const site = await buildSite();
  process.exitCode = site.warnings.length === 0 ? 0 : 1;
}
