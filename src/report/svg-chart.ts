/** Minimal inline SVG charts, so a report needs no library and no network to be viewed. */

export interface Series {
  name: string;
  colour: string;
  points: [number, number][];
  /** Join the points with a line (else dots only). */
  line?: boolean;
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

const label = (v: number): string => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3))));

/** An x/y chart with axes, tick labels and a legend; every series is drawn with its own colour. */
export function svgChart(title: string, xLabel: string, yLabel: string, series: readonly Series[]): string {
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (all.length === 0) return `<figure><figcaption>${escapeXml(title)}</figcaption><p>no data</p></figure>`;
  const [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [y0, y1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  const sx = (x: number): number => PAD.left + ((x - x0) / (x1 - x0 || 1)) * (W - PAD.left - PAD.right);
  const sy = (y: number): number => H - PAD.bottom - ((y - y0) / (y1 - y0 || 1)) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [];
  for (const t of ticks(x0, x1)) parts.push(`<line x1="${sx(t)}" y1="${H - PAD.bottom}" x2="${sx(t)}" y2="${H - PAD.bottom + 4}" stroke="#555"/><text x="${sx(t)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${label(t)}</text>`);
  for (const t of ticks(y0, y1)) parts.push(`<line x1="${PAD.left - 4}" y1="${sy(t)}" x2="${W - PAD.right}" y2="${sy(t)}" stroke="#eee"/><text x="${PAD.left - 6}" y="${sy(t) + 4}" text-anchor="end">${label(t)}</text>`);
  parts.push(`<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#555"/><line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#555"/>`);
  parts.push(`<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 8}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (s.line && pts.length > 1) parts.push(`<polyline class="series" fill="none" stroke="${s.colour}" stroke-width="2" points="${pts.map(([x, y]) => `${sx(x)},${sy(y)}`).join(' ')}"/>`);
    for (const [x, y] of pts) parts.push(`<circle class="point" cx="${sx(x)}" cy="${sy(y)}" r="3" fill="${s.colour}"><title>${escapeXml(s.name)}: ${label(x)}, ${label(y)}</title></circle>`);
    parts.push(`<rect x="${W - PAD.right - 150}" y="${PAD.top + 14 * i}" width="10" height="10" fill="${s.colour}"/><text x="${W - PAD.right - 136}" y="${PAD.top + 9 + 14 * i}">${escapeXml(s.name)}</text>`);
  });
  return `<figure><figcaption>${escapeXml(title)}</figcaption><svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-size="11" font-family="sans-serif">${parts.join('')}</svg></figure>`;
}

export { escapeXml };
