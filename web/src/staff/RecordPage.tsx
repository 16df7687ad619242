// A resident's record ($everything under the access rules) or, when it is not visible to this
// user, the consent step. Actions: edit on the QĐ 831 form, issue a resident account.
import { Alert, Button, Modal, Stack, Text } from '@mantine/core';
import type { Bundle } from '@medplum/fhirtypes';
import { useEffect, useMemo, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { api, ApiError } from '../shared/api.ts';
import { useI18n } from '../shared/i18n.tsx';
import { nameOf } from '../shared/fhir.ts';
import { buildRecord } from '../shared/record.ts';
import { RecordHeader, RecordTabs } from '../shared/RecordView.tsx';
import { errorText, ErrorAlert, Loading, useAsync } from '../shared/ui.tsx';
import { VaccinationBook } from '../shared/VaccinationBook.tsx';
import { ConsentPanel, GrantNotice, type Grant } from './ConsentPanel.tsx';
import { ProgrammeActions } from './ProgrammeActions.tsx';
import { useSession } from './session.tsx';

async function loadRecord(id: string, signal: AbortSignal) {
  const bundle = await api.get<Bundle>(`/fhir/Patient/${encodeURIComponent(id)}/$everything?_count=5000`, signal);
  performance.mark('hssk:record-fetched');
  return { bundle };
}

/** The user's active access to this record (consent or break-glass), shown with its expiry. */
async function loadGrant(id: string, signal: AbortSignal): Promise<Grant | undefined> {
  const { grants } = await api.get<{ grants: Grant[] }>('/api/consent', signal).catch(() => ({ grants: [] as Grant[] }));
  return grants.filter((g) => g.patientId === id && g.active).sort((a, b) => b.expires.localeCompare(a.expires))[0];
}

export function RecordPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  // Arriving from a QĐ 831 form whose person already had this record (Form831Page).
  const existingRecord = (useLocation().state as { existingRecord?: boolean } | null)?.existingRecord === true;
  const [state, reload] = useAsync((signal) => loadRecord(id, signal), [id]);
  const [granted, setGranted] = useState<Grant>();
  const [grantState] = useAsync((signal) => loadGrant(id, signal), [id, granted]);
  const record = useMemo(() => (state.status === 'ready' ? buildRecord(state.data.bundle, id) : undefined), [state, id]);

  useEffect(() => {
    if (!record) return;
    performance.mark('hssk:record-rendered');
    // The frame after the commit: what the user sees.
    requestAnimationFrame(() => setTimeout(() => performance.mark('hssk:record-painted'), 0));
  }, [record]);

  if (state.status === 'loading') return <Loading label={t('record.loading')} />;
  if (state.status === 'error') {
    const err = state.error;
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) {
      return (
        <Stack>
          <Alert color="blue" title={t('record.noAccessTitle')}>
            {t('record.noAccess')}
          </Alert>
          <ConsentPanel
            patientId={id}
            onGranted={(g) => {
              setGranted(g);
              reload();
            }}
          />
        </Stack>
      );
    }
    return <ErrorAlert error={err} onRetry={reload} />;
  }
  if (!record) return <ErrorAlert error={new ApiError(404)} />;
  const grant = granted ?? (grantState.status === 'ready' ? grantState.data : undefined);
  return (
    <Stack data-testid="record">
      {grant && <GrantNotice grant={grant} />}
      {existingRecord && (
        <Alert color="blue" role="status" data-testid="existing-record-opened">
          {t('record.existingOpened')}
        </Alert>
      )}
      <RecordHeader record={record} actions={<RecordActions patientId={id} />} />
      <ProgrammeActions patientId={id} name={nameOf(record.patient.name)} gender={record.patient.gender} birthDate={record.patient.birthDate} />
      <VaccinationBook patientId={id} />
      <RecordTabs record={record} />
    </Stack>
  );
}

function RecordActions({ patientId }: { patientId: string }) {
  const { t } = useI18n();
  const { session } = useSession();
  const [open, setOpen] = useState(false);
  if (session.actor.role === 'manager') return null;
  return (
    <>
      <Button component={Link} to={`/patients/${patientId}/form831`} variant="light">
        {t('record.editForm')}
      </Button>
      <Button variant="default" onClick={() => setOpen(true)}>
        {t('account.issue')}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('account.issue')} centered>
        <IssueAccount patientId={patientId} />
      </Modal>
    </>
  );
}

function IssueAccount({ patientId }: { patientId: string }) {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ phone: string }>();
  const [error, setError] = useState<string>();
  async function issue() {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await api.post<{ accountId: string; phone: string }>('/api/residents/accounts', { patientId }));
    } catch (err) {
      setError(errorText(t, lang, err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Stack>
      <Text size="sm">{t('account.explain')}</Text>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {result ? (
        <Alert color="teal" data-testid="account-issued">
          {t('account.issued', { phone: result.phone })}
        </Alert>
      ) : (
        <Button onClick={() => void issue()} loading={busy}>
          {t('account.confirm')}
        </Button>
      )}
    </Stack>
  );
}
