// Choropleth of communes, drawn when the operator has added a boundary file
// (GET /api/reports/boundaries, see docs/reports.md); otherwise a note says the table holds
// the figures. The colour is the rate given per commune code, or for counts (`relative`) the
// count against the largest one.
import { Alert, Card, Group, Text } from '@mantine/core';
import { api, ApiError } from '../../shared/api.ts';
import { formatNumber } from '../../shared/format.ts';
import { useT } from '../../shared/i18n.tsx';
import { useAsync } from '../../shared/ui.tsx';
import { percentText } from './report-api.ts';
import { projectCommunes, rateColor, type BoundaryFeature } from './geo.ts';

export function CommuneMap({ values, title, relative = false }: { values: Map<string, number | null>; title: string; relative?: boolean }) {
  const t = useT();
  const [state] = useAsync(
    (signal) =>
      api.get<{ features?: BoundaryFeature[] }>('/api/reports/boundaries', signal).then(
        (geo) => projectCommunes(geo.features ?? []),
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 404) return null;
          throw err;
        },
      ),
    [],
  );
  if (state.status === 'loading') return null;
  if (state.status === 'error' || state.data === null || state.data.shapes.length === 0) {
    return (
      <Alert variant="light" color="gray" data-testid="no-map">
        {t('reports.noMap')}
      </Alert>
    );
  }
  const { shapes, width, height } = state.data;
  const max = relative ? Math.max(1, ...[...values.values()].map((v) => v ?? 0)) : 1;
  const label = (v: number | null | undefined) => (v === null || v === undefined ? '—' : relative ? formatNumber(v) : percentText(v));
  return (
    <Card withBorder padding="sm" data-testid="commune-map">
      <Group justify="space-between" mb="xs">
        <Text fw={600} size="sm">
          {t('reports.map')} — {title}
        </Text>
        <Text size="xs" c="dimmed">
          {t('reports.mapLegend')}
        </Text>
      </Group>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={`${t('reports.map')} — ${title}`} style={{ maxHeight: 480 }}>
        {shapes.map((s) => {
          const v = values.get(s.code);
          return (
            <path key={s.code} d={s.path} fill={rateColor(v === null || v === undefined ? v : v / max)} stroke="#495057" strokeWidth={0.5} data-commune={s.code}>
              <title>{`${s.name}: ${label(v)}`}</title>
            </path>
          );
        })}
      </svg>
    </Card>
  );
}
