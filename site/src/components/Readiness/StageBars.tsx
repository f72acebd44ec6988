import { Bar, BarChart, CartesianGrid, Legend, XAxis, YAxis } from 'recharts';
import { stageSummary, type StageBar } from './bars.ts';
import { ChartFallback, useMounted } from './SkillBars.tsx';

export interface StageBarsProps {
  bars: StageBar[];
}

const ROW = 32;

/**
 * Completion per stage as stacked horizontal bars (recharts): the share
 * passed by the learner's own work, then the share passed only with the
 * revealed solution (a lighter, hatched-looking colour and its own legend
 * entry; the table beside the chart has the numbers).
 */
export default function StageBars({ bars }: StageBarsProps) {
  const mounted = useMounted();
  const label = `Completion per stage, passed by your own work and passed only with the revealed solution: ${stageSummary(bars)}`;
  if (!mounted) return <ChartFallback label={label} lines={bars.map((b) => `${b.title}: ${b.caption}`)} />;
  return (
    <div className="readiness-bars" role="img" aria-label={label} data-chart-rendered="stages">
      <BarChart
        layout="vertical"
        data={bars}
        responsive
        style={{ width: '100%', maxWidth: '46rem', height: bars.length * ROW + 72 }}
        margin={{ top: 4, right: 16, bottom: 4, left: 4 }}
        accessibilityLayer={false}
        barCategoryGap={6}
      >
        <CartesianGrid horizontal={false} strokeDasharray="3 3" />
        <XAxis type="number" domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} tickFormatter={(v: number) => `${v}%`} />
        <YAxis yAxisId="stage" type="category" dataKey="title" width={200} interval={0} tickLine={false} />
        {/* What each bar counts, beside it. */}
        <YAxis
          yAxisId="caption"
          orientation="right"
          type="category"
          dataKey="caption"
          width={200}
          interval={0}
          tickLine={false}
          axisLine={false}
        />
        <Bar
          yAxisId="stage"
          dataKey="own"
          name="passed by your own work"
          stackId="stage"
          className="bar-own"
          fill="#2f9a4c"
          isAnimationActive={false}
        />
        <Bar
          yAxisId="stage"
          dataKey="solution"
          name="passed only with the revealed solution (counts a quarter)"
          stackId="stage"
          className="bar-solution"
          fill="#d97706"
          isAnimationActive={false}
        />
        <Legend verticalAlign="bottom" wrapperStyle={{ fontSize: '0.85rem' }} />
      </BarChart>
    </div>
  );
}
