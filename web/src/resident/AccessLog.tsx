// "Ai đã xem hồ sơ của tôi": the audit trail of the record (GET /fhir/AuditEvent, the resident's
// view: facility name and code, role, when, why). Break-glass accesses stand out; the resident's own actions
// are left out, since the question is who else looked.
import { Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { api } from '../shared/api.ts';
import { formatDateTime } from '../shared/format.ts';
import { useI18n } from '../shared/i18n.tsx';
import type { MessageKey } from '../shared/i18n.tsx';
import { Empty, ErrorAlert, Loading, useAsync } from '../shared/ui.tsx';

const ACTIONS = ['read', 'vread', 'search-type', 'history-instance', 'create', 'update', 'delete', '110106', '110107', 'consent-grant', 'consent-revoke', 'break-glass'] as const;

export function actionOf(e: AuditEvent): string {
  return e.type?.code === 'rest' ? (e.subtype?.[0]?.code ?? 'rest') : (e.type?.code ?? '');
}

export function isBreakGlass(e: AuditEvent): boolean {
  return actionOf(e) === 'break-glass' || Boolean(e.subtype?.some((s) => s.code === 'break-glass')) || Boolean(e.purposeOfEvent?.some((p) => p.coding?.some((c) => c.code === 'ETREAT')));
}

export function AccessLog({ patientId }: { patientId: string }) {
  const { t } = useI18n();
  const [state, reload] = useAsync(
    (signal) => api.get<Bundle<AuditEvent>>(`/fhir/AuditEvent?patient=Patient/${encodeURIComponent(patientId)}&_count=200`, signal),
    [patientId],
  );
  const events =
    state.status === 'ready'
      ? (state.data.entry ?? [])
          .map((e) => e.resource!)
          .filter((e) => e.agent?.[0]?.type?.coding?.[0]?.code !== 'resident' && !['110114', 'account'].includes(actionOf(e)))
          .sort((a, b) => (b.recorded ?? '').localeCompare(a.recorded ?? ''))
      : [];
  // Many writes of one import arrive in the same minute: one card with a count reads better.
  const groups: { event: AuditEvent; count: number }[] = [];
  for (const e of events) {
    const last = groups[groups.length - 1];
    const key = (x: AuditEvent) => [actionOf(x), x.agent?.[0]?.who?.identifier?.value, x.agent?.[0]?.type?.coding?.[0]?.code, x.outcomeDesc, x.outcome, (x.recorded ?? '').slice(0, 16)].join('|');
    if (last && !isBreakGlass(e) && key(last.event) === key(e)) last.count++;
    else groups.push({ event: e, count: 1 });
  }
  const label = (e: AuditEvent) => {
    const a = actionOf(e);
    return (ACTIONS as readonly string[]).includes(a) ? t(`app.access.action.${a}` as MessageKey) : (e.type?.display ?? a);
  };
  const roleLabel = (e: AuditEvent) => {
    const role = e.agent?.[0]?.type?.coding?.[0]?.code;
    if (!role) return t('app.access.unknownRole');
    const key = `role.${role}` as MessageKey;
    const text = t(key);
    return text === key ? role : text;
  };
  return (
    <Stack>
      <Title order={2} size="h3">
        {t('app.access.title')}
      </Title>
      <Text size="sm">{t('app.access.explain')}</Text>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {state.status === 'ready' &&
        (events.length === 0 ? (
          <Empty>{t('app.access.none')}</Empty>
        ) : (
          <Stack data-testid="access-log" gap="xs">
            {groups.map(({ event: e, count }) => {
              const bg = isBreakGlass(e);
              const facility = e.agent?.[0]?.who?.identifier?.value;
              const facilityName = e.agent?.[0]?.who?.display;
              return (
                <Card key={e.id} withBorder padding="sm" bg={bg ? 'orange.0' : undefined} style={bg ? { borderColor: 'var(--mantine-color-orange-7)', borderWidth: 2 } : undefined} data-testid={bg ? 'access-break-glass' : 'access-entry'}>
                  <Stack gap={2}>
                    <Group gap={6} wrap="wrap">
                      {bg && (
                        <Badge color="orange.9" tt="none" size="lg">
                          {t('app.access.breakGlass')}
                        </Badge>
                      )}
                      <Text fw={600}>
                        {label(e)}
                        {count > 1 && ` (${t('app.access.times', { n: count })})`}
                      </Text>
                      {e.outcome && e.outcome !== '0' && (
                        <Badge color="gray.8" variant="outline" tt="none">
                          {t('app.access.denied')}
                        </Badge>
                      )}
                    </Group>
                    <Text size="sm">{t('app.access.when', { time: formatDateTime(e.recorded ?? '') })}</Text>
                    <Text size="sm">{facility && facilityName ? t('app.access.facilityNamed', { name: facilityName, code: facility }) : t('app.access.facility', { code: facility ?? '—' })}</Text>
                    <Text size="sm">{t('app.access.role', { role: roleLabel(e) })}</Text>
                    {e.outcomeDesc && <Text size="sm">{t('app.access.why', { reason: e.outcomeDesc })}</Text>}
                  </Stack>
                </Card>
              );
            })}
          </Stack>
        ))}
    </Stack>
  );
}
