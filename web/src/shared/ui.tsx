// Small shared pieces: loading / error / empty states, the language switch, the theme.
import { Alert, Button, Card, Center, Group, Loader, SegmentedControl, Stack, Text, createTheme } from '@mantine/core';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from './api.ts';
import { formatNumber } from './format.ts';
import { useI18n, useT, type MessageKey, type Translate } from './i18n.tsx';

export const theme = createTheme({
  primaryColor: 'teal',
  // The darkest shade keeps white text on buttons above 4.5:1 (WCAG AA).
  primaryShade: 9,
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif',
  defaultRadius: 'md',
  components: {
    Button: { defaultProps: { size: 'md' } },
  },
});

const STATUS_KEYS: Record<number, MessageKey> = {
  0: 'error.network',
  400: 'error.400',
  401: 'error.401',
  403: 'error.403',
  404: 'error.404',
  409: 'error.409',
  410: 'error.404',
  412: 'error.412',
  413: 'error.413',
  422: 'error.400',
  423: 'error.423',
  429: 'error.429',
  503: 'error.503',
};

/** An error in words a clerk understands: the server's Vietnamese message when there is one. */
export function errorText(t: Translate, lang: string, err: unknown): string {
  if (err instanceof ApiError) {
    if (lang === 'vi' && err.serverMessage && err.status !== 0 && err.status < 500) return err.serverMessage;
    return t(STATUS_KEYS[err.status] ?? (err.status >= 500 ? 'error.500' : 'error.400'));
  }
  return t('error.unexpected');
}

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t, lang } = useI18n();
  return (
    <Alert color="red" variant="light" title={t('error.title')} role="alert">
      <Stack gap="xs">
        <Text size="sm">{errorText(t, lang, error)}</Text>
        {onRetry && (
          <Group>
            <Button size="xs" variant="white" color="red" onClick={onRetry}>
              {t('common.retry')}
            </Button>
          </Group>
        )}
      </Stack>
    </Alert>
  );
}

export function Loading({ label }: { label?: string }) {
  const t = useT();
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Group gap="sm">
        <Loader size="sm" />
        <Text c="dimmed">{label ?? t('common.loading')}</Text>
      </Group>
    </Center>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const t = useT();
  return (
    <Text c="dimmed" py="sm" data-testid="empty">
      {children ?? t('common.noData')}
    </Text>
  );
}

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('common.language')}
      value={lang}
      onChange={(v) => setLang(v === 'en' ? 'en' : 'vi')}
      data={[
        { value: 'vi', label: 'VI' },
        { value: 'en', label: 'EN' },
      ]}
    />
  );
}

export type AsyncState<T> = { status: 'loading' } | { status: 'error'; error: unknown } | { status: 'ready'; data: T };

/** Runs a loader when its dependencies change; `reload` runs it again. Stale answers are dropped. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): [AsyncState<T>, () => void] {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ctrl = new AbortController();
    setState({ status: 'loading' });
    loadRef.current(ctrl.signal).then(
      (data) => !ctrl.signal.aborted && setState({ status: 'ready', data }),
      (error: unknown) => !ctrl.signal.aborted && setState({ status: 'error', error }),
    );
    return () => ctrl.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return [state, reload];
}

/** A count on a small card: a label and the number in Vietnamese grouping. */
export
function Figure({ label, value }: { label: string; value: number }) {
  return (
    <Card withBorder padding="sm">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {formatNumber(value)}
      </Text>
    </Card>
  );
}
