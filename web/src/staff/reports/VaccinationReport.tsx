// Vaccination coverage (D1): for a birth cohort, the share of children fully vaccinated with
// each expanded-programme series (bars), and the per-unit table.
import { Group, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { formatNumber } from '../../shared/format.ts';
import { useT } from '../../shared/i18n.tsx';
import { Empty } from '../../shared/ui.tsx';
import { RateBars } from './ReportCharts.tsx';
import { FilteredReport, ReportHeader, type FilterField } from './ReportFrame.tsx';
import { chartValue, countText, percentText, type Filters, type VaccinationAnswer } from './report-api.ts';

const PATH = '/api/reports/vaccination';

export function VaccinationReport() {
  const t = useT();
  const fields: FilterField[] = [
    { name: 'unit', label: 'reports.unit', kind: 'text', help: 'reports.unitHelp' },
    { name: 'by', label: 'reports.by', kind: 'select', options: [{ value: 'commune', label: t('reports.by.commune') }, { value: 'district', label: t('reports.by.district') }] },
  ];
  return <FilteredReport<VaccinationAnswer> path={PATH} fields={fields} initial={{}} view={(answer, filters) => <VaccinationView answer={answer} filters={filters} />} />;
}

function VaccinationView({ answer, filters }: { answer: VaccinationAnswer; filters: Filters }) {
  const t = useT();
  const years = [...new Set(answer.totals.map((r) => r.birthYear))].sort((a, b) => b - a);
  const [year, setYear] = useState<string>(String(years[1] ?? years[0] ?? ''));
  if (years.length === 0) return <Empty />;
  const totals = answer.totals.filter((r) => String(r.birthYear) === year);
  const rows = answer.rows.filter((r) => String(r.birthYear) === year);
  return (
    <Stack gap="md">
      <ReportHeader answer={answer} path={PATH} filters={filters} />
      <Group>
        <Select label={t('reports.birthYear')} data={years.map(String)} value={year} onChange={(v) => setYear(v ?? year)} allowDeselect={false} w={160} />
      </Group>
      <RateBars
        title={t('reports.chart.vaccination', { year })}
        testId="chart-vaccination"
        targets={[{ rate: 0.95, label: t('reports.target95') }]}
        data={totals.map((r) => ({ name: r.vaccineName, value: chartValue(r.coverage) }))}
      />
      <Table.ScrollContainer minWidth={640}>
        <Table withTableBorder striped data-testid="vaccination-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('reports.col.unit')}</Table.Th>
              <Table.Th>{t('reports.col.vaccine')}</Table.Th>
              <Table.Th ta="right">{t('reports.col.cohort')}</Table.Th>
              <Table.Th ta="right">{t('reports.col.firstDose')}</Table.Th>
              <Table.Th ta="right">{t('reports.col.complete')}</Table.Th>
              <Table.Th ta="right">{t('reports.col.coverage')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...rows, ...totals].map((r) => (
              <Table.Tr key={`${r.unit}|${r.name}|${r.vaccine}`}>
                <Table.Td>{r.name}</Table.Td>
                <Table.Td>{r.vaccineName}</Table.Td>
                <Table.Td ta="right">{countText(r.cohort, formatNumber)}</Table.Td>
                <Table.Td ta="right">{countText(r.firstDose, formatNumber)}</Table.Td>
                <Table.Td ta="right">{countText(r.complete, formatNumber)}</Table.Td>
                <Table.Td ta="right">{percentText(r.coverage)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Text size="xs" c="dimmed">
        {t('reports.suppressed')}
      </Text>
    </Stack>
  );
}
