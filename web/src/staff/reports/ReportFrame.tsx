// What every report shows around its figures: the filter form, the as-of time and pending
// changes, and the Excel/CSV downloads of the same URL.
import { Button, Card, Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../../shared/api.ts';
import { formatDateTime, formatNumber } from '../../shared/format.ts';
import { useT, type MessageKey } from '../../shared/i18n.tsx';
import { ErrorAlert, Loading, useAsync } from '../../shared/ui.tsx';
import { reportUrl, type Filters, type Freshness } from './report-api.ts';

export type FilterField =
  | { name: string; label: MessageKey; kind: 'text'; help?: MessageKey }
  | { name: string; label: MessageKey; kind: 'select'; options: { value: string; label: string }[] };

/** A report: its filter form, then the answer of `path` for the applied filters, drawn by `view`. */
export function FilteredReport<T>({ path, fields, initial, view }: { path: string; fields: FilterField[]; initial: Filters; view: (answer: T, filters: Filters) => ReactNode }) {
  const [filters, setFilters] = useState<Filters>(initial);
  const [state, reload] = useAsync((signal) => api.get<T>(reportUrl(path, filters), signal), [filters]);
  return (
    <Stack gap="md">
      <FilterForm fields={fields} initial={filters} onApply={setFilters} />
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {state.status === 'ready' && view(state.data, filters)}
    </Stack>
  );
}

/** Filters edited in a form and applied together (one request per "Xem báo cáo"). */
export function FilterForm({ fields, initial, onApply }: { fields: FilterField[]; initial: Filters; onApply: (f: Filters) => void }) {
  const t = useT();
  const [draft, setDraft] = useState<Filters>(initial);
  const set = (name: string, value: string) => setDraft((d) => ({ ...d, [name]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  return (
    <Card withBorder padding="sm" component="form" onSubmit={submit} aria-label={t('reports.filters')}>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
        {fields.map((f) =>
          f.kind === 'text' ? (
            <TextInput key={f.name} label={t(f.label)} description={f.help ? t(f.help) : undefined} value={draft[f.name] ?? ''} onChange={(e) => set(f.name, e.currentTarget.value)} />
          ) : (
            <Select
              key={f.name}
              label={t(f.label)}
              data={[{ value: '', label: t('reports.any') }, ...f.options]}
              value={draft[f.name] ?? ''}
              onChange={(v) => set(f.name, v ?? '')}
              allowDeselect={false}
            />
          ),
        )}
      </SimpleGrid>
      <Group mt="sm">
        <Button type="submit">{t('reports.apply')}</Button>
      </Group>
    </Card>
  );
}

/** As-of time, pending changes and download buttons of one report answer. */
export function ReportHeader({ answer, path, filters, extra }: { answer: Freshness; path: string; filters: Filters; extra?: ReactNode }) {
  const t = useT();
  return (
    <Group justify="space-between" align="center" wrap="wrap">
      <div>
        <Text size="sm" data-testid="as-of">
          {answer.asOf ? t('reports.asOf', { time: formatDateTime(answer.asOf) }) : t('reports.asOfNever')}
        </Text>
        {answer.pendingChanges > 0 && (
          <Text size="xs" c="dimmed" data-testid="pending">
            {t('reports.pending', { n: formatNumber(answer.pendingChanges) })}
          </Text>
        )}
        {extra}
      </div>
      <Group gap="xs">
        <Button component="a" href={reportUrl(path, filters, 'xlsx')} download variant="light" size="xs" data-testid="download-xlsx">
          {t('reports.downloadXlsx')}
        </Button>
        <Button component="a" href={reportUrl(path, filters, 'csv')} download variant="default" size="xs" data-testid="download-csv">
          {t('reports.downloadCsv')}
        </Button>
      </Group>
    </Group>
  );
}
