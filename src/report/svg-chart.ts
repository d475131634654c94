/** Minimal inline SVG charts, so a report needs no library and no network to be viewed. */

export interface Series {
  name: string;
  colour: string;
  points: [number, number][];
  /** Join the points with a line (else dots only). */
  line?: boolean;
  /** Draw a mark at each point; default true (false for reference lines). */
  dots?: boolean;
}

const W = 520;
const H = 320;
const PAD = { left: 62, right: 16, top: 16, bottom: 44 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

function ticks(lo: number, hi: number, n = 5): number[] {
  if (hi === lo) return [lo];
  return Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
}

const label = (v: number, digits = 3): string => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(digits - 2) : String(Number(v.toPrecision(digits))));

/** Tick labels with as many digits as it takes to tell neighbours apart (a narrow range needs more than 3). */
function tickLabels(values: readonly number[]): string[] {
  for (let digits = 3; digits < 10; digits++) {
    const labels = values.map((v) => label(v, digits));
    if (new Set(labels).size === labels.length) return labels;
  }
  return values.map((v) => label(v, 10));
}

/**
 * The legend goes into the corner of the plot that covers the fewest points (drawn in pixels); its backing is
 * translucent so that what it still covers shows through.
 */
function legendBox(entries: number, points: readonly [number, number][]): { x: number; y: number; width: number; height: number } {
  const [width, height] = [154, 14 * entries + 6];
  const [left, right, top, bottom] = [PAD.left + 4, W - PAD.right - width, PAD.top - 4, H - PAD.bottom - height - 4];
  const corners = [[right, top], [left, top], [right, bottom], [left, bottom]];
  const covered = ([x, y]: number[]): number => points.filter(([px, py]) => px >= x - 4 && px <= x + width + 4 && py >= y - 4 && py <= y + height + 4).length;
  const [x, y] = corners.reduce((best, c) => (covered(c) < covered(best) ? c : best));
  return { x, y, width, height };
}

/** An x/y chart with axes, tick labels and a legend; every series is drawn with its own colour. */
export function svgChart(title: string, xLabel: string, yLabel: string, series: readonly Series[]): string {
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (all.length === 0) return `<figure><figcaption>${escapeXml(title)}</figcaption><p>no data</p></figure>`;
  const [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [y0, y1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  const sx = (x: number): number => PAD.left + ((x - x0) / (x1 - x0 || 1)) * (W - PAD.left - PAD.right);
  const sy = (y: number): number => H - PAD.bottom - ((y - y0) / (y1 - y0 || 1)) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [];
  const [xTicks, yTicks] = [ticks(x0, x1), ticks(y0, y1)];
  const [xLabels, yLabels] = [tickLabels(xTicks), tickLabels(yTicks)];
  xTicks.forEach((t, i) => parts.push(`<line x1="${sx(t)}" y1="${H - PAD.bottom}" x2="${sx(t)}" y2="${H - PAD.bottom + 4}" stroke="#555"/><text x="${sx(t)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${xLabels[i]}</text>`));
  yTicks.forEach((t, i) => parts.push(`<line x1="${PAD.left - 4}" y1="${sy(t)}" x2="${W - PAD.right}" y2="${sy(t)}" stroke="#eee"/><text x="${PAD.left - 6}" y="${sy(t) + 4}" text-anchor="end">${yLabels[i]}</text>`));
  parts.push(`<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#555"/><line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#555"/>`);
  parts.push(`<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 8}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`);
  const box = legendBox(series.length, all.map(([x, y]) => [sx(x), sy(y)]));
  const legend: string[] = [];
  series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (s.line && pts.length > 1) parts.push(`<polyline class="series" fill="none" stroke="${s.colour}" stroke-width="2" points="${pts.map(([x, y]) => `${sx(x)},${sy(y)}`).join(' ')}"/>`);
    if (s.dots !== false) for (const [x, y] of pts) parts.push(`<circle class="point" cx="${sx(x)}" cy="${sy(y)}" r="3" fill="${s.colour}"><title>${escapeXml(s.name)}: ${label(x)}, ${label(y)}</title></circle>`);
    legend.push(`<rect x="${box.x + 4}" y="${box.y + 4 + 14 * i}" width="10" height="10" fill="${s.colour}"/><text x="${box.x + 18}" y="${box.y + 13 + 14 * i}">${escapeXml(s.name)}</text>`);
  });
  parts.push(`<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" fill="#fff" fill-opacity="0.8"/>`, ...legend);
  return `<figure><figcaption>${escapeXml(title)}</figcaption><svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-size="11" font-family="sans-serif">${parts.join('')}</svg></figure>`;
}

export { escapeXml };
