// Data arrival (D1): per facility, records received and rejected, episodes stored and the
// last arrival, with the episodes per day as a small bar series.
import { Stack, Table } from '@mantine/core';
import { Bar, BarChart } from 'recharts';
import { formatDateTime, formatNumber } from '../../shared/format.ts';
import { useT } from '../../shared/i18n.tsx';
import { Empty } from '../../shared/ui.tsx';
import { FilteredReport, ReportHeader, type FilterField } from './ReportFrame.tsx';
import { type ArrivalsAnswer, type Filters } from './report-api.ts';

const PATH = '/api/reports/arrivals';

export function ArrivalsReport() {
  const fields: FilterField[] = [
    { name: 'days', label: 'reports.days', kind: 'text' },
    { name: 'facility', label: 'reports.facility', kind: 'text' },
  ];
  return <FilteredReport<ArrivalsAnswer> path={PATH} fields={fields} initial={{ days: '30' }} view={(answer, filters) => <ArrivalsView answer={answer} filters={filters} />} />;
}

function ArrivalsView({ answer, filters }: { answer: ArrivalsAnswer; filters: Filters }) {
  const t = useT();
  return (
    <Stack gap="md">
      <ReportHeader answer={answer} path={PATH} filters={filters} />
      {answer.facilities.length === 0 ? (
        <Empty />
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table withTableBorder striped data-testid="arrivals-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('reports.col.facility')}</Table.Th>
                <Table.Th>{t('reports.col.lastArrival')}</Table.Th>
                <Table.Th ta="right">{t('reports.col.received')}</Table.Th>
                <Table.Th ta="right">{t('reports.col.rejected')}</Table.Th>
                <Table.Th ta="right">{t('reports.col.stored')}</Table.Th>
                <Table.Th>{t('reports.col.perDay')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {answer.facilities.map((f) => (
                <Table.Tr key={f.facility}>
                  <Table.Td>{f.name ? `${f.facility ? `${f.facility} · ` : ''}${f.name}` : f.facility}</Table.Td>
                  <Table.Td>{formatDateTime(f.lastArrival)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(f.received)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(f.rejected)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(f.storedEpisodes)}</Table.Td>
                  <Table.Td>
                    <BarChart width={140} height={28} data={f.perDay} aria-hidden>
                      <Bar dataKey="storedEpisodes" fill="#1c7ed6" isAnimationActive={false} />
                    </BarChart>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
