// The staff portal: sign-in gate, then the shell with its pages.
import { useCallback, useEffect, useState } from 'react';
import { Route, Routes } from 'react-router';
import { api, ApiError, setCsrfToken } from '../shared/api.ts';
import { ErrorAlert, Loading } from '../shared/ui.tsx';
import { AccessPage } from './AccessPage.tsx';
import { AdminPage } from './AdminPage.tsx';
import { Form831Page } from './Form831Page.tsx';
import { HomePage } from './HomePage.tsx';
import { IdentityReviewPage } from './IdentityReviewPage.tsx';
import { ImportsPage } from './ImportsPage.tsx';
import { LoginPage } from './LoginPage.tsx';
import { NotFound, Shell } from './Shell.tsx';
import { RecordPage } from './RecordPage.tsx';
import { ReportsPage } from './reports/ReportsPage.tsx';
import { SearchPage } from './SearchPage.tsx';
import { SyncPage } from './SyncPage.tsx';
import { SessionContext, type SessionInfo } from './session.tsx';
import { WorklistsPage } from './WorklistsPage.tsx';

type State = { status: 'loading' } | { status: 'signed-out' } | { status: 'error'; error: unknown } | { status: 'signed-in'; session: SessionInfo };

export function App() {
  const [state, setState] = useState<State>({ status: 'loading' });

  const check = useCallback(async () => {
    setState({ status: 'loading' });
    try {
      const session = await api.get<SessionInfo>('/auth/session');
      if (session.actor.kind !== 'staff') {
        setState({ status: 'signed-out' });
        return;
      }
      setCsrfToken(session.csrfToken);
      setState({ status: 'signed-in', session });
    } catch (err) {
      setState(err instanceof ApiError && err.status === 401 ? { status: 'signed-out' } : { status: 'error', error: err });
    }
  }, []);

  useEffect(() => {
    void check();
  }, [check]);

  const signOut = useCallback(async () => {
    await api.post('/auth/logout').catch(() => undefined);
    setCsrfToken(undefined);
    setState({ status: 'signed-out' });
  }, []);

  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorAlert error={state.error} onRetry={() => void check()} />;
  if (state.status === 'signed-out') {
    return (
      <LoginPage
        onSignedIn={(session) => {
          setCsrfToken(session.csrfToken);
          setState({ status: 'signed-in', session });
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={{ session: state.session, signOut }}>
      <Shell>
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="/search" element={<SearchPage />} />
          <Route path="/access" element={<AccessPage />} />
          <Route path="/patients/new" element={<Form831Page />} />
          <Route path="/patients/:id" element={<RecordPage />} />
          <Route path="/patients/:id/form831" element={<Form831Page />} />
          <Route path="/worklists" element={<WorklistsPage />} />
          <Route path="/worklists/:code" element={<WorklistsPage />} />
          <Route path="/imports" element={<ImportsPage />} />
          <Route path="/reports" element={<ReportsPage />} />
          <Route path="/identity" element={<IdentityReviewPage />} />
          <Route path="/admin/*" element={<AdminPage />} />
          <Route path="/sync" element={<SyncPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Shell>
    </SessionContext.Provider>
  );
}
