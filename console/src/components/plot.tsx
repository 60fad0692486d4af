import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface PlotSeries { label: string; values: Array<number | null>; color: string; dash?: number[] }

const HEIGHT = 200;

/** A uPlot chart over 10 s buckets (x: bucket start, ms); resizes with its container. */
export function Plot({ title, t, series, unit }: { title: string; t: number[]; series: PlotSeries[]; unit: string }) {
  const holder = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const data = () => [t.map((x) => x / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData;
  useEffect(() => {
    const el = holder.current!;
    const opts: uPlot.Options = {
      width: Math.max(260, el.clientWidth),
      height: HEIGHT,
      scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(1, max ?? min ?? 1) * 1.1] } },
      axes: [{ stroke: '#555' }, { stroke: '#555', label: unit, size: 56 }],
      // Points as well as lines: a lone busy bucket between quiet ones still shows.
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dash, points: { show: true, size: 5, fill: s.color } }))],
      legend: { live: true },
    };
    chart.current = new uPlot(opts, data(), el);
    const resize = new ResizeObserver(() => chart.current?.setSize({ width: Math.max(260, el.clientWidth), height: HEIGHT }));
    resize.observe(el);
    return () => { resize.disconnect(); chart.current?.destroy(); chart.current = null; };
  }, [series.length, unit]);
  useEffect(() => { chart.current?.setData(data()); }, [t, series]);
  return (
    <figure class="plot">
      <figcaption>{title}</figcaption>
      <div ref={holder} role="img" aria-label={title} />
    </figure>
  );
}
