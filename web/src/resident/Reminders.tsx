// Reminders (C6): the resident's upcoming appointments (FHIR Appointment) and medication
// schedules (active MedicationRequest), and their choice, per kind, of being reminded: on or off,
// by SMS, by notification or both, at which hour (/api/reminders/preferences); and whether this
// device receives notifications (web push, device-push.ts).
import { Alert, Badge, Card, Checkbox, Group, Select, Stack, Switch, Text, Title } from '@mantine/core';
import type { Appointment, Bundle, MedicationRequest } from '@medplum/fhirtypes';
import { useState } from 'react';
import { api, ApiError } from '../shared/api.ts';
import { formatDate, formatDateTime, todayVn } from '../shared/format.ts';
import { useI18n, type MessageKey } from '../shared/i18n.tsx';
import { codeText } from '../shared/record.ts';
import { Empty, ErrorAlert, errorText, Loading, useAsync } from '../shared/ui.tsx';
import { devicePushState, disableDevicePush, enableDevicePush, type DevicePushState } from './device-push.ts';

type Channel = 'sms' | 'push' | 'both' | 'none';
interface Preference {
  kind: string;
  channel: Channel;
  enabled: boolean;
  hour: number | null;
  smsFallback?: boolean;
}
interface Preferences {
  patientId: string;
  kinds: string[];
  preferences: Preference[];
}

export function Reminders({ patientId }: { patientId: string }) {
  const { t } = useI18n();
  return (
    <Stack>
      <Title order={2} size="h3">
        {t('app.remind.title')}
      </Title>
      <Appointments patientId={patientId} />
      <Medications patientId={patientId} />
      <DevicePush />
      <Settings patientId={patientId} />
      <Text size="xs" c="dimmed">
        {t('app.remind.note')}
      </Text>
    </Stack>
  );
}

function Appointments({ patientId }: { patientId: string }) {
  const { t } = useI18n();
  const [state, reload] = useAsync(
    (signal) => api.get<Bundle<Appointment>>(`/fhir/Appointment?patient=Patient/${encodeURIComponent(patientId)}&date=ge${todayVn()}&_count=100`, signal),
    [patientId],
  );
  const items =
    state.status === 'ready'
      ? (state.data.entry ?? [])
          .map((e) => e.resource!)
          .filter((a) => a.resourceType === 'Appointment' && !['cancelled', 'noshow', 'fulfilled', 'entered-in-error'].includes(a.status))
          .sort((a, b) => (a.start ?? '').localeCompare(b.start ?? ''))
      : [];
  return (
    <Card withBorder padding="sm">
      <Title order={3} size="h4" mb="xs">
        {t('app.remind.appointments')}
      </Title>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {state.status === 'ready' &&
        (items.length === 0 ? (
          <Empty>{t('app.remind.noAppointments')}</Empty>
        ) : (
          <Stack gap="xs" data-testid="appointments">
            {items.map((a) => {
              const place = a.participant?.find((p) => p.actor?.display && !p.actor.reference?.startsWith('Patient/'))?.actor?.display;
              return (
                <Stack key={a.id} gap={0}>
                  <Text fw={600}>{a.start ? formatDateTime(a.start) : t('app.remind.noTime')}</Text>
                  <Text size="sm">{a.description || codeText(a.serviceType?.[0]) || codeText(a.appointmentType) || t('app.remind.appointment')}</Text>
                  {place && <Text size="sm">{t('app.remind.place', { place })}</Text>}
                </Stack>
              );
            })}
          </Stack>
        ))}
    </Card>
  );
}

function Medications({ patientId }: { patientId: string }) {
  const { t } = useI18n();
  const [state, reload] = useAsync(
    (signal) => api.get<Bundle<MedicationRequest>>(`/fhir/MedicationRequest?patient=Patient/${encodeURIComponent(patientId)}&status=active&_count=200`, signal),
    [patientId],
  );
  const items = state.status === 'ready' ? (state.data.entry ?? []).map((e) => e.resource!).filter((m) => m.resourceType === 'MedicationRequest' && m.status === 'active') : [];
  return (
    <Card withBorder padding="sm">
      <Title order={3} size="h4" mb="xs">
        {t('app.remind.medications')}
      </Title>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {state.status === 'ready' &&
        (items.length === 0 ? (
          <Empty>{t('app.remind.noMedications')}</Empty>
        ) : (
          <Stack gap="xs" data-testid="medications">
            {items.map((m) => {
              const dosage = m.dosageInstruction?.map((d) => d.text ?? d.patientInstruction).filter(Boolean).join('; ');
              const times = m.dosageInstruction?.flatMap((d) => d.timing?.repeat?.timeOfDay ?? []).map((x) => x.slice(0, 5));
              const end = m.dispenseRequest?.validityPeriod?.end;
              return (
                <Stack key={m.id} gap={0}>
                  <Text fw={600}>{codeText(m.medicationCodeableConcept) || m.medicationReference?.display || '—'}</Text>
                  {dosage && <Text size="sm">{dosage}</Text>}
                  {times && times.length > 0 && <Text size="sm">{t('app.remind.times', { times: times.join(', ') })}</Text>}
                  {end && <Text size="sm">{t('app.remind.until', { date: formatDate(end) })}</Text>}
                </Stack>
              );
            })}
          </Stack>
        ))}
    </Card>
  );
}

