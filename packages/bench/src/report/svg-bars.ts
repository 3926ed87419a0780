/** A grouped bar chart as an inline SVG string: groups along x (levels), one bar per series (runs). */

export interface BarSeries {
  readonly name: string;
  readonly values: readonly number[];
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export function barChart(
  title: string,
  groups: readonly string[],
  series: readonly BarSeries[],
  max = 1,
): string {
  const W = 360;
  const H = 200;
  const left = 34;
  const bottom = 24;
  const top = 22;
  const plotW = W - left - 8;
  const plotH = H - top - bottom;
  const gw = plotW / Math.max(1, groups.length);
  const bw = (gw * 0.8) / Math.max(1, series.length);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 16 * Math.ceil(series.length / 2)}" role="img" aria-label="${esc(title)}">`,
  );
  parts.push(
    `<text x="${W / 2}" y="14" text-anchor="middle" font-size="12" font-weight="bold">${esc(title)}</text>`,
  );
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    const y = top + plotH - (plotH * k) / 4;
    parts.push(`<line x1="${left}" x2="${W - 8}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${left - 4}" y="${y + 4}" text-anchor="end" font-size="9">${max === 1 ? v.toFixed(2) : v.toFixed(0)}</text>`,
    );
  }
  groups.forEach((g, i) => {
    const gx = left + i * gw + gw * 0.1;
    series.forEach((s, j) => {
      const v = Math.max(0, Math.min(max, s.values[i] ?? 0));
      const h = (plotH * v) / max;
      parts.push(
        `<rect x="${(gx + j * bw).toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${(bw * 0.92).toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[j % PALETTE.length]}"><title>${esc(s.name)} ${esc(g)}: ${(s.values[i] ?? 0).toFixed(3)}</title></rect>`,
      );
    });
    parts.push(
      `<text x="${left + i * gw + gw / 2}" y="${top + plotH + 14}" text-anchor="middle" font-size="10">${esc(g)}</text>`,
    );
  });
  series.forEach((s, j) => {
    const x = 8 + (j % 2) * (W / 2);
    const y = H + 8 + 16 * Math.floor(j / 2);
    parts.push(
      `<rect x="${x}" y="${y - 8}" width="10" height="10" fill="${PALETTE[j % PALETTE.length]}"/>`,
    );
    parts.push(`<text x="${x + 14}" y="${y + 1}" font-size="10">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
