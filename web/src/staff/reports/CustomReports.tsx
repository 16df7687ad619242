// Custom reports (D2): the caller's saved and shared reports, run as a table with downloads;
// administrators and managers compose one from the documented dimensions and measures, save
// it and share it by user name. Only aggregates come back (small cells as "<5").
import { Alert, Button, Card, Group, MultiSelect, SegmentedControl, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api } from '../../shared/api.ts';
import { formatNumber } from '../../shared/format.ts';
import { useT, type MessageKey } from '../../shared/i18n.tsx';
import { Empty, ErrorAlert, Loading, useAsync } from '../../shared/ui.tsx';
import { useSession } from '../session.tsx';
import { ReportHeader } from './ReportFrame.tsx';
import type { Catalogue, CustomAnswer, CustomDefinition } from './report-api.ts';

export function CustomReports({ catalogue }: { catalogue: Catalogue }) {
  const t = useT();
  const { session } = useSession();
  const canCompose = session.actor.role === 'admin' || session.actor.role === 'manager';
  const [state, reload] = useAsync((signal) => api.get<{ reports: CustomDefinition[] }>('/api/reports/custom', signal), []);
  const [running, setRunning] = useState<string | undefined>();
  return (
    <Stack gap="md">
      <Title order={3} size="h4">
        {t('reports.custom.mine')}
      </Title>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {state.status === 'ready' &&
        (state.data.reports.length === 0 ? (
          <Empty>{t('reports.custom.none')}</Empty>
        ) : (
          <Stack gap="xs" data-testid="custom-list">
            {state.data.reports.map((r) => (
              <Card key={r.id} withBorder padding="xs">
                <Group justify="space-between">
                  <Text fw={600}>{r.name}</Text>
                  <Group gap="xs">
                    {r.ownerId === session.actor.userId && <ShareForm id={r.id} />}
                    <Button size="xs" onClick={() => setRunning(r.id)}>
                      {t('reports.custom.run')}
                    </Button>
                  </Group>
                </Group>
              </Card>
            ))}
          </Stack>
        ))}
      {running && <CustomRun id={running} />}
      {canCompose ? <Composer catalogue={catalogue} onSaved={reload} /> : <Text c="dimmed">{t('reports.custom.cannotCompose')}</Text>}
    </Stack>
  );
}

