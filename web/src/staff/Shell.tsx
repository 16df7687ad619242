// The frame of every signed-in page: header (who is signed in, role, facility or commune,
// language, sign out) and the navigation. Collapses to a menu button on narrow screens.
import { AppShell, Badge, Burger, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { useT, type MessageKey } from '../shared/i18n.tsx';
import { LanguageSwitch } from '../shared/ui.tsx';
import { useSession, type StaffActor } from './session.tsx';

export const ROLE_KEYS: Record<StaffActor['role'], MessageKey> = {
  admin: 'role.admin',
  manager: 'role.manager',
  'commune-worker': 'role.commune-worker',
  clinician: 'role.clinician',
  clerk: 'role.clerk',
};

export function scopeText(t: (k: MessageKey, p?: Record<string, string>) => string, actor: StaffActor): string {
  const communeText = (code: string) => (actor.communeName ? t('shell.named', { name: actor.communeName, code }) : t('shell.commune', { code }));
  const facilityText = (code: string) => (actor.facilityName ? t('shell.named', { name: actor.facilityName, code }) : t('shell.facility', { code }));
  if (actor.role === 'commune-worker' && actor.communeCode) return communeText(actor.communeCode);
  if (actor.facilityCode) return facilityText(actor.facilityCode);
  if (actor.communeCode) return communeText(actor.communeCode);
  return t('shell.province');
}

export function Shell({ children }: { children: ReactNode }) {
  const t = useT();
  const { session, signOut } = useSession();
  const actor = session.actor;
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const links: { to: string; label: MessageKey; show: boolean }[] = [
    { to: '/', label: 'nav.home', show: true },
    { to: '/search', label: 'nav.search', show: actor.role !== 'manager' },
    // The worklist API's rule: commune health workers, managers and administrators.
    { to: '/worklists', label: 'nav.worklists', show: actor.role === 'commune-worker' || actor.role === 'manager' || actor.role === 'admin' },
    { to: '/patients/new', label: 'nav.newRecord', show: actor.role !== 'manager' },
    { to: '/access', label: 'nav.access', show: actor.role !== 'manager' },
    { to: '/imports', label: 'nav.imports', show: true },
    // Every staff role has reports; the API decides the scope (facility staff: diseases and arrivals).
    { to: '/reports', label: 'nav.reports', show: true },
    // The review queue's API rule: administrators, clerks and commune health workers.
    { to: '/identity', label: 'nav.identity', show: actor.role === 'admin' || actor.role === 'clerk' || actor.role === 'commune-worker' },
    { to: '/admin', label: 'nav.admin', show: actor.role === 'admin' },
    { to: '/sync', label: 'nav.sync', show: actor.role === 'admin' },
  ];
  return (
    <AppShell header={{ height: 64 }} navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a href="#main" className="skip-link">
        {t('shell.skip')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('shell.menu')} />
            <Title order={1} size="h3">
              HSSK
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Stack gap={0} align="flex-end" visibleFrom="xs" data-testid="who">
              <Text size="sm" fw={600}>
                {actor.displayName ?? actor.username}
              </Text>
              <Group gap={4}>
                <Badge size="sm" variant="light" tt="none" data-testid="role">
                  {t(ROLE_KEYS[actor.role])}
                </Badge>
                <Text size="xs">{scopeText(t, actor)}</Text>
              </Group>
            </Stack>
            <LanguageSwitch />
            <Button variant="default" size="xs" onClick={() => void signOut()}>
              {t('shell.signOut')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t('shell.navigation')}>
        {links
          .filter((l) => l.show)
          .map((l) => (
            <NavLink
              key={l.to}
              component={Link}
              to={l.to}
              label={t(l.label)}
              onClick={close}
              active={l.to === '/' ? location.pathname === '/' : location.pathname.startsWith(l.to)}
            />
          ))}
      </AppShell.Navbar>
      <AppShell.Main id="main">{children}</AppShell.Main>
    </AppShell>
  );
}

export function NotFound() {
  const t = useT();
  return <Text>{t('common.pageNotFound')}</Text>;
}