function DevicePush() {
  const { t, lang } = useI18n();
  const [state, reload] = useAsync((signal) => devicePushState(signal), []);
  const [changed, setChanged] = useState<DevicePushState>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const current = changed ?? (state.status === 'ready' ? state.data : undefined);
  async function toggle(on: boolean) {
    setBusy(true);
    setError(undefined);
    try {
      setChanged(on ? await enableDevicePush() : await disableDevicePush());
    } catch (err) {
      setError(t('app.remind.device.failed', { reason: err instanceof ApiError ? errorText(t, lang, err) : t('app.remind.device.browserError') }));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Card withBorder padding="sm" data-testid="device-push">
      <Title order={3} size="h4" mb="xs">
        {t('app.remind.device.title')}
      </Title>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {current && (
        <Stack gap="xs">
          <Switch
            size="lg"
            label={t('app.remind.device.switch')}
            checked={current === 'on'}
            disabled={busy || current === 'unsupported'}
            onChange={(e) => void toggle(e.currentTarget.checked)}
          />
          <Text size="sm" c="dimmed">
            {t('app.remind.device.help')}
          </Text>
          {current === 'on' && (
            <Text size="sm" role="status">
              {t('app.remind.device.on')}
            </Text>
          )}
          {current === 'unsupported' && <Alert color="yellow">{t('app.remind.device.unsupported')}</Alert>}
          {current === 'denied' && <Alert color="yellow">{t('app.remind.device.denied')}</Alert>}
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
        </Stack>
      )}
    </Card>
  );
}

const HOURS = Array.from({ length: 24 }, (_, h) => String(h));

function Settings({ patientId }: { patientId: string }) {
  const { t, lang } = useI18n();
  const [state, reload] = useAsync((signal) => api.get<Preferences>(`/api/reminders/preferences?patientId=${encodeURIComponent(patientId)}`, signal), [patientId]);
  const [saved, setSaved] = useState<Preferences>();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const data = saved?.patientId === patientId ? saved : state.status === 'ready' ? state.data : undefined;
  async function save(next: Preference) {
    setMessage(undefined);
    try {
      const res = await api.put<Omit<Preferences, 'kinds'>>('/api/reminders/preferences', { patientId, ...next });
      setSaved({ patientId, kinds: data?.kinds ?? [], preferences: res.preferences });
      setMessage({ ok: true, text: t('app.remind.saved') });
    } catch (err) {
      setMessage({ ok: false, text: errorText(t, lang, err) });
    }
  }
  return (
    <Card withBorder padding="sm">
      <Title order={3} size="h4" mb="xs">
        {t('app.remind.settings')}
      </Title>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {data && (
        <Stack data-testid="reminder-settings">
          {data.kinds.map((kind) => {
            const all = data.preferences.find((p) => p.kind === 'all');
            const pref = data.preferences.find((p) => p.kind === kind) ?? {
              kind,
              channel: all?.channel ?? 'sms',
              enabled: all?.enabled ?? true,
              hour: all?.hour ?? null,
              smsFallback: all?.smsFallback ?? false,
            };
            const label = t(`app.remind.kind.${kind}` as MessageKey);
            return (
              <Stack key={kind} gap="xs" data-testid={`reminder-${kind}`}>
                <Group justify="space-between" wrap="nowrap">
                  <Switch
                    size="lg"
                    label={label}
                    checked={pref.enabled && pref.channel !== 'none'}
                    onChange={(e) => void save({ ...pref, enabled: e.currentTarget.checked, channel: pref.channel === 'none' ? 'sms' : pref.channel })}
                  />
                  <Badge color={pref.enabled && pref.channel !== 'none' ? 'teal.9' : 'gray.8'} variant="outline" tt="none">
                    {pref.enabled && pref.channel !== 'none' ? t('app.remind.on') : t('app.remind.off')}
                  </Badge>
                </Group>
                {pref.enabled && pref.channel !== 'none' && (
                  <Group grow>
                    <Select
                      label={t('app.remind.channelShort')}
                      aria-label={t('app.remind.channel', { kind: label })}
                      value={pref.channel}
                      allowDeselect={false}
                      onChange={(v) => v && void save({ ...pref, channel: v as Channel })}
                      data={[
                        { value: 'sms', label: t('app.remind.channel.sms') },
                        { value: 'push', label: t('app.remind.channel.push') },
                        { value: 'both', label: t('app.remind.channel.both') },
                      ]}
                    />
                    <Select
                      label={t('app.remind.hourShort')}
                      aria-label={t('app.remind.hour', { kind: label })}
                      value={pref.hour === null ? 'default' : String(pref.hour)}
                      allowDeselect={false}
                      onChange={(v) => v && void save({ ...pref, hour: v === 'default' ? null : Number(v) })}
                      data={[{ value: 'default', label: t('app.remind.hour.default') }, ...HOURS.map((h) => ({ value: h, label: `${h.padStart(2, '0')}:00` }))]}
                    />
                  </Group>
                )}
                {pref.enabled && pref.channel === 'push' && (
                  <Checkbox
                    size="md"
                    label={t('app.remind.smsFallback')}
                    checked={pref.smsFallback ?? false}
                    onChange={(e) => void save({ ...pref, smsFallback: e.currentTarget.checked })}
                  />
                )}
              </Stack>
            );
          })}
          {message && (
            <Alert color={message.ok ? 'teal' : 'red'} role={message.ok ? 'status' : 'alert'}>
              {message.text}
            </Alert>
          )}
        </Stack>
      )}
    </Card>
  );
}
