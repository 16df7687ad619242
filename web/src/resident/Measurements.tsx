// "Chỉ số của tôi": the resident enters blood pressure, glucose, weight, heart rate or steps;
// each is saved as a FHIR Observation of their record (performer = the resident). Readings
// outside the safe ranges raise an alert with plain-Vietnamese advice; past readings as charts.
import { Alert, Anchor, Badge, Button, Card, Chip, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { useMemo, useState, type FormEvent } from 'react';
import { api } from '../shared/api.ts';
import { TrendChart, type ChartLine } from '../shared/charts.tsx';
import { formatDateTime, formatNumber } from '../shared/format.ts';
import { useI18n, type MessageKey } from '../shared/i18n.tsx';
import { Empty, ErrorAlert, errorText, Loading, useAsync } from '../shared/ui.tsx';
import { assess, buildObservation, CODES, INPUT_LIMITS, kindOf, KINDS, parseNumber, selfReported, valuesOf, type Alert as ReadingAlert, type Kind } from './measurements.ts';

export function Measurements({ patientId, onOpenTopic }: { patientId: string; onOpenTopic?: (topic: string) => void }) {
  const { t } = useI18n();
  const codes = KINDS.map((k) => `http://loinc.org|${CODES[k].code}`).join(',');
  const [state, reload] = useAsync(
    (signal) => api.get<Bundle<Observation>>(`/fhir/Observation?patient=Patient/${encodeURIComponent(patientId)}&code=${encodeURIComponent(codes)}&_count=1000`, signal),
    [patientId],
  );
  const [last, setLast] = useState<{ kind: Kind; values: number[]; alert: ReadingAlert | undefined }>();
  const readings = useMemo(
    () =>
      state.status === 'ready'
        ? (state.data.entry ?? [])
            .map((e) => e.resource!)
            .filter((o) => kindOf(o) && valuesOf(o).length > 0)
            .sort((a, b) => (a.effectiveDateTime ?? '').localeCompare(b.effectiveDateTime ?? ''))
        : [],
    [state],
  );
  return (
    <Stack>
      <Title order={2} size="h3">
        {t('app.measure.title')}
      </Title>
      <EntryForm
        patientId={patientId}
        onSaved={(kind, values) => {
          setLast({ kind, values, alert: assess(kind, values) });
          reload();
        }}
      />
      {last && <ReadingResult {...last} {...(onOpenTopic ? { onOpenTopic } : {})} />}
      <Title order={3} size="h4">
        {t('app.measure.history')}
      </Title>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {state.status === 'ready' && (readings.length === 0 ? <Empty>{t('app.measure.none')}</Empty> : <Trends readings={readings} />)}
    </Stack>
  );
}

function EntryForm({ patientId, onSaved }: { patientId: string; onSaved: (kind: Kind, values: number[]) => void }) {
  const { t, lang } = useI18n();
  const [kind, setKind] = useState<Kind>('bp');
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    const texts = kind === 'bp' ? [a, b] : [a];
    const values = texts.map(parseNumber);
    const limits = INPUT_LIMITS[kind];
    if (values.some((v, i) => v === undefined || v < limits[i]![0] || v > limits[i]![1])) {
      setError(t(`app.measure.invalid.${kind}` as MessageKey));
      return;
    }
    setBusy(true);
    try {
      await api.post('/fhir/Observation', buildObservation(kind, values as number[], patientId));
      setA('');
      setB('');
      onSaved(kind, values as number[]);
    } catch (err) {
      setError(errorText(t, lang, err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Card withBorder component="form" onSubmit={(e: FormEvent) => void submit(e)} aria-label={t('app.measure.enter')}>
      <Stack>
        <Text fw={600} id="measure-kind-label">
          {t('app.measure.kind')}
        </Text>
        <Chip.Group
          multiple={false}
          value={kind}
          onChange={(v) => {
            setKind(v as Kind);
            setError(undefined);
          }}
        >
          <Group gap="xs" role="radiogroup" aria-labelledby="measure-kind-label">
            {KINDS.map((k) => (
              <Chip key={k} value={k} size="md">
                {t(`app.measure.kind.${k}` as MessageKey)}
              </Chip>
            ))}
          </Group>
        </Chip.Group>
        {kind === 'bp' ? (
          <Group grow align="flex-end">
            <TextInput size="md" inputMode="numeric" label={t('app.measure.systolic')} value={a} onChange={(e) => setA(e.currentTarget.value)} rightSection="mmHg" rightSectionWidth={56} />
            <TextInput size="md" inputMode="numeric" label={t('app.measure.diastolic')} value={b} onChange={(e) => setB(e.currentTarget.value)} rightSection="mmHg" rightSectionWidth={56} />
          </Group>
        ) : (
          <TextInput
            size="md"
            inputMode={kind === 'glucose' || kind === 'weight' ? 'decimal' : 'numeric'}
            label={t(`app.measure.kind.${kind}` as MessageKey)}
            description={t(`app.measure.hint.${kind}` as MessageKey)}
            value={a}
            onChange={(e) => setA(e.currentTarget.value)}
            rightSection={<Text size="sm">{CODES[kind].unit}</Text>}
            rightSectionWidth={72}
          />
        )}
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Button type="submit" size="lg" loading={busy}>
          {t('app.measure.save')}
        </Button>
      </Stack>
    </Card>
  );
}

const TOPIC_OF: Partial<Record<Kind, string>> = { bp: 'tang-huyet-ap', glucose: 'dai-thao-duong', pulse: 'tim-mach', weight: 'roi-loan-chuyen-hoa' };

function ReadingResult({ kind, values, alert, onOpenTopic }: { kind: Kind; values: number[]; alert: ReadingAlert | undefined; onOpenTopic?: (topic: string) => void }) {
  const { t } = useI18n();
  const shown = kind === 'bp' ? `${values[0]}/${values[1]} mmHg` : `${formatNumber(values[0])} ${CODES[kind].unit}`;
  const topic = TOPIC_OF[kind];
  if (!alert) {
    return (
      <Alert color="teal" data-testid="measure-saved" role="status">
        {t('app.measure.saved', { value: shown })}
      </Alert>
    );
  }
  return (
    <Alert
      color={alert.level === 'urgent' ? 'red' : 'yellow'}
      variant={alert.level === 'urgent' ? 'filled' : 'light'}
      role="alert"
      data-testid={alert.level === 'urgent' ? 'measure-urgent' : 'measure-warning'}
      title={t(alert.level === 'urgent' ? 'app.measure.urgentTitle' : 'app.measure.warningTitle', { value: shown })}
    >
      <Stack gap="xs">
        <Text size="md">{t(`app.measure.advice.${alert.advice}` as MessageKey)}</Text>
        {alert.level === 'urgent' && (
          <Button component="a" href="tel:115" color="red.9" variant="white" size="lg">
            {t('app.measure.call115')}
          </Button>
        )}
        {topic && onOpenTopic && (
          <Anchor component="button" type="button" c={alert.level === 'urgent' ? 'white' : undefined} td="underline" onClick={() => onOpenTopic(topic)}>
            {t('app.measure.learnMore')}
          </Anchor>
        )}
      </Stack>
    </Alert>
  );
}

function Trends({ readings }: { readings: Observation[] }) {
  const { t } = useI18n();
  const points = (kind: Kind, index = 0) =>
    readings.filter((o) => kindOf(o) === kind && o.effectiveDateTime).map((o) => ({ date: o.effectiveDateTime!, value: valuesOf(o)[index]! }));
  const charts: { kind: Kind; lines: ChartLine[] }[] = [
    {
      kind: 'bp',
      lines: [
        { name: t('app.measure.systolic'), points: points('bp', 0), color: '#c92a2a' },
        { name: t('app.measure.diastolic'), points: points('bp', 1), color: '#1864ab' },
      ],
    },
    { kind: 'glucose', lines: [{ name: t('app.measure.kind.glucose'), points: points('glucose'), color: '#862e9c' }] },
    { kind: 'weight', lines: [{ name: t('app.measure.kind.weight'), points: points('weight'), color: '#2b8a3e' }] },
    { kind: 'pulse', lines: [{ name: t('app.measure.kind.pulse'), points: points('pulse'), color: '#d9480f' }] },
    { kind: 'steps', lines: [{ name: t('app.measure.kind.steps'), points: points('steps'), color: '#0b7285' }] },
  ];
  const recent = [...readings].reverse().slice(0, 10);
  return (
    <Stack>
      {charts
        .filter((c) => c.lines[0]!.points.length > 0)
        .map((c) => (
          <TrendChart key={c.kind} testId={`measure-chart-${c.kind}`} title={t(`app.measure.kind.${c.kind}` as MessageKey)} unit={CODES[c.kind].unit} lines={c.lines} />
        ))}
      <Card withBorder padding="sm">
        <Text fw={600} mb="xs">
          {t('app.measure.recent')}
        </Text>
        <Stack gap={6} data-testid="measure-recent">
          {recent.map((o) => {
            const kind = kindOf(o)!;
            const v = valuesOf(o);
            const alert = assess(kind, v);
            return (
              <Group key={o.id} justify="space-between" wrap="nowrap" gap="xs">
                <Stack gap={0}>
                  <Text size="sm" fw={600}>
                    {t(`app.measure.kind.${kind}` as MessageKey)}: {kind === 'bp' ? `${v[0]}/${v[1]}` : formatNumber(v[0])} {CODES[kind].unit}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {formatDateTime(o.effectiveDateTime)} · {selfReported(o) ? t('app.measure.bySelf') : t('app.measure.byFacility')}
                  </Text>
                </Stack>
                {alert && (
                  <Badge color={alert.level === 'urgent' ? 'red.9' : 'yellow.9'} tt="none">
                    {t(alert.level === 'urgent' ? 'app.measure.badgeUrgent' : 'app.measure.badgeWarning')}
                  </Badge>
                )}
              </Group>
            );
          })}
        </Stack>
      </Card>
    </Stack>
  );
}
