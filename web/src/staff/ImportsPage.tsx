// Imports: a household file (administrators, commune health workers) imported in the background;
// a facility sends XML 4210/130 envelopes or CDA documents from a file, watches the
// upload progress, reads the per-episode report and downloads it; the province (or the
// facility) sees data arrival per facility.
import { Alert, Badge, Button, Card, FileInput, Group, Progress, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { getCsrfToken } from '../shared/api.ts';
import { formatDateTime, formatNumber } from '../shared/format.ts';
import { useI18n } from '../shared/i18n.tsx';
import { api } from '../shared/api.ts';
import { Empty, ErrorAlert, Figure, Loading, useAsync } from '../shared/ui.tsx';
import { HouseholdUpload } from './HouseholdUpload.tsx';
import { useSession } from './session.tsx';

interface UnitReport {
  key: string;
  status: 'accepted' | 'rejected';
  outcome?: string;
  patientId?: string;
  written: number;
  warnings: string[];
  reasons?: { field: string; message: string }[];
}

interface ImportAnswer {
  facility: string;
  summary: { units: number; accepted: number; rejected: number; written: number; excluded: Record<string, number>; fatal?: { code: string; message: string } };
  units: UnitReport[];
}

/** Sends a file as the request body, reporting upload progress (fetch cannot). */
function upload(path: string, file: File, onProgress: (fraction: number) => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('content-type', 'application/xml');
    const csrf = getCsrfToken();
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error('network'));
    xhr.send(file);
  });
}

export function ImportsPage() {
  const { t } = useI18n();
  const { session } = useSession();
  const canUpload = Boolean(session.actor.facilityCode);
  // The household endpoint's rule: administrators, and commune health workers for their commune.
  const canImportHouseholds = session.actor.role === 'admin' || session.actor.role === 'commune-worker';
  const [uploads, setUploads] = useState(0);
  return (
    <Stack>
      <Title order={2}>{t('imports.title')}</Title>
      {canUpload ? <Upload onDone={() => setUploads((n) => n + 1)} /> : <Alert color="blue">{t('imports.noFacility')}</Alert>}
      {canImportHouseholds && <HouseholdUpload onDone={() => setUploads((n) => n + 1)} />}
      <Arrivals uploads={uploads} />
    </Stack>
  );
}

function Upload({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<'xml' | 'cda'>('xml');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number>();
  const [result, setResult] = useState<ImportAnswer>();
  const [error, setError] = useState<string>();

  async function send() {
    if (!file) return setError(t('imports.chooseFile'));
    setError(undefined);
    setResult(undefined);
    setProgress(0);
    try {
      const res = await upload(`/api/${kind}`, file, setProgress);
      const body = res.body as Partial<ImportAnswer> & { message?: string } | undefined;
      if (body?.summary && body.units) {
        setResult(body as ImportAnswer);
        onDone();
      }
      else setError(body?.message ?? t(res.status === 413 ? 'error.413' : res.status === 403 ? 'error.403' : 'error.400'));
    } catch {
      setError(t('error.network'));
    } finally {
      setProgress(undefined);
    }
  }

  function download() {
    if (!result) return;
    const blob = new Blob([JSON.stringify(result, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `bao-cao-nhap-${kind}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  return (
    <Card withBorder>
      <Stack>
        <SegmentedControl
          value={kind}
          onChange={(v) => setKind(v as 'xml' | 'cda')}
          data={[
            { value: 'xml', label: t('imports.xml') },
            { value: 'cda', label: t('imports.cda') },
          ]}
          aria-label={t('imports.kind')}
        />
        <FileInput label={t('imports.file')} description={t(kind === 'xml' ? 'imports.xmlHelp' : 'imports.cdaHelp')} value={file} onChange={setFile} accept=".xml,application/xml,text/xml" clearable />
        {progress !== undefined && (
          <Stack gap={4} data-testid="upload-progress">
            <Progress value={progress * 100} aria-label={t('imports.progress')} />
            <Text size="sm">{progress < 1 ? t('imports.uploading', { pct: Math.round(progress * 100) }) : t('imports.processing')}</Text>
          </Stack>
        )}
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group>
          <Button onClick={() => void send()} loading={progress !== undefined}>
            {t('imports.send')}
          </Button>
        </Group>
        {result && (
          <Stack data-testid="import-report">
            {result.summary.fatal && <Alert color="red">{result.summary.fatal.message}</Alert>}
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              <Figure label={t('imports.units')} value={result.summary.units} />
              <Figure label={t('imports.accepted')} value={result.summary.accepted} />
              <Figure label={t('imports.rejected')} value={result.summary.rejected} />
              <Figure label={t('imports.excluded')} value={Object.values(result.summary.excluded).reduce((a, b) => a + b, 0)} />
            </SimpleGrid>
            <Group>
              <Button variant="light" onClick={download}>
                {t('imports.download')}
              </Button>
            </Group>
            {result.units.length === 0 ? (
              <Empty />
            ) : (
              <Table.ScrollContainer minWidth={640}>
                <Table striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('imports.unit')}</Table.Th>
                      <Table.Th>{t('admin.status')}</Table.Th>
                      <Table.Th>{t('imports.details')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {result.units.map((u) => (
                      <Table.Tr key={u.key}>
                        <Table.Td>{u.key}</Table.Td>
                        <Table.Td>
                          <Badge color={u.status === 'accepted' ? 'teal.9' : 'red.9'} tt="none">
                            {u.status === 'accepted' ? t('imports.accepted') : t('imports.rejected')}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          {(u.reasons ?? []).map((r, i) => (
                            <Text key={i} size="sm">
                              {r.field}: {r.message}
                            </Text>
                          ))}
                          {u.warnings.map((w, i) => (
                            <Text key={`w${i}`} size="sm" c="orange.9">
                              {w}
                            </Text>
                          ))}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

interface FacilityArrivals {
  facility: string;
  sendModeLabel?: string;
  lastArrivalAt: string | null;
  received: number;
  rejected: number;
  late: boolean;
}

export function Arrivals({ uploads }: { uploads: number }) {
  const { t } = useI18n();
  const [state, reload] = useAsync((signal) => api.get<{ facilities: FacilityArrivals[] }>('/api/ingest/arrivals', signal), [uploads]);
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="sm">
        {t('imports.arrivals')}
      </Title>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {state.status === 'ready' &&
        (state.data.facilities.length === 0 ? (
          <Empty />
        ) : (
          <Table.ScrollContainer minWidth={640}>
            <Table striped data-testid="arrivals">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('admin.facilityCode')}</Table.Th>
                  <Table.Th>{t('imports.sendMode')}</Table.Th>
                  <Table.Th>{t('imports.lastArrival')}</Table.Th>
                  <Table.Th>{t('imports.received30')}</Table.Th>
                  <Table.Th>{t('imports.rejected')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {state.data.facilities.map((f) => (
                  <Table.Tr key={f.facility}>
                    <Table.Td>{f.facility}</Table.Td>
                    <Table.Td>{f.sendModeLabel}</Table.Td>
                    <Table.Td>
                      {f.lastArrivalAt ? formatDateTime(f.lastArrivalAt) : t('imports.never')}{' '}
                      {f.late && (
                        <Badge color="orange.9" tt="none">
                          {t('imports.late')}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{formatNumber(f.received)}</Table.Td>
                    <Table.Td>{formatNumber(f.rejected)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ))}
    </Card>
  );
}
