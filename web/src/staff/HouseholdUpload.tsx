// Household file upload (MISSION A3 in the browser): the file goes up with upload progress, the
// server imports it in the background, this card polls the job (rows, counts, time left) and
// offers the rejected rows as CSV with the reason of each.
import { Alert, Anchor, Button, Card, Checkbox, FileInput, Group, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { api, getCsrfToken } from '../shared/api.ts';
import { formatNumber } from '../shared/format.ts';
import { useI18n } from '../shared/i18n.tsx';
import { errorText, Figure } from '../shared/ui.tsx';

interface Counts {
  created: number;
  updated: number;
  matched: number;
  review: number;
  rejected: number;
}

interface HouseholdJob {
  id: string;
  fileName: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  commune?: string;
  completeList: boolean;
  progress?: { rows: number; rowsPerSecond: number; etaSeconds?: number; fraction: number; counts: Counts };
  report?: Counts & { rows: number; households: number; warnings: number; outOfScope: number; seconds: number; communesCovered: number };
  error?: string;
  hasRejected: boolean;
}

const POLL_MS = 700;

function sendFile(file: File, completeList: boolean, onProgress: (fraction: number) => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/households?filename=${encodeURIComponent(file.name)}${completeList ? '&complete=1' : ''}`);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
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

export function HouseholdUpload({ onDone }: { onDone: () => void }) {
  const { t, lang } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  // Off by default: a few households must not make identity matching assume a whole commune is registered.
  const [completeList, setCompleteList] = useState(false);
  const [uploaded, setUploaded] = useState<number>();
  const [job, setJob] = useState<HouseholdJob>();
  const [error, setError] = useState<string>();
  const doneRef = useRef(onDone);
  doneRef.current = onDone;
  const running = job !== undefined && (job.status === 'queued' || job.status === 'running');

  useEffect(() => {
    if (!job || !running) return;
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      api.get<HouseholdJob>(`/api/households/jobs/${job.id}`, ctrl.signal).then(
        (next) => {
          setJob(next);
          if (next.status === 'done' || next.status === 'failed') doneRef.current();
        },
        (err: unknown) => {
          if ((err as Error).name !== 'AbortError') setError(errorText(t, lang, err));
        },
      );
    }, POLL_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [job, running, t, lang]);

  async function send() {
    if (!file) return setError(t('imports.chooseFile'));
    setError(undefined);
    setJob(undefined);
    setUploaded(0);
    try {
      const res = await sendFile(file, completeList, setUploaded);
      const body = res.body as (Partial<HouseholdJob> & { message?: string }) | undefined;
      if (res.status === 202 && body?.id) setJob(body as HouseholdJob);
      else setError(body?.message ?? t(res.status === 413 ? 'error.413' : res.status === 403 ? 'error.403' : 'error.400'));
    } catch {
      setError(t('error.network'));
    } finally {
      setUploaded(undefined);
    }
  }

  const counts = job?.report ?? job?.progress?.counts;
  return (
    <Card withBorder component="section" aria-labelledby="household-upload-title">
      <Stack>
        <Title order={3} size="h4" id="household-upload-title">
          {t('households.title')}
        </Title>
        <FileInput
          label={t('households.file')}
          description={t('households.help')}
          value={file}
          onChange={setFile}
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          clearable
        />
        <Checkbox
          label={t('households.completeList')}
          description={t('households.completeListHelp')}
          checked={completeList}
          onChange={(e) => setCompleteList(e.currentTarget.checked)}
        />
        {uploaded !== undefined && (
          <Stack gap={4}>
            <Progress value={uploaded * 100} aria-label={t('imports.progress')} />
            <Text size="sm">{t('imports.uploading', { pct: Math.round(uploaded * 100) })}</Text>
          </Stack>
        )}
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group>
          <Button onClick={() => void send()} loading={uploaded !== undefined} disabled={running}>
            {t('households.send')}
          </Button>
        </Group>
        {job && (
          <Stack data-testid="household-job" gap="sm">
            <div aria-live="polite">
              {running && (
                <Stack gap={4}>
                  <Progress value={(job.progress?.fraction ?? 0) * 100} animated aria-label={t('households.progress')} />
                  <Text size="sm" data-testid="household-progress">
                    {job.status === 'queued'
                      ? t('households.queued')
                      : t('households.running', { rows: formatNumber(job.progress?.rows ?? 0), rate: formatNumber(job.progress?.rowsPerSecond ?? 0) })}
                    {job.progress?.etaSeconds !== undefined && ` ${t('households.eta', { seconds: formatNumber(job.progress.etaSeconds) })}`}
                  </Text>
                </Stack>
              )}
              {job.status === 'done' && job.report && (
                <Alert color="teal" role="status">
                  {t('households.done', { rows: formatNumber(job.report.rows), households: formatNumber(job.report.households), seconds: formatNumber(job.report.seconds) })}
                </Alert>
              )}
              {job.status === 'failed' && (
                <Alert color="red" role="alert">
                  {job.error}
                </Alert>
              )}
            </div>
            {counts && (
              <SimpleGrid cols={{ base: 2, sm: 5 }} data-testid="household-counts">
                <Figure label={t('households.created')} value={counts.created} />
                <Figure label={t('households.updated')} value={counts.updated + counts.matched} />
                <Figure label={t('households.review')} value={counts.review} />
                <Figure label={t('imports.rejected')} value={counts.rejected} />
                {job.report && <Figure label={t('households.warnings')} value={job.report.warnings} />}
              </SimpleGrid>
            )}
            {job.commune && <Text size="sm">{t('households.communeOnly', { commune: job.commune })}</Text>}
            {job.status === 'done' && job.report && (
              <Text size="sm" data-testid="household-coverage">
                {job.completeList ? t('households.covered', { communes: formatNumber(job.report.communesCovered) }) : t('households.notCovered')}
              </Text>
            )}
            {job.status !== 'queued' && job.status !== 'running' && job.hasRejected && (
              <Group>
                <Anchor href={`/api/households/jobs/${job.id}/rejected.csv`} download data-testid="household-rejected">
                  {t('households.downloadRejected')}
                </Anchor>
              </Group>
            )}
            {job.status === 'done' && !job.hasRejected && <Text size="sm">{t('households.noRejected')}</Text>}
          </Stack>
        )}
        <Text size="xs" c="dimmed">
          {t('imports.householdCli')}
        </Text>
      </Stack>
    </Card>
  );
}
