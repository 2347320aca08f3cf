import type { MachineEvent } from '../machine/events';
import type { CompareReport, CpuModeFacts, ModeSummary } from './report';
import { cpuCount, formatDuration, roundupCell } from './table';

/**
 * `--html FILE`: one self-contained page (inline CSS and SVG, no script, nothing fetched)
 * with the comparison table and, per mode, a timeline of the roundup with one lane per
 * CPU: SGI sent, interrupt taken, entered kgdb, timeout, late arrival, release. Time runs
 * on a log scale from the break-in (1 µs … seconds), so a pseudo-NMI roundup of a few µs
 * and a 1 s timeout both stay readable.
 */

const LANE_H = 14;
const LABEL_W = 150;
const PLOT_W = 760;
const TOP = 30;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Marker style per event kind (the legend lists the same). */
const MARKS: Record<string, { label: string; color: string; shape: 'tri' | 'dot' | 'sq' | 'dia' | 'bar' }> = {
  'sgi-sent': { label: 'roundup SGI sent (pending on this CPU)', color: '#888', shape: 'tri' },
  'irq-taken': { label: 'interrupt taken (IAR)', color: '#1f77b4', shape: 'dot' },
  'entered-master': { label: 'entered kgdb as master', color: '#2ca02c', shape: 'sq' },
  'entered-next-master': { label: 'entered kgdb (next master)', color: '#2ca02c', shape: 'sq' },
  'entered-slave': { label: 'entered kgdb (rounded up)', color: '#2ca02c', shape: 'sq' },
  'arrived-late': { label: 'arrived late (after the timeout)', color: '#ff7f0e', shape: 'dia' },
  'timed-out': { label: 'master timed out waiting', color: '#d62728', shape: 'bar' },
  released: { label: 'released', color: '#9467bd', shape: 'bar' },
};

/** x position for a time `us` after the break-in: log scale, 0 at 0.1 µs. */
function xScale(maxUs: number): (us: number) => number {
  const top = Math.log10(Math.max(maxUs, 10) / 0.1);
  return (us) => LABEL_W + (Math.log10(Math.max(us, 0.1) / 0.1) / top) * PLOT_W;
}

function marker(kind: string, x: number, y: number, title: string): string {
  const m = MARKS[kind];
  if (!m) return '';
  const t = `<title>${esc(title)}</title>`;
  const cls = `ev ev-${kind}`;
  switch (m.shape) {
    case 'tri':
      return `<path class="${cls}" d="M${x - 4},${y + 4} L${x + 4},${y + 4} L${x},${y - 4} Z" fill="${m.color}">${t}</path>`;
    case 'dot':
      return `<circle class="${cls}" cx="${x}" cy="${y}" r="3.5" fill="${m.color}">${t}</circle>`;
    case 'sq':
      return `<rect class="${cls}" x="${x - 4}" y="${y - 4}" width="8" height="8" fill="${m.color}">${t}</rect>`;
    case 'dia':
      return `<path class="${cls}" d="M${x},${y - 5} L${x + 5},${y} L${x},${y + 5} L${x - 5},${y} Z" fill="${m.color}">${t}</path>`;
    case 'bar':
      return `<rect class="${cls}" x="${x - 1}" y="${y - 6}" width="3" height="12" fill="${m.color}">${t}</rect>`;
  }
}

function eventLane(e: MachineEvent): number {
  return e.kind === 'sgi-sent' && e.target !== undefined ? e.target : e.cpu;
}

