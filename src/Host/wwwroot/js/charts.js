// Charts drawn as inline SVG: a half-circle gauge with its target, grouped bars, a heat map and mirrored bars.
import { s } from './dom.js';
import { pct, count } from './format.js';

const COLORS = { red: '#b71c1c', ok: '#1b7f3b', bad: '#c0262d', track: '#eceef2', target: '#1f2430', inProvince: '#1f5fa8', outOfProvince: '#c99a2e', outflow: '#1f5fa8', inflow: '#c05f11' };

const clamp01 = x => Math.max(0, Math.min(1, x));

function arcPoint(cx, cy, r, fraction) {
  const angle = Math.PI * (1 - fraction);
  return [cx + r * Math.cos(angle), cy - r * Math.sin(angle)];
}

function arc(cx, cy, r, from, to) {
  const [x1, y1] = arcPoint(cx, cy, r, from);
  const [x2, y2] = arcPoint(cx, cy, r, to);
  return `M ${x1.toFixed(2)} ${y1.toFixed(2)} A ${r} ${r} 0 0 1 ${x2.toFixed(2)} ${y2.toFixed(2)}`;
}

/**
 * A half-circle gauge of a rate (0–1) with the target marked by a tick; green when the target is met, red when not,
 * the party red when there is no target. `testid` goes on the value text, with the raw value in data-value.
 */
export function gauge(value, target, testid) {
  const cx = 65, cy = 72, r = 52;
  const has = value !== null && value !== undefined;
  const color = target === null || target === undefined ? COLORS.red : (has && value >= target ? COLORS.ok : COLORS.bad);
  const parts = [s('path', { d: arc(cx, cy, r, 0, 1), fill: 'none', stroke: COLORS.track, 'stroke-width': 12, 'stroke-linecap': 'round' })];
  if (has && value > 0)
    parts.push(s('path', { d: arc(cx, cy, r, 0, clamp01(value)), fill: 'none', stroke: color, 'stroke-width': 12, 'stroke-linecap': 'round' }));
  if (target !== null && target !== undefined) {
    const [x1, y1] = arcPoint(cx, cy, r - 11, clamp01(target));
    const [x2, y2] = arcPoint(cx, cy, r + 11, clamp01(target));
    parts.push(s('line', { x1, y1, x2, y2, stroke: COLORS.target, 'stroke-width': 3 },
      s('title', {}, `目标 target ${pct(target)}`)));
  }
  parts.push(s('text', { x: cx, y: cy - 6, 'text-anchor': 'middle', 'font-size': 20, 'font-weight': 600, fill: '#1f2430', 'data-testid': testid, 'data-value': has ? value : '' }, pct(value)));
  parts.push(s('text', { x: cx - r, y: cy + 13, 'text-anchor': 'middle', 'font-size': 9, fill: '#98a2b3' }, '0'));
  parts.push(s('text', { x: cx + r, y: cy + 13, 'text-anchor': 'middle', 'font-size': 9, fill: '#98a2b3' }, '100%'));
  return s('svg', { viewBox: '0 0 130 86', role: 'img' }, parts);
}

/**
 * In-province vs out-of-province: for each metric two bars (0–100%), each with its own target tick when there is one.
 * rows: [{ label, inValue, outValue, inTarget, outTarget, key }]
 */
export function inOutBars(rows) {
  const labelW = 118, barW = 330, rowH = 46, top = 8, width = labelW + barW + 64;
  const height = top + rows.length * rowH + 22;
  const x = v => labelW + clamp01(v) * barW;
  const parts = [];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(s('line', { x1: x(tick), x2: x(tick), y1: top - 4, y2: height - 18, stroke: '#eceef2' }));
    parts.push(s('text', { x: x(tick), y: height - 5, 'text-anchor': 'middle', 'font-size': 10, fill: '#98a2b3' }, `${tick * 100}%`));
  }
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    parts.push(s('text', { x: 0, y: y + 22, 'font-size': 12, fill: '#1f2430' }, row.label));
    const bar = (value, dy, color, target, testid, name) => {
      const has = value !== null && value !== undefined;
      parts.push(s('rect', { x: labelW, y: y + dy, width: barW, height: 14, fill: '#f5f6f8', rx: 3 }));
      if (has) parts.push(s('rect', { x: labelW, y: y + dy, width: Math.max(1, clamp01(value) * barW), height: 14, fill: color, rx: 3 },
        s('title', {}, `${name} ${pct(value)}`)));
      parts.push(s('text', { x: labelW + barW + 6, y: y + dy + 11, 'font-size': 11, fill: '#344054', 'data-testid': testid, 'data-value': has ? value : '' }, pct(value)));
      if (target !== null && target !== undefined)
        parts.push(s('line', { x1: x(target), x2: x(target), y1: y + dy - 3, y2: y + dy + 17, stroke: COLORS.target, 'stroke-width': 2.5 },
          s('title', {}, `目标 target ${pct(target)}`)));
    };
    bar(row.inValue, 4, COLORS.inProvince, row.inTarget, `inprov-${row.key}`, '省内 in-province');
    bar(row.outValue, 22, COLORS.outOfProvince, row.outTarget, `outprov-${row.key}`, '省外 out-of-province');
  });
  return s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'data-testid': 'inout-chart' }, parts);
}

