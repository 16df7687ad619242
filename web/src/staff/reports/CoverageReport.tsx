// Coverage (D1): residents with a record and with health data per commune or old district,
// against the 80 % and 95 % targets — bars, a map of communes when boundaries exist, a table.
import { Badge, Stack, Table } from '@mantine/core';
import { formatNumber } from '../../shared/format.ts';
import { useT } from '../../shared/i18n.tsx';
import { CommuneMap } from './CommuneMap.tsx';
import { RateBars } from './ReportCharts.tsx';
import { FilteredReport, ReportHeader, type FilterField } from './ReportFrame.tsx';
import { percentText, type Catalogue, type CoverageAnswer, type CoverageRow, type Filters } from './report-api.ts';

const PATH = '/api/reports/coverage';

export function CoverageReport({ catalogue }: { catalogue: Catalogue }) {
  const t = useT();
  const options = (list: { code: string; label: string }[]) => list.map((x) => ({ value: x.code, label: x.label }));
  const fields: FilterField[] = [
    { name: 'unit', label: 'reports.unit', kind: 'text', help: 'reports.unitHelp' },
    { name: 'by', label: 'reports.by', kind: 'select', options: [{ value: 'commune', label: t('reports.by.commune') }, { value: 'district', label: t('reports.by.district') }] },
    { name: 'group', label: 'reports.group', kind: 'select', options: options(catalogue.values.group) },
    { name: 'sex', label: 'reports.sex', kind: 'select', options: options(catalogue.values.sex) },
    { name: 'ageBand', label: 'reports.ageBand', kind: 'select', options: options(catalogue.values.ageBand) },
  ];
  return <FilteredReport<CoverageAnswer> path={PATH} fields={fields} initial={{ by: 'commune' }} view={(answer, filters) => <CoverageView answer={answer} filters={filters} />} />;
}

function CoverageView({ answer, filters }: { answer: CoverageAnswer; filters: Filters }) {
  const t = useT();
  const rows = answer.rows.filter((r) => r.population > 0 || r.registered > 0);
  const targets = answer.targets.map((x, i) => ({ rate: x.rate, label: t(i === 0 ? 'reports.target80' : 'reports.target95') }));
  const byCommune = filters.by !== 'district';
  return (
    <Stack gap="md">
      <ReportHeader answer={answer} path={PATH} filters={filters} />
      <RateBars title={t('reports.chart.coverage')} testId="chart-coverage" targets={targets} data={rows.map((r) => ({ name: r.name, value: r.coverage ?? 0 }))} />
      {byCommune && <CommuneMap title={t('reports.col.coverage')} values={new Map(rows.map((r) => [r.unit, r.coverage]))} />}
      <CoverageTable rows={rows} total={answer.total} testId="coverage-table" />
      <RateBars title={t('reports.chart.byGroup')} testId="chart-groups" targets={targets} data={answer.byGroup.filter((g) => g.population > 0).map((g) => ({ name: g.name, value: g.coverage ?? 0 }))} />
    </Stack>
  );
}

function CoverageTable({ rows, total, testId }: { rows: CoverageRow[]; total: CoverageRow; testId: string }) {
  const t = useT();
  const line = (r: CoverageRow, strong = false) => (
    <Table.Tr key={r.unit + r.name} fw={strong ? 700 : undefined}>
      <Table.Td>{strong ? `${t('reports.total')}: ${r.name}` : r.name}</Table.Td>
      <Table.Td ta="right">{formatNumber(r.population)}</Table.Td>
      <Table.Td ta="right">{formatNumber(r.registered)}</Table.Td>
      <Table.Td ta="right">{formatNumber(r.withData)}</Table.Td>
      <Table.Td ta="right">{formatNumber(r.updated12m)}</Table.Td>
      <Table.Td ta="right">{formatNumber(r.verified)}</Table.Td>
      <Table.Td ta="right">{formatNumber(r.withAccount)}</Table.Td>
      <Table.Td ta="right">{percentText(r.coverage)}</Table.Td>
      <Table.Td>
        <Badge size="sm" variant="light" color={r.meets95 ? 'green' : r.meets80 ? 'yellow' : 'red'} tt="none">
          {t(r.meets95 ? 'reports.meets95' : r.meets80 ? 'reports.meets80' : 'reports.below')}
        </Badge>
      </Table.Td>
    </Table.Tr>
  );
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table striped withTableBorder data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('reports.col.unit')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.population')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.registered')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.withData')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.updated12m')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.verified')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.withAccount')}</Table.Th>
            <Table.Th ta="right">{t('reports.col.coverage')}</Table.Th>
            <Table.Th>{t('reports.col.target')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => line(r))}
          {line(total, true)}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
