// Disease situation (D1): episodes and distinct patients by ICD-10 chapter, group or code, by
// month (line), top diagnoses, per commune (map when boundaries exist), and the NCD registers.
import { Stack, Table, Text } from '@mantine/core';
import { formatNumber } from '../../shared/format.ts';
import { useT } from '../../shared/i18n.tsx';
import { CommuneMap } from './CommuneMap.tsx';
import { CountBars, MonthLines } from './ReportCharts.tsx';
import { FilteredReport, ReportHeader, type FilterField } from './ReportFrame.tsx';
import { chartValue, countText, type Catalogue, type DiseaseAnswer, type DiseaseCounts, type Filters } from './report-api.ts';

const PATH = '/api/reports/diseases';

export function DiseaseReport({ catalogue }: { catalogue: Catalogue }) {
  const t = useT();
  const options = (list: { code: string; label: string }[]) => list.map((x) => ({ value: x.code, label: x.label }));
  const fields: FilterField[] = [
    { name: 'period', label: 'reports.period', kind: 'text', help: 'reports.periodHelp' },
    { name: 'unit', label: 'reports.unit', kind: 'text', help: 'reports.unitHelp' },
    { name: 'level', label: 'reports.level', kind: 'select', options: (['chapter', 'group', 'code'] as const).map((l) => ({ value: l, label: t(`reports.level.${l}`) })) },
    { name: 'care', label: 'reports.care', kind: 'select', options: options(catalogue.values.care) },
    { name: 'sex', label: 'reports.sex', kind: 'select', options: options(catalogue.values.sex) },
    { name: 'ageBand', label: 'reports.ageBand', kind: 'select', options: options(catalogue.values.ageBand) },
    { name: 'group', label: 'reports.group', kind: 'select', options: options(catalogue.values.group) },
    { name: 'facility', label: 'reports.facility', kind: 'text' },
  ];
  return <FilteredReport<DiseaseAnswer> path={PATH} fields={fields} initial={{ period: String(new Date().getFullYear()), level: 'chapter' }} view={(answer, filters) => <DiseaseView answer={answer} filters={filters} />} />;
}

function DiseaseView({ answer, filters }: { answer: DiseaseAnswer; filters: Filters }) {
  const t = useT();
  const levelName = t(`reports.level.${answer.level}`).toLowerCase();
  const bars = answer.byKey.slice(0, 25).map((r) => ({ name: r.key || '—', inpatient: chartValue(r.inpatientEpisodes), outpatient: chartValue(r.outpatientEpisodes) }));
  const months = answer.byMonth.map((m) => ({ month: m.month, episodes: chartValue(m.episodes), patients: chartValue(m.patients), inpatient: chartValue(m.inpatientEpisodes) }));
  return (
    <Stack gap="md">
      <ReportHeader answer={answer} path={PATH} filters={filters} extra={answer.source === 'facts' ? <Text size="xs" c="dimmed">{t('reports.source.facts')}</Text> : undefined} />
      <CountBars
        title={t('reports.chart.diseases', { level: levelName })}
        testId="chart-diseases"
        data={bars}
        series={[
          { key: 'outpatient', name: t('reports.col.outpatient') },
          { key: 'inpatient', name: t('reports.col.inpatient') },
        ]}
      />
      <MonthLines
        title={t('reports.chart.months')}
        testId="chart-months"
        data={months}
        series={[
          { key: 'episodes', name: t('reports.col.episodes') },
          { key: 'patients', name: t('reports.col.patients') },
          { key: 'inpatient', name: t('reports.col.inpatient') },
        ]}
      />
      <Text fw={600}>{t('reports.chart.top')}</Text>
      <CountsTable rows={answer.top.map((r) => ({ ...r, label: `${r.key} ${r.name}` }))} testId="top-table" />
      <CountsTable rows={answer.byKey.map((r) => ({ ...r, label: `${r.key} ${r.name}` }))} testId="disease-table" total={answer.total} />
      {filters.by !== 'district' && answer.byUnit.length > 0 && (
        <CommuneMap title={t('reports.col.episodes')} relative values={new Map(answer.byUnit.map((u) => [u.unit, chartValue(u.episodes)]))} />
      )}
      <Text fw={600}>{t('reports.ncd')}</Text>
      <Table withTableBorder striped data-testid="ncd-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('reports.col.programme')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.known')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.managed')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.recentVisit')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.controlled')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {answer.ncd.map((n) => (
            <Table.Tr key={n.programme}>
              <Table.Td>{n.name}</Table.Td>
              <Table.Td ta="right">{countText(n.known, formatNumber)}</Table.Td>
              <Table.Td ta="right">{countText(n.managed, formatNumber)}</Table.Td>
              <Table.Td ta="right">{countText(n.recentVisit, formatNumber)}</Table.Td>
              <Table.Td ta="right">{countText(n.controlled, formatNumber)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed">
        {t('reports.suppressed')}
      </Text>
    </Stack>
  );
}

function CountsTable({ rows, total, testId }: { rows: (DiseaseCounts & { label: string })[]; total?: DiseaseCounts; testId: string }) {
  const t = useT();
  const line = (r: DiseaseCounts, label: string, strong = false) => (
    <Table.Tr key={label} fw={strong ? 700 : undefined}>
      <Table.Td>{label}</Table.Td>
      <Table.Td ta="right">{countText(r.episodes, formatNumber)}</Table.Td>
      <Table.Td ta="right">{countText(r.patients, formatNumber)}</Table.Td>
      <Table.Td ta="right">{countText(r.inpatientEpisodes, formatNumber)}</Table.Td>
      <Table.Td ta="right">{countText(r.outpatientEpisodes, formatNumber)}</Table.Td>
    </Table.Tr>
  );
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table withTableBorder striped data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('reports.col.name')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.episodes')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.patients')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.inpatient')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.outpatient')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => line(r, r.label))}
          {total && line(total, t('reports.total'), true)}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