function heat(fraction) {
  // White → deep red, on a square-root scale so that small flows still show.
  const f = Math.sqrt(clamp01(fraction));
  const from = [255, 245, 240], to = [153, 0, 13];
  const c = from.map((v, i) => Math.round(v + (to[i] - v) * f));
  return { fill: `rgb(${c[0]},${c[1]},${c[2]})`, dark: f > 0.55 };
}

/**
 * A heat map: rows are outflow regions, columns inflow regions, the colour the number of members; totals at the
 * ends. rows/cols: [{ key, label }]; value(rowKey, colKey) → number.
 */
export function heatmap(rows, cols, value, rowTotal, colTotal) {
  const labelW = 104, headH = 78, cell = Math.max(26, Math.min(46, Math.floor(520 / Math.max(1, cols.length)))), cellH = 24;
  const width = labelW + cols.length * cell + 56, height = headH + rows.length * cellH + 30;
  let max = 0;
  for (const r of rows) for (const c of cols) max = Math.max(max, value(r.key, c.key));
  const parts = [];
  cols.forEach((c, j) => {
    const cx = labelW + j * cell + cell / 2;
    parts.push(s('text', { x: cx, y: headH - 6, 'font-size': 11, fill: '#344054', transform: `rotate(-45 ${cx} ${headH - 6})` },
      c.label, s('title', {}, c.title || c.label)));
  });
  parts.push(s('text', { x: labelW + cols.length * cell + 8, y: headH - 6, 'font-size': 11, fill: '#667085' }, '合计'));
  rows.forEach((r, i) => {
    const y = headH + i * cellH;
    parts.push(s('text', { x: labelW - 6, y: y + 16, 'text-anchor': 'end', 'font-size': 11, fill: '#344054' }, r.label, s('title', {}, r.title || r.label)));
    cols.forEach((c, j) => {
      const v = value(r.key, c.key);
      const { fill, dark } = heat(max ? v / max : 0);
      const x = labelW + j * cell;
      parts.push(s('rect', {
        x: x + 1, y: y + 1, width: cell - 2, height: cellH - 2, rx: 3, fill: v ? fill : '#f7f8fa',
        'data-testid': v ? 'flow-cell' : null, 'data-from': r.key, 'data-to': c.key, 'data-value': v,
      }, s('title', {}, `${r.title || r.label} → ${c.title || c.label}: ${count(v)} 人`)));
      if (v) parts.push(s('text', { x: x + cell / 2, y: y + 16, 'text-anchor': 'middle', 'font-size': 10, fill: dark ? '#fff' : '#1f2430' }, count(v)));
    });
    parts.push(s('text', { x: labelW + cols.length * cell + 8, y: y + 16, 'font-size': 11, 'font-weight': 600, fill: '#1f2430' }, count(rowTotal(r.key))));
  });
  const yTot = headH + rows.length * cellH + 18;
  parts.push(s('text', { x: labelW - 6, y: yTot, 'text-anchor': 'end', 'font-size': 11, fill: '#667085' }, '合计'));
  cols.forEach((c, j) => parts.push(s('text', { x: labelW + j * cell + cell / 2, y: yTot, 'text-anchor': 'middle', 'font-size': 10, 'font-weight': 600, fill: '#1f2430' }, count(colTotal(c.key)))));
  return s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'data-testid': 'flows-heatmap' }, parts);
}

/**
 * Each side's actions, mirrored: the outflow side's bars grow left, the inflow side's right, the action in the middle.
 * rows: [{ key, label, outflow, inflow }]
 */
export function mirrorBars(rows) {
  const side = 210, mid = 130, rowH = 26, top = 24, width = side * 2 + mid;
  const height = top + rows.length * rowH + 6;
  const max = Math.max(1, ...rows.flatMap(r => [r.outflow, r.inflow]));
  const scale = v => (v / max) * (side - 44);
  const parts = [
    s('text', { x: side - 4, y: 14, 'text-anchor': 'end', 'font-size': 12, 'font-weight': 600, fill: COLORS.outflow }, '◀ 流出地 Outflow side'),
    s('text', { x: side + mid + 4, y: 14, 'font-size': 12, 'font-weight': 600, fill: COLORS.inflow }, '流入地 Inflow side ▶'),
  ];
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const wo = scale(r.outflow), wi = scale(r.inflow);
    parts.push(s('rect', { x: side - wo, y: y + 4, width: Math.max(wo, 0.5), height: 16, rx: 3, fill: COLORS.outflow }));
    parts.push(s('text', { x: side - wo - 5, y: y + 16, 'text-anchor': 'end', 'font-size': 11, fill: '#1f2430', 'data-testid': `side-outflow-${r.key}`, 'data-value': r.outflow }, count(r.outflow)));
    parts.push(s('text', { x: side + mid / 2, y: y + 16, 'text-anchor': 'middle', 'font-size': 12, fill: '#344054' }, r.label));
    parts.push(s('rect', { x: side + mid, y: y + 4, width: Math.max(wi, 0.5), height: 16, rx: 3, fill: COLORS.inflow }));
    parts.push(s('text', { x: side + mid + wi + 5, y: y + 16, 'font-size': 11, fill: '#1f2430', 'data-testid': `side-inflow-${r.key}`, 'data-value': r.inflow }, count(r.inflow)));
  });
  return s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'data-testid': 'side-actions' }, parts);
}