/** One mode's timeline: a lane per CPU (class "lane", data-cpu), markers on it. */
function timeline(m: ModeSummary, rows: CpuModeFacts[]): string {
  const t0 = Math.min(m.breakInUs, m.enteredUs ?? Infinity);
  const end = Math.max(m.releasedUs ?? 0, ...m.events.map((e) => e.timeUs), m.stopUs) - t0;
  // The axis ends at the decade above the last event, so its last tick marks the right edge.
  const top = 10 ** Math.ceil(Math.log10(Math.max(end, 10) * 1.05));
  const x = xScale(top);
  const h = TOP + rows.length * LANE_H + 24;
  const parts: string[] = [];
  parts.push(`<svg class="timeline" data-mode="${m.mode}" xmlns="http://www.w3.org/2000/svg" width="${LABEL_W + PLOT_W + 20}" height="${h}" role="img" aria-label="${m.mode} roundup timeline">`);
  // Time axis: decades from 1 µs.
  for (let us = 1; us <= top; us *= 10) {
    const xx = x(us).toFixed(1);
    parts.push(`<line class="tick" x1="${xx}" x2="${xx}" y1="${TOP - 6}" y2="${h - 20}" stroke="#eee"/>`);
    parts.push(`<text class="tick-label" x="${xx}" y="${TOP - 10}" text-anchor="middle">${esc(formatDuration(us).replace('.00 ', ' ').replace('.0 ', ' ').replace('.000 ', ' '))}</text>`);
  }
  rows.forEach((f, cpu) => {
    const y = TOP + cpu * LANE_H + LANE_H / 2;
    const never = f.outcome === 'not-rounded-up';
    const late = f.outcome === 'arrived-late';
    const label = `CPU ${cpu}${never ? ' never arrived' : late ? ' late' : ''}`;
    parts.push(
      `<g class="lane${never ? ' never' : late ? ' late' : ''}" data-cpu="${cpu}" data-outcome="${f.outcome}">` +
        `<text class="lane-label" x="4" y="${y + 4}">${esc(label)}</text>` +
        `<line x1="${LABEL_W}" x2="${LABEL_W + PLOT_W}" y1="${y}" y2="${y}" stroke="${never ? '#f3c0c0' : '#ddd'}"/>`,
    );
    for (const e of m.events) {
      if (eventLane(e) !== cpu || e.kind === 'timed-out' || e.kind === 'released') continue;
      const title = `CPU ${cpu}: ${e.kind}${e.intid !== undefined ? ` INTID ${e.intid}` : ''}${e.takenAs ? ` (${e.takenAs})` : ''} at +${formatDuration(e.timeUs - t0)}`;
      parts.push(marker(e.kind, x(e.timeUs - t0), y, title));
    }
    // The timeout and the release concern every CPU still held or missing: mark them on each lane.
    for (const e of m.events) {
      if (e.kind !== 'timed-out' && e.kind !== 'released') continue;
      if (e.kind === 'timed-out' && !(e.cpus ?? []).includes(cpu)) continue;
      parts.push(marker(e.kind, x(e.timeUs - t0), y, `CPU ${cpu}: ${e.kind} at +${formatDuration(e.timeUs - t0)}`));
    }
    parts.push('</g>');
  });
  parts.push(`<text x="${LABEL_W}" y="${h - 6}" class="axis-label">machine time after the break-in (SysRq-g), log scale</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

function legend(): string {
  const items = Object.entries(MARKS)
    .filter(([k]) => k !== 'entered-next-master' && k !== 'entered-master')
    .map(([k, m]) => `<svg width="14" height="14" aria-hidden="true">${marker(k, 7, 7, m.label)}</svg> ${esc(m.label)}`);
  return `<p class="legend">${items.join(' &nbsp; ')}</p>`;
}

function table(r: CompareReport): string {
  const head = ['CPU', 'doing at break-in (NMI run)', 'doing at break-in (IPI run)', 'IRQs masked by (NMI / IPI)', 'NMI roundup', 'IPI roundup', 'top frames (NMI run)', 'top frames (IPI run)'];
  const rows = r.rows.map((row) => {
    const cls = [row.nmi.outcome, row.ipi.outcome].some((o) => o === 'not-rounded-up') ? ' class="missing"' : '';
    const frames = (f: CpuModeFacts): string =>
      (f.doing.source === 'real-registers' ? '<em>[real registers]</em> ' : '') + esc(f.frames.slice(0, 4).map((fr) => fr.text).join(' ← '));
    const cells = [
      String(row.cpu),
      esc(row.nmi.doing.symbol),
      esc(row.ipi.doing.symbol),
      esc(`${row.nmi.doing.irqsMaskedBy} / ${row.ipi.doing.irqsMaskedBy}`),
      esc(roundupCell(row.nmi)) + (row.nmi.why ? `<br><small>${esc(row.nmi.why)}</small>` : ''),
      esc(roundupCell(row.ipi)) + (row.ipi.why ? `<br><small>${esc(row.ipi.why)}</small>` : ''),
      frames(row.nmi),
      frames(row.ipi),
    ];
    return `<tr${cls}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<table class="cpus"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** The page. */
export function renderHtml(r: CompareReport): string {
  const title = `kgdb-lab compare: ${r.scenario}, ${cpuCount(r.cpus)}`;
  const summary = (m: ModeSummary): string =>
    `<li><b>${m.mode === 'nmi' ? 'pseudo-NMI roundup' : 'regular-IPI fallback'}</b>: master CPU ${m.masterCpu}; ` +
    (m.notRoundedUp.length ? `not rounded up: CPU ${m.notRoundedUp.join(', ')}` : 'every CPU rounded up') +
    (m.timedOutUs !== null ? `; timed out after ${esc(formatDuration(m.timedOutUs - Math.min(m.breakInUs, m.enteredUs ?? Infinity)))}` : '') +
    (m.arrivedLate.length ? `; arrived late: CPU ${m.arrivedLate.join(', ')}` : '') +
    '</li>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
table.cpus { border-collapse: collapse; font-size: 12px; }
table.cpus th, table.cpus td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
tr.missing td { background: #fdecec; }
svg.timeline text { font: 11px monospace; }
g.lane.never text.lane-label { fill: #d62728; font-weight: bold; }
g.lane.late text.lane-label { fill: #ff7f0e; font-weight: bold; }
.legend { font-size: 12px; }
.legend svg { vertical-align: middle; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p>Both runs boot the same guest under <code>--icount ${r.icountShift}</code> and break in with SysRq-g at the same machine time,
${esc(formatDuration(r.breakInUs))} (${r.afterMs} ms after the steady line); roundup timeout ${r.roundupTimeoutMs} ms.</p>
<ul>${summary(r.modes.nmi)}${summary(r.modes.ipi)}</ul>
${table(r)}
<h2>Roundup with the pseudo-NMI</h2>
${legend()}
${timeline(r.modes.nmi, r.rows.map((x) => x.nmi))}
<h2>Roundup with the regular-IPI fallback</h2>
${timeline(r.modes.ipi, r.rows.map((x) => x.ipi))}
</body>
</html>
`;
}
