// The report charts (recharts, as the record's trend charts): bars of a rate per unit with the
// province's targets drawn across, bars of counts, and monthly lines. Every chart has a title
// read by screen readers; the numbers themselves are always in a table beside it.
import { Card, Text } from '@mantine/core';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber } from '../../shared/format.ts';

const BLUE = '#1c7ed6';
const COLORS = [BLUE, '#e8590c', '#2f9e44', '#9c36b5'];
const pct = (v: number) => `${Math.round(v * 100)}%`;

function Frame({ title, testId, height, children }: { title: string; testId: string; height: number; children: React.ReactElement }) {
  return (
    <Card withBorder padding="sm" data-testid={testId} role="figure" aria-label={title}>
      <Text fw={600} size="sm" mb="xs">
        {title}
      </Text>
      <div style={{ width: '100%', height }}>
        <ResponsiveContainer width="100%" height="100%">
          {children}
        </ResponsiveContainer>
      </div>
    </Card>
  );
}

/** A rate (0–1) per category, with horizontal lines at the targets. */
export function RateBars({ title, testId, data, targets }: { title: string; testId: string; data: { name: string; value: number }[]; targets: { rate: number; label: string }[] }) {
  return (
    <Frame title={title} testId={testId} height={Math.max(240, Math.min(420, 160 + data.length * 4))}>
      <BarChart data={data} margin={{ top: 10, right: 16, bottom: 40, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="name" fontSize={11} interval={data.length > 20 ? 'preserveStartEnd' : 0} angle={-30} textAnchor="end" height={60} />
        <YAxis fontSize={12} width={44} domain={[0, 1]} tickFormatter={pct} />
        <Tooltip formatter={(v) => pct(Number(v))} />
        <Bar dataKey="value" name={title} fill={BLUE} isAnimationActive={false} />
        {targets.map((t, i) => (
          <ReferenceLine key={t.rate} y={t.rate} stroke={i === 0 ? '#f59f00' : '#2f9e44'} strokeDasharray="6 3" label={{ value: t.label, position: 'insideTopRight', fontSize: 11 }} />
        ))}
      </BarChart>
    </Frame>
  );
}

/** Counts per category (one or more series). */
export function CountBars({ title, testId, data, series }: { title: string; testId: string; data: Record<string, string | number>[]; series: { key: string; name: string }[] }) {
  return (
    <Frame title={title} testId={testId} height={280}>
      <BarChart data={data} margin={{ top: 10, right: 16, bottom: 40, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="name" fontSize={11} angle={-30} textAnchor="end" height={60} interval={0} />
        <YAxis fontSize={12} width={52} tickFormatter={(v: number) => formatNumber(v)} />
        <Tooltip formatter={(v) => formatNumber(Number(v))} />
        {series.length > 1 && <Legend />}
        {series.map((s, i) => (
          <Bar key={s.key} dataKey={s.key} name={s.name} fill={COLORS[i % COLORS.length]} stackId={series.length > 1 ? 'stack' : undefined} isAnimationActive={false} />
        ))}
      </BarChart>
    </Frame>
  );
}

/** Monthly lines (x: mm/yyyy). */
export function MonthLines({ title, testId, data, series }: { title: string; testId: string; data: Record<string, string | number>[]; series: { key: string; name: string }[] }) {
  return (
    <Frame title={title} testId={testId} height={260}>
      <LineChart data={data} margin={{ top: 10, right: 16, bottom: 5, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="month" fontSize={12} tickFormatter={(m: string) => `${m.slice(5, 7)}/${m.slice(0, 4)}`} />
        <YAxis fontSize={12} width={52} tickFormatter={(v: number) => formatNumber(v)} />
        <Tooltip formatter={(v) => formatNumber(Number(v))} />
        <Legend />
        {series.map((s, i) => (
          <Line key={s.key} type="monotone" dataKey={s.key} name={s.name} stroke={COLORS[i % COLORS.length]} strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
        ))}
      </LineChart>
    </Frame>
  );
}
