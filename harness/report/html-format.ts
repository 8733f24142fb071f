// Escaping and number formatting for the HTML report. Formatting never uses the machine's
// locale, so the same RunReport renders byte for byte the same HTML everywhere.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element's content or a quoted attribute value. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** JSON that is safe inside <script>: no `</script>`, `<!--` or line separators can close it. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A fragment id from any text: lowercase letters, digits and dashes. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'lab'
  );
}

const DASH = '–';

function grouped(integer: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 12,345 (rounded); a dash for a missing value. */
export function fmtInt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return DASH;
  const r = Math.round(n);
  return (r < 0 ? '-' : '') + grouped(String(Math.abs(r)));
}

/** Up to `digits` decimals, trailing zeros dropped: 50.6, 1.04, 6,000. */
export function fmtNum(n: number | undefined, digits = 2): string {
  if (n === undefined || !Number.isFinite(n)) return DASH;
  const [whole, frac] = Math.abs(n).toFixed(digits).split('.');
  const trimmed = (frac ?? '').replace(/0+$/, '');
  const sign = n < 0 && Number(`${whole}.${trimmed || 0}`) !== 0 ? '-' : '';
  return sign + grouped(whole) + (trimmed ? `.${trimmed}` : '');
}

/** A duration: 0.42 ms, 3.4 ms, 312 ms, 2.4 s. */
export function fmtMs(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return DASH;
  if (Math.abs(n) >= 10_000) return `${fmtNum(n / 1000, 1)} s`;
  if (Math.abs(n) >= 1000) return `${fmtNum(n / 1000, 2)} s`;
  if (Math.abs(n) >= 10) return `${fmtInt(n)} ms`;
  return `${fmtNum(n, Math.abs(n) >= 1 ? 1 : 2)} ms`;
}

export function fmtPercent(part: number, whole: number): string {
  if (!Number.isFinite(part) || !Number.isFinite(whole) || whole === 0) return DASH;
  return `${fmtInt((part / whole) * 100)}%`;
}

/** Rounded for embedding in chart data: fewer bytes, same picture. */
export function round2(n: number | undefined): number | null {
  return n === undefined || !Number.isFinite(n) ? null : Math.round(n * 100) / 100;
}
