// Staff sign-in: username + password, then the TOTP code when the account needs one.
import { Alert, Button, Center, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../shared/api.ts';
import { useI18n } from '../shared/i18n.tsx';
import { errorText, LanguageSwitch } from '../shared/ui.tsx';
import type { SessionInfo } from './session.tsx';

export function LoginPage({ onSignedIn }: { onSignedIn: (s: SessionInfo) => void }) {
  const { t, lang } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => {
    // Time from navigation start to a usable sign-in form (read by the browser tests).
    if (performance.getEntriesByName('hssk:first-page').length === 0) performance.mark('hssk:first-page');
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError(t('login.required'));
      return;
    }
    if (needTotp && !/^\d{6}$/.test(totp)) {
      setError(t('login.totpFormat'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const session = await api.post<SessionInfo>('/auth/login', { username: username.trim(), password, ...(needTotp ? { totp } : {}) });
      if (session.actor.kind !== 'staff') throw new ApiError(403);
      onSignedIn(session);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp-required') {
        setNeedTotp(true);
        setError(t('login.totpNeeded'));
      } else {
        setError(errorText(t, lang, err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" p="md" bg="gray.1">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420} component="main">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Group justify="space-between">
              <Title order={1} size="h2">
                HSSK
              </Title>
              <LanguageSwitch />
            </Group>
            <Text>{t('login.title')}</Text>
            {error && (
              <Alert color="red" role="alert" data-testid="login-error">
                {error}
              </Alert>
            )}
            <TextInput label={t('login.username')} value={username} onChange={(e) => setUsername(e.currentTarget.value)} autoComplete="username" required autoFocus />
            <PasswordInput label={t('login.password')} value={password} onChange={(e) => setPassword(e.currentTarget.value)} autoComplete="current-password" required />
            {needTotp && (
              <TextInput
                label={t('login.totp')}
                description={t('login.totpHelp')}
                value={totp}
                onChange={(e) => setTotp(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))}
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                autoFocus
              />
            )}
            <Button type="submit" loading={busy} fullWidth>
              {t('login.submit')}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
