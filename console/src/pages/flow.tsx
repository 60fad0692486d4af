import type { Overview } from '../types';

interface Node { id: string; label: string; sub: string; col: 0 | 1 | 2 }
interface Edge { from: string; to: string; perSecond: number; count: number }

const COL_X = [20, 380, 740];
const NODE_W = 240;
const NODE_H = 44;
const GAP = 18;

function sourceLabel(id: string): [string, string] {
  const source = id.slice('source:'.length);
  const arn = /^arn:aws[\w-]*:([\w-]+):[^:]*:[^:]*:(.+)$/.exec(source);
  if (arn) return [arn[2].replace(/^(stream|rule)\//, ''), arn[1]];
  return [source.replace(/^triggerhub:/, ''), source.startsWith('triggerhub:') ? 'triggerhub' : 'source'];
}

/** Nodes and edges: sources seen in the window (and idle mappings), every function, destinations and the DLQ. */
function graph(overview: Overview): { nodes: Node[]; edges: Edge[] } {
  const nodes = new Map<string, Node>();
  const add = (node: Node) => { if (!nodes.has(node.id)) nodes.set(node.id, node); };
  const edges: Edge[] = [];
  for (const f of overview.functions) add({ id: `fn:${f.function}`, label: f.function, sub: `${f.state} · ${f.invocations} inv.`, col: 1 });
  for (const e of overview.flow.edges) {
    if (e.from.startsWith('source:')) {
      const [label, sub] = sourceLabel(e.from);
      add({ id: e.from, label, sub, col: 0 });
    }
    if (e.to.startsWith('dest:')) add({ id: e.to, label: e.to.split(':').slice(2).join(':'), sub: `destination of ${e.to.split(':')[1]}`, col: 2 });
    if (e.from === 'dlq') add({ id: 'dlq-in', label: 'redrive', sub: 'from the DLQ', col: 0 });
    // A function's destination that is another function: drawn to a right-hand copy of it.
    const fnToFn = e.from.startsWith('fn:') && e.to.startsWith('fn:');
    if (fnToFn) add({ id: `${e.to}#dest`, label: e.to.slice(3), sub: 'function destination', col: 2 });
    edges.push({ from: e.from === 'dlq' ? 'dlq-in' : e.from, to: fnToFn ? `${e.to}#dest` : e.to, perSecond: e.perSecond, count: e.count });
  }
  for (const f of overview.functions) {
    for (const s of f.sources) {
      if (!edges.some((e) => e.to === `fn:${f.function}` && e.from.startsWith('source:'))) {
        add({ id: `mapping:${s.id}`, label: s.kind, sub: `${s.id} · ${s.state}`, col: 0 });
        edges.push({ from: `mapping:${s.id}`, to: `fn:${f.function}`, perSecond: 0, count: 0 });
      }
    }
  }
  const dead = overview.functions.reduce((n, f) => n + f.dlqRecords, 0);
  add({ id: 'dlq', label: 'Dead-letter queue', sub: `${dead} ${dead === 1 ? 'record' : 'records'}`, col: 2 });
  return { nodes: [...nodes.values()], edges };
}

export function FlowPage({ overview }: { overview: Overview | null }) {
  if (!overview) return <p class="loading">Loading…</p>;
  const { nodes, edges } = graph(overview);
  const pos = new Map<string, { x: number; y: number }>();
  const rows = [0, 0, 0];
  for (const node of nodes) {
    pos.set(node.id, { x: COL_X[node.col], y: 40 + rows[node.col] * (NODE_H + GAP) });
    rows[node.col] += 1;
  }
  const height = 60 + Math.max(...rows) * (NODE_H + GAP);
  const cols = new Map(nodes.map((n) => [n.id, n.col]));
  // Labels beside one function's box stack upwards (two sources into one function).
  const stacked = new Map<string, number>();
  /**
   * Where an edge's rate goes: beside the function it enters or leaves, on that function's row
   * (halfway along, fifty edges fanning out of one source put their labels on each other's strokes).
   */
  const ratePlace = (e: Edge, x1: number, y1: number, x2: number, y2: number) => {
    const into = cols.get(e.to) === 1;
    const side = into ? `in:${e.to}` : cols.get(e.from) === 1 ? `out:${e.from}` : null;
    if (!side) return { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 6, anchor: 'middle' };
    const k = stacked.get(side) ?? 0;
    stacked.set(side, k + 1);
    return into ? { x: x2 - 6, y: y2 - 5 - 12 * k, anchor: 'end' } : { x: x1 + 6, y: y1 - 5 - 12 * k, anchor: 'start' };
  };
  const max = Math.max(0.1, ...edges.map((e) => e.perSecond));
  return (
    <>
      <h1>Live flow</h1>
      <p class="muted">Events per second over the last {Math.round(overview.flow.windowSeconds)} s, on every hub of this Redis: sources → functions → destinations and the DLQ. Dashed: no events in the window.</p>
      <div class="flow-wrap">
        <svg class="flow" viewBox={`0 0 1000 ${height}`} role="img" aria-labelledby="flow-desc">
          <desc id="flow-desc">{edges.map((e) => `${e.from} to ${e.to}: ${e.perSecond} per second`).join('; ')}</desc>
          <text x={COL_X[0]} y={22} class="col-title">Sources</text>
          <text x={COL_X[1]} y={22} class="col-title">Functions</text>
          <text x={COL_X[2]} y={22} class="col-title">Destinations / DLQ</text>
          {edges.map((e) => {
            const a = pos.get(e.from);
            const b = pos.get(e.to);
            if (!a || !b) return null;
            const x1 = a.x + NODE_W; const y1 = a.y + NODE_H / 2; const x2 = b.x; const y2 = b.y + NODE_H / 2;
            const mid = (x1 + x2) / 2;
            const width = e.perSecond > 0 ? 1.5 + (5 * e.perSecond) / max : 1;
            return (
              <g key={`${e.from}>${e.to}`} class={`edge ${e.perSecond > 0 ? 'active' : 'idle'} ${e.to === 'dlq' ? 'to-dlq' : ''}`} data-edge={`${e.from}>${e.to}`}>
                <path d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`} style={{ strokeWidth: width }} />
                {e.count > 0 ? (() => {
                  const at = ratePlace(e, x1, y1, x2, y2);
                  return <text x={at.x} y={at.y} class="rate" style={{ textAnchor: at.anchor }}>{e.perSecond}/s</text>;
                })() : null}
              </g>
            );
          })}
          {nodes.map((n) => {
            const p = pos.get(n.id)!;
            const fn = n.col === 1 ? n.id.slice(3) : null;
            const box = (
              <g class={`node col-${n.col} ${n.id === 'dlq' ? 'dlq' : ''}`} data-node={n.id}>
                <title>{n.label}</title>
                <rect x={p.x} y={p.y} width={NODE_W} height={NODE_H} rx={6} />
                {/* Its own viewport clips the text to the box (wide letters fill it in fewer characters); the title has it all. */}
                <svg x={p.x} y={p.y} width={NODE_W - 6} height={NODE_H}>
                  <text x={10} y={18} class="label">{n.label.length > 30 ? `${n.label.slice(0, 29)}…` : n.label}</text>
                  <text x={10} y={35} class="sub">{n.sub.length > 38 ? `${n.sub.slice(0, 37)}…` : n.sub}</text>
                </svg>
              </g>
            );
            if (fn) return <a key={n.id} href={`#/functions/${encodeURIComponent(fn)}`}>{box}</a>;
            if (n.id === 'dlq') return <a key={n.id} href="#/dlq">{box}</a>;
            return <g key={n.id}>{box}</g>;
          })}
        </svg>
      </div>
    </>
  );
}