function CustomRun({ id }: { id: string }) {
  const t = useT();
  const path = `/api/reports/custom/${encodeURIComponent(id)}`;
  const [state, reload] = useAsync((signal) => api.get<CustomAnswer>(path, signal), [path]);
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorAlert error={state.error} onRetry={reload} />;
  const r = state.data;
  const cell = (v: string | number | null | undefined) => (typeof v === 'number' ? formatNumber(v) : (v ?? ''));
  return (
    <Stack gap="xs">
      <Title order={4} size="h5">
        {r.name}
      </Title>
      <ReportHeader answer={r} path={path} filters={{}} />
      <Table.ScrollContainer minWidth={480}>
        <Table withTableBorder striped data-testid="custom-table">
          <Table.Thead>
            <Table.Tr>
              {r.dimensions.map((d) => (
                <Table.Th key={d}>{t(`reports.dim.${d}` as MessageKey)}</Table.Th>
              ))}
              {r.measures.map((m) => (
                <Table.Th key={m} ta="right">
                  {t(`reports.measure.${m}` as MessageKey)}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {r.rows.map((row, i) => (
              <Table.Tr key={i}>
                {r.dimensions.map((d) => (
                  <Table.Td key={d}>{cell(row[`${d}Name`] ?? row[d])}</Table.Td>
                ))}
                {r.measures.map((m) => (
                  <Table.Td key={m} ta="right">
                    {cell(row[m])}
                  </Table.Td>
                ))}
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

function ShareForm({ id }: { id: string }) {
  const t = useT();
  const [names, setNames] = useState('');
  const [result, setResult] = useState<{ ok: boolean; error?: unknown } | undefined>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const usernames = names.split(',').map((s) => s.trim()).filter(Boolean);
    if (usernames.length === 0) return;
    try {
      await api.post(`/api/reports/custom/${encodeURIComponent(id)}/share`, { usernames });
      setResult({ ok: true });
      setNames('');
    } catch (error) {
      setResult({ ok: false, error });
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)}>
      <Group gap="xs" align="flex-end">
        <TextInput size="xs" aria-label={t('reports.custom.shareWith')} placeholder={t('reports.custom.shareWith')} value={names} onChange={(e) => setNames(e.currentTarget.value)} w={280} />
        <Button size="xs" variant="default" type="submit">
          {t('reports.custom.share')}
        </Button>
        {result?.ok && <Text size="xs" c="green">{t('reports.custom.sharedOk')}</Text>}
        {result && !result.ok && <ErrorAlert error={result.error} />}
      </Group>
    </form>
  );
}

function Composer({ catalogue, onSaved }: { catalogue: Catalogue; onSaved: () => void }) {
  const t = useT();
  const [name, setName] = useState('');
  const [subject, setSubject] = useState<'residents' | 'episodes'>('episodes');
  const [dimensions, setDimensions] = useState<string[]>([]);
  const [measures, setMeasures] = useState<string[]>([]);
  const [period, setPeriod] = useState(String(new Date().getFullYear()));
  const [unit, setUnit] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text?: string; error?: unknown } | undefined>();
  const spec = catalogue.custom[subject];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setMessage({ ok: false, text: t('reports.custom.needName') });
    if (measures.length === 0) return setMessage({ ok: false, text: t('reports.custom.needMeasure') });
    const filters: Record<string, string> = {};
    if (unit.trim()) filters.unit = unit.trim();
    if (subject === 'episodes' && period.trim()) filters.period = period.trim();
    try {
      await api.post('/api/reports/custom', { name: name.trim(), spec: { subject, dimensions, measures, filters } });
      setMessage({ ok: true, text: t('reports.custom.saved', { name: name.trim() }) });
      setName('');
      onSaved();
    } catch (error) {
      setMessage({ ok: false, error });
    }
  };
  return (
    <Card withBorder padding="sm" component="form" onSubmit={(e: FormEvent) => void submit(e)} aria-label={t('reports.custom.compose')}>
      <Stack gap="sm">
        <Title order={3} size="h4">
          {t('reports.custom.compose')}
        </Title>
        <TextInput label={t('reports.custom.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <div>
          <Text size="sm" fw={500}>
            {t('reports.custom.subject')}
          </Text>
          <SegmentedControl
            value={subject}
            onChange={(v) => {
              setSubject(v as 'residents' | 'episodes');
              setDimensions([]);
              setMeasures([]);
            }}
            data={[
              { value: 'episodes', label: t('reports.custom.subject.episodes') },
              { value: 'residents', label: t('reports.custom.subject.residents') },
            ]}
          />
        </div>
        <MultiSelect label={t('reports.custom.dimensions')} data={spec.dimensions.map((d) => ({ value: d, label: t(`reports.dim.${d}` as MessageKey) }))} value={dimensions} onChange={setDimensions} maxValues={4} />
        <MultiSelect label={t('reports.custom.measures')} data={spec.measures.map((m) => ({ value: m, label: t(`reports.measure.${m}` as MessageKey) }))} value={measures} onChange={setMeasures} />
        <Group grow>
          <TextInput label={t('reports.unit')} description={t('reports.unitHelp')} value={unit} onChange={(e) => setUnit(e.currentTarget.value)} />
          {subject === 'episodes' && <TextInput label={t('reports.period')} description={t('reports.periodHelp')} value={period} onChange={(e) => setPeriod(e.currentTarget.value)} />}
        </Group>
        {message?.text && (
          <Alert color={message.ok ? 'green' : 'red'} variant="light" data-testid="custom-message">
            {message.text}
          </Alert>
        )}
        {message?.error !== undefined && <ErrorAlert error={message.error} />}
        <Group>
          <Button type="submit">{t('reports.custom.save')}</Button>
        </Group>
      </Stack>
    </Card>
  );
}
