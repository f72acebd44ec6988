import { useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, XAxis, YAxis } from 'recharts';
import { percent } from './chart.ts';
import { skillSummary, type SkillBar } from './bars.ts';

export interface SkillBarsProps {
  bars: SkillBar[];
}

const ROW = 32;

/**
 * Readiness per skill as a horizontal bar chart (recharts). Until it has
 * hydrated (and without JavaScript) it shows the same numbers as a list;
 * screen readers get one sentence with every score.
 */
export default function SkillBars({ bars }: SkillBarsProps) {
  const mounted = useMounted();
  const label = `Readiness per skill, ranked by how often employers ask for it: ${skillSummary(bars)}`;
  if (!mounted) return <ChartFallback label={label} lines={bars.map((b) => `${b.label}: ${percent(b.score)}`)} />;
  return (
    <div className="readiness-bars" role="img" aria-label={label} data-chart-rendered="skills">
      <BarChart
        layout="vertical"
        data={bars.map((b) => ({ ...b, value: percent(b.score) }))}
        responsive
        style={{ width: '100%', maxWidth: '46rem', height: bars.length * ROW + 40 }}
        margin={{ top: 4, right: 4, bottom: 4, left: 4 }}
        accessibilityLayer={false}
        barCategoryGap={6}
      >
        <CartesianGrid horizontal={false} strokeDasharray="3 3" />
        <XAxis type="number" domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} tickFormatter={(v: number) => `${v}%`} />
        <YAxis yAxisId="skill" type="category" dataKey="label" width={250} interval={0} tickLine={false} />
        {/* The score beside each bar, zero included. */}
        <YAxis
          yAxisId="value"
          orientation="right"
          type="category"
          dataKey="value"
          width={48}
          interval={0}
          tickLine={false}
          axisLine={false}
          className="bar-value"
        />
        <Bar yAxisId="skill" dataKey="score" className="bar-own" fill="#2f9a4c" isAnimationActive={false} />
      </BarChart>
    </div>
  );
}

/** True after the first client render: recharts measures the page, so it draws only in the browser. */
export function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

/** What the server renders in the chart's place: the numbers, in words. */
export function ChartFallback({ label, lines }: { label: string; lines: string[] }) {
  return (
    <div className="readiness-bars-fallback" aria-label={label} role="img">
      <ul aria-hidden="true">
        {lines.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
    </div>
  );
}
