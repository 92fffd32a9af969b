import type { Widget } from './dashboard-widgets';
import { widgetContents, widgetKind } from './dashboard-widgets';

/** CloudWatch's dashboard grid: 24 columns; a widget's x, y, width and height are in grid units. */
const COLUMNS = 24;
const UNIT_X = 40;
const UNIT_Y = 32;
const MARGIN = 16;
const HEADER = 40;
const GAP = 4;

/** Average glyph widths of the sans-serif fonts below, for cutting lines to fit (no font metrics in a plain SVG). */
const CHAR_WIDTH = { title: 7.6, body: 6.4 } as const;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `text` cut to what fits in `width` pixels at `charWidth` per character, ending in `…` when cut. */
function fit(text: string, width: number, charWidth: number): string {
  const max = Math.floor(width / charWidth);
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** One widget: its box where the grid puts it, its title, what kind it is, and what it draws. */
function widgetSvg(widget: Widget): string {
  const x = MARGIN + widget.x * UNIT_X + GAP;
  const y = HEADER + MARGIN + widget.y * UNIT_Y + GAP;
  const width = widget.width * UNIT_X - 2 * GAP;
  const height = widget.height * UNIT_Y - 2 * GAP;
  const inner = width - 24;
  const fill = widget.type === 'log' ? '#f3f6ee' : widget.properties.view === 'singleValue' ? '#fdf6e7' : '#eef4fa';
  const lines = [
    `<rect x="${x}" y="${y}" width="${width}" height="${height}" rx="6" fill="${fill}" stroke="#8a96a3"/>`,
    `<text x="${x + 12}" y="${y + 24}" class="title">${escape(fit(widget.properties.title, inner, CHAR_WIDTH.title))}</text>`,
    `<text x="${x + 12}" y="${y + 44}" class="kind">${escape(widgetKind(widget))}</text>`,
  ];
  const room = Math.floor((height - 64) / 16);
  const contents = widgetContents(widget);
  // Too many for a line each (a row of numbers): on one line.
  const shown = contents.length > room ? [contents.join(' · ')] : contents;
  shown.forEach((line, i) => lines.push(`<text x="${x + 12}" y="${y + 66 + i * 16}" class="body">${escape(fit(line, inner, CHAR_WIDTH.body))}</text>`));
  return lines.map((line) => `  ${line}`).join('\n');
}

/**
 * The dashboard's layout as a plain SVG: each widget's box on CloudWatch's 24-column grid, with its title, its kind
 * and what it draws. Deterministic, so a test can tell when the committed picture no longer matches the template.
 */
export function renderDashboardSvg(widgets: readonly Widget[]): string {
  const rows = Math.max(0, ...widgets.map((widget) => widget.y + widget.height));
  const width = 2 * MARGIN + COLUMNS * UNIT_X;
  const height = HEADER + 2 * MARGIN + rows * UNIT_Y;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    '  <style>.title { font-size: 14px; font-weight: bold; fill: #1b2733; } .kind { font-size: 12px; fill: #5a6b7b; font-style: italic; } .body { font-size: 11px; fill: #33424f; } .header { font-size: 15px; fill: #1b2733; }</style>',
    `  <rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `  <text x="${MARGIN}" y="${MARGIN + 16}" class="header">pg-rotator's CloudWatch dashboard: the widgets of the synthesized DashboardBody (npm run dashboard:picture)</text>`,
    ...widgets.map(widgetSvg),
    '</svg>',
    '',
  ].join('\n');
}
