// The consent step: ask the resident for access (OTP by SMS to the phone on the record — by the
// record shown, or by a CCCD / resident ID / BHYT card when the record cannot be seen yet), enter
// the OTP or a share code from the resident's app, or — clinicians only — break-glass with a
// mandatory reason. Shows until when the access lasts.
import { Alert, Button, Card, Group, Select, Stack, Tabs, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api } from '../shared/api.ts';
import { formatDateTime } from '../shared/format.ts';
import { useI18n } from '../shared/i18n.tsx';
import { errorText } from '../shared/ui.tsx';
import { AwaitApproval } from './AwaitApproval.tsx';
import { useSession } from './session.tsx';

export interface Grant {
  id: string;
  patientId: string;
  expires: string;
  kind: string;
  method: string;
  active: boolean;
}

const HOURS = ['1', '4', '8', '24'];

/** The shapes the server accepts as a key (it checks them fully): CCCD, HS resident ID, BHYT card. */
const KEY_SHAPE = /^(\d{12}|HS\d{11}[\dX]|\d{10}|[A-Z]{2}\d{13})$/;
const compactKey = (raw: string) => raw.replace(/[\s.-]/g, '').toUpperCase();

export function ConsentPanel({ patientId, onGranted }: { patientId?: string; onGranted: (grant: Grant) => void }) {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const [tab, setTab] = useState<string | null>('otp');
  const [phone, setPhone] = useState<string>();
  const [key, setKey] = useState('');
  const [keySent, setKeySent] = useState(false);
  const [code, setCode] = useState('');
  const [hours, setHours] = useState('4');
  const [shareCode, setShareCode] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const canBreakGlass = session.actor.role === 'clinician' && Boolean(patientId);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(errorText(t, lang, err));
    } finally {
      setBusy(false);
    }
  }

  // Without a record on screen, the clinician asks by the key the resident tells them.
  const subject = () => (patientId ? { patientId } : { identifier: compactKey(key) });

  const requestOtp = () =>
    run(async () => {
      if (patientId) {
        const res = await api.post<{ phone: string }>('/api/consent/otp/request', { patientId });
        setPhone(res.phone);
        return;
      }
      await api.post('/api/consent/otp/request', subject());
      setKeySent(true);
    });

  const requestByKey = (e: FormEvent) => {
    e.preventDefault();
    if (!KEY_SHAPE.test(compactKey(key))) return setError(t('consent.keyFormat'));
    void requestOtp();
  };

  const verifyOtp = (e: FormEvent) => {
    e.preventDefault();
    if (!/^\d{6}$/.test(code)) return setError(t('consent.otpFormat'));
    void run(async () => onGranted(await api.post<Grant>('/api/consent/otp/verify', { ...subject(), code, hours: Number(hours) })));
  };

  const sent = patientId ? phone !== undefined : keySent;

  const redeem = (e: FormEvent) => {
    e.preventDefault();
    const c = shareCode.trim().replace(/^hssk-share:/i, '');
    if (c.replace(/[^A-Za-z0-9]/g, '').length < 8) return setError(t('consent.shareFormat'));
    void run(async () => onGranted(await api.post<Grant>('/api/consent/share-codes/redeem', { code: c })));
  };

  const breakGlass = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim().length < 10) return setError(t('consent.reasonRequired'));
    void run(async () => onGranted(await api.post<Grant>('/api/consent/break-glass', { patientId, reason: reason.trim(), hours: 4 })));
  };

  return (
    <Card withBorder data-testid="consent-panel">
      <Stack>
        <Title order={3}>{t('consent.title')}</Title>
        <Text size="sm">{t('consent.explain')}</Text>
        {error && (
          <Alert color="red" role="alert" data-testid="consent-error">
            {error}
          </Alert>
        )}
        <Tabs value={tab} onChange={(v) => { setTab(v); setError(undefined); }}>
          <Tabs.List>
            <Tabs.Tab value="otp">{t('consent.tab.otp')}</Tabs.Tab>
            <Tabs.Tab value="share">{t('consent.tab.share')}</Tabs.Tab>
            {canBreakGlass && (
              <Tabs.Tab value="break-glass" color="red">
                {t('consent.tab.breakGlass')}
              </Tabs.Tab>
            )}
          </Tabs.List>
          <Tabs.Panel value="otp" pt="md">
              {!sent ? (
                patientId ? (
                  <Stack>
                    <Text size="sm">{t('consent.otpExplain')}</Text>
                    <Group>
                      <Button onClick={() => void requestOtp()} loading={busy}>
                        {t('consent.sendOtp')}
                      </Button>
                    </Group>
                  </Stack>
                ) : (
                  <form onSubmit={requestByKey} noValidate>
                    <Stack>
                      <Text size="sm">{t('consent.otpExplain')}</Text>
                      <Group align="flex-end">
                        <TextInput label={t('consent.keyLabel')} description={t('consent.keyHelp')} value={key} onChange={(e) => setKey(e.currentTarget.value)} autoComplete="off" w={360} />
                        <Button type="submit" loading={busy}>
                          {t('consent.sendOtp')}
                        </Button>
                      </Group>
                    </Stack>
                  </form>
                )
              ) : (
                <form onSubmit={verifyOtp} noValidate>
                  <Stack>
                    <Text size="sm" data-testid="otp-sent">
                      {patientId ? t('consent.otpSent', { phone: phone ?? '' }) : t('consent.keySent')}
                    </Text>
                    <AwaitApproval patientId={patientId} onGranted={onGranted} />
                    <Group align="flex-end">
                      <TextInput
                        label={t('consent.otpCode')}
                        value={code}
                        onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))}
                        inputMode="numeric"
                        autoComplete="one-time-code"
                        w={160}
                      />
                      <Select label={t('consent.duration')} value={hours} onChange={(v) => setHours(v ?? '4')} allowDeselect={false} w={160} data={HOURS.map((h) => ({ value: h, label: t('consent.hours', { n: h }) }))} />
                      <Button type="submit" loading={busy}>
                        {t('consent.confirm')}
                      </Button>
                      <Button variant="subtle" onClick={() => void requestOtp()} disabled={busy}>
                        {t('consent.resend')}
                      </Button>
                      {!patientId && (
                        <Button variant="subtle" onClick={() => { setKeySent(false); setCode(''); }} disabled={busy}>
                          {t('consent.otherKey')}
                        </Button>
                      )}
                    </Group>
                  </Stack>
                </form>
              )}
            </Tabs.Panel>
          <Tabs.Panel value="share" pt="md">
            <form onSubmit={redeem} noValidate>
              <Group align="flex-end">
                <TextInput label={t('consent.shareCode')} description={t('consent.shareHelp')} value={shareCode} onChange={(e) => setShareCode(e.currentTarget.value.toUpperCase())} autoComplete="off" w={240} />
                <Button type="submit" loading={busy}>
                  {t('consent.useShare')}
                </Button>
              </Group>
            </form>
          </Tabs.Panel>
          {canBreakGlass && (
            <Tabs.Panel value="break-glass" pt="md">
              <form onSubmit={breakGlass} noValidate>
                <Stack>
                  <Alert color="orange" title={t('consent.breakGlassWarnTitle')}>
                    {t('consent.breakGlassWarn')}
                  </Alert>
                  <Textarea label={t('consent.reason')} description={t('consent.reasonHelp')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} required minRows={3} maxLength={1000} />
                  <Group>
                    <Button type="submit" color="red" loading={busy}>
                      {t('consent.breakGlassSubmit')}
                    </Button>
                  </Group>
                </Stack>
              </form>
            </Tabs.Panel>
          )}
        </Tabs>
      </Stack>
    </Card>
  );
}

export function GrantNotice({ grant }: { grant: Grant }) {
  const { t } = useI18n();
  return (
    <Alert color={grant.kind === 'break-glass' ? 'orange' : 'teal'} data-testid="grant-notice">
      {grant.kind === 'break-glass' ? t('consent.breakGlassUntil', { time: formatDateTime(grant.expires) }) : t('consent.until', { time: formatDateTime(grant.expires) })}
    </Alert>
  );
}
