// After asking for consent, the clinician may also wait for the resident to tap "Đồng ý" in the
// residents' app: this checks (every 5 s, or on "Kiểm tra lại") for a grant approved in the app
// since the request, and hands it on so the record opens.
import { Button, Group, Text } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../shared/api.ts';
import { useI18n } from '../shared/i18n.tsx';
import type { Grant } from './ConsentPanel.tsx';

const POLL_MS = 5_000;
/** Stop polling when the request has expired on the server (30 minutes). */
const WAIT_MS = 30 * 60_000;

export function AwaitApproval({ patientId, onGranted }: { patientId?: string; onGranted: (grant: Grant) => void }) {
  const { t } = useI18n();
  // The server's clock starts the grant; a minute's slack covers clock drift between the two.
  const since = useRef(Date.now() - 60_000);
  const [notYet, setNotYet] = useState(false);
  const [busy, setBusy] = useState(false);
  const done = useRef(false);
  // The parent passes a new callback on each render; the polling must not restart for it.
  const granted = useRef(onGranted);
  granted.current = onGranted;

  const check = useCallback(
    async (byHand: boolean) => {
      if (done.current) return;
      setBusy(byHand);
      try {
        const { grants } = await api.get<{ grants: (Grant & { starts: string })[] }>('/api/consent');
        // Asked by key, the record's id is not known here: any grant approved in the app since the request is it.
        const found = grants.find((g) => g.active && g.method === 'app' && Date.parse(g.starts) >= since.current && (!patientId || g.patientId === patientId));
        if (found) {
          done.current = true;
          granted.current(found);
        } else if (byHand) setNotYet(true);
      } catch {
        if (byHand) setNotYet(true);
      } finally {
        setBusy(false);
      }
    },
    [patientId],
  );

  useEffect(() => {
    const started = Date.now();
    const timer = window.setInterval(() => {
      if (Date.now() - started > WAIT_MS) window.clearInterval(timer);
      else void check(false);
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [check]);

  return (
    <Group data-testid="await-approval" gap="xs">
      <Text size="sm">{t('consent.waitApp')}</Text>
      <Button variant="light" size="xs" loading={busy} onClick={() => void check(true)}>
        {t('consent.checkAgain')}
      </Button>
      {notYet && (
        <Text size="sm" c="dimmed" role="status">
          {t('consent.notYet')}
        </Text>
      )}
    </Group>
  );
}
