/** An inline SVG sparkline of invocations (line) and errors (red bars), last bucket right. */
export function Sparkline({ values, errors, label }: { values: number[]; errors: number[]; label: string }) {
  const width = 96;
  const height = 28;
  const max = Math.max(1, ...values);
  // 2 px margins so the newest bucket (the right edge) is never clipped.
  const step = values.length > 1 ? (width - 4) / (values.length - 1) : width;
  const y = (v: number) => height - 2 - (v / max) * (height - 4);
  const line = values.map((v, i) => `${i ? 'L' : 'M'}${(2 + i * step).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const total = values.reduce((a, b) => a + b, 0);
  return (
    <svg class="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: ${total} invocations in the last 5 minutes`}>
      {errors.map((e, i) => (e > 0 ? <rect key={i} x={Math.max(0, 2 + i * step - 1.5)} y={y(e)} width={3} height={height - 2 - y(e)} class="spark-err" /> : null))}
      <path d={line} class="spark-line" />
    </svg>
  );
}
