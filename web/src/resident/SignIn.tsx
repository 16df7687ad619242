// Resident sign-in: phone + password, or phone + SMS code; activate an account issued at a
// facility (code + new password); ask for an account (CCCD + phone).
import { Alert, Button, Center, Group, Paper, PasswordInput, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api } from '../shared/api.ts';
import { useI18n } from '../shared/i18n.tsx';
import { errorText, LanguageSwitch } from '../shared/ui.tsx';
import type { ResidentSession } from './ResidentApp.tsx';

type Mode = 'password' | 'sms' | 'activate' | 'request';

const phoneOk = (p: string) => /^(0|\+84)\d{9}$/.test(p.replace(/[\s.]/g, ''));

export function SignIn({ onSignedIn }: { onSignedIn: (s: ResidentSession) => void }) {
  const { t, lang } = useI18n();
  const [mode, setMode] = useState<Mode>('password');
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [cccd, setCccd] = useState('');
  const [codeSent, setCodeSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [info, setInfo] = useState<string>();

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    setInfo(undefined);
    try {
      await action();
    } catch (err) {
      setError(errorText(t, lang, err));
    } finally {
      setBusy(false);
    }
  }
  const cleanPhone = phone.replace(/[\s.]/g, '');

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!phoneOk(phone)) return setError(t('form.err.phone'));
    if (mode === 'password') {
      if (!password) return setError(t('app.signin.needPassword'));
      void run(async () => onSignedIn(await api.post<ResidentSession>('/auth/resident/login', { phone: cleanPhone, password })));
    } else if (mode === 'sms') {
      if (!codeSent) {
        void run(async () => {
          await api.post('/auth/resident/login-code', { phone: cleanPhone });
          setCodeSent(true);
          setInfo(t('app.signin.codeSent'));
        });
      } else {
        if (!/^\d{6}$/.test(code)) return setError(t('consent.otpFormat'));
        void run(async () => onSignedIn(await api.post<ResidentSession>('/auth/resident/login-code/verify', { phone: cleanPhone, code })));
      }
    } else if (mode === 'activate') {
      if (!/^\d{6}$/.test(code)) return setError(t('consent.otpFormat'));
      if (password.length < 10) return setError(t('app.signin.weakPassword'));
      void run(async () => onSignedIn(await api.post<ResidentSession>('/auth/resident/activate', { phone: cleanPhone, code, password })));
    } else {
      if (!/^\d{12}$/.test(cccd)) return setError(t('form.err.cccd'));
      void run(async () => {
        await api.post('/auth/resident/request-account', { cccd, phone: cleanPhone });
        setInfo(t('app.signin.requested'));
        setMode('activate');
      });
    }
  }

  const submitLabel =
    mode === 'password' ? t('login.submit') : mode === 'sms' ? (codeSent ? t('login.submit') : t('app.signin.sendCode')) : mode === 'activate' ? t('app.signin.activate') : t('app.signin.request');

  return (
    <Center mih="100vh" p="sm" bg="gray.1">
      <Paper withBorder p="lg" w="100%" maw={440} component="main">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Group justify="space-between">
              <Title order={1} size="h3">
                {t('app.title')}
              </Title>
              <LanguageSwitch />
            </Group>
            <SegmentedControl
              fullWidth
              value={mode}
              onChange={(v) => {
                setMode(v as Mode);
                setError(undefined);
                setCodeSent(false);
              }}
              data={[
                { value: 'password', label: t('app.signin.password') },
                { value: 'sms', label: t('app.signin.sms') },
                { value: 'activate', label: t('app.signin.activateTab') },
                { value: 'request', label: t('app.signin.requestTab') },
              ]}
              aria-label={t('app.signin.how')}
            />
            {mode === 'request' && <Text size="sm">{t('app.signin.requestHelp')}</Text>}
            {mode === 'activate' && <Text size="sm">{t('app.signin.activateHelp')}</Text>}
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            {info && (
              <Alert color="teal" role="status">
                {info}
              </Alert>
            )}
            {mode === 'request' && <TextInput size="md" label={t('id.cccd')} value={cccd} onChange={(e) => setCccd(e.currentTarget.value.replace(/\D/g, '').slice(0, 12))} inputMode="numeric" />}
            <TextInput size="md" label={t('record.phone')} value={phone} onChange={(e) => setPhone(e.currentTarget.value)} inputMode="tel" autoComplete="tel" />
            {(mode === 'activate' || (mode === 'sms' && codeSent)) && (
              <TextInput size="md" label={t('app.signin.code')} value={code} onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))} inputMode="numeric" autoComplete="one-time-code" />
            )}
            {(mode === 'password' || mode === 'activate') && (
              <PasswordInput
                size="md"
                label={mode === 'activate' ? t('app.signin.newPassword') : t('login.password')}
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                autoComplete={mode === 'activate' ? 'new-password' : 'current-password'}
              />
            )}
            <Button type="submit" size="lg" loading={busy} fullWidth>
              {submitLabel}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
