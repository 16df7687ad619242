// Trend charts for repeated measurements (blood pressure, glucose, HbA1c, weight, BMI).
import { Card, Text } from '@mantine/core';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDate, formatNumber } from './format.ts';
import type { SeriesPoint } from './record.ts';

export interface ChartLine {
  name: string;
  points: SeriesPoint[];
  color: string;
}

export function TrendChart({ title, unit, lines, testId }: { title: string; unit: string; lines: ChartLine[]; testId?: string }) {
  const byDate = new Map<string, Record<string, number | string>>();
  for (const line of lines) {
    for (const p of line.points) {
      const key = p.date.slice(0, 10);
      const row = byDate.get(key) ?? { date: key };
      row[line.name] = p.value;
      byDate.set(key, row);
    }
  }
  const data = [...byDate.values()].sort((a, b) => String(a.date).localeCompare(String(b.date)));
  return (
    <Card withBorder padding="sm" data-testid={testId} aria-label={title}>
      <Text fw={600} size="sm" mb="xs">
        {title} ({unit})
      </Text>
      <div style={{ width: '100%', height: 220 }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 5, right: 16, bottom: 5, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="date" tickFormatter={(d: string) => formatDate(d)} fontSize={12} />
            <YAxis fontSize={12} width={44} domain={['auto', 'auto']} tickFormatter={(v: number) => formatNumber(v)} />
            <Tooltip labelFormatter={(d) => formatDate(String(d))} formatter={(v) => formatNumber(Number(v))} />
            {lines.length > 1 && <Legend />}
            {lines.map((l) => (
              <Line key={l.name} type="monotone" dataKey={l.name} stroke={l.color} strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} connectNulls />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </Card>
  );
}
