import 'uplot/dist/uPlot.min.css';
import '../styles.css';
import { render } from 'preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useErrorBoundary, useState } from 'preact/hooks';
import { auth, getJson, subscribe } from './api';
import { text } from './format';
import type { Overview } from './types';
import { OverviewPage } from './pages/overview';
import { FlowPage } from './pages/flow';
import { FunctionPage } from './pages/function-page';
import { DlqPage } from './pages/dlq';
import { DlqRecordPage } from './pages/dlq-record';
import { SourcesPage } from './pages/sources';
import { Login } from './pages/login';

/** A part of the address as typed: `%E0%A4%A` (a broken escape) stays as it is instead of throwing. */
function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The page and its arguments from the address, and the address as last navigated to (with its query). */
function useRoute(): { route: string[]; address: string } {
  const [address, setAddress] = useState(location.hash);
  useEffect(() => {
    const onHash = () => { setAddress(location.hash); window.scrollTo(0, 0); };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return { route: address.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean).map(decodePart), address };
}

/** The overview, live: one SSE stream for the whole app (every page reads from it). */
function useOverview(enabled: boolean): { overview: Overview | null; live: boolean; failure: string | null } {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [live, setLive] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) return undefined;
    const abort = new AbortController();
    getJson<Overview>('/console/api/overview').then(setOverview, () => undefined);
    void subscribe('/console/api/overview/stream', (event, data) => {
      if (event === 'overview') { setOverview(data as Overview); setFailure(null); }
      if (event === 'failure') setFailure((data as { message: string }).message);
    }, abort.signal, setLive);
    return () => abort.abort();
  }, [enabled]);
  return { overview, live, failure };
}

/**
 * A page that throws while rendering (data no page expected) shows what failed instead of
 * blanking the whole console; the header and the other pages keep working (keyed by the address as navigated to, so
 * moving to another page, or to other filters through a link, starts afresh; the DLQ page's own filter form only
 * replaces the address, which is no navigation).
 */
function PageBoundary({ children }: { children: ComponentChildren }) {
  const [error] = useErrorBoundary();
  if (error) {
    return <p class="banner bad" role="alert" data-page-error>This page could not be shown: {text((error as Error)?.message ?? error)}. The other pages still work.</p>;
  }
  return <>{children}</>;
}

const NAV: Array<[string, string]> = [['', 'Overview'], ['flow', 'Live flow'], ['dlq', 'Dead letters'], ['sources', 'Sources']];

function App() {
  const { route, address } = useRoute();
  const [needLogin, setNeedLogin] = useState(false);
  auth.onUnauthorized = () => setNeedLogin(true);
  const { overview, live, failure } = useOverview(!needLogin);
  if (needLogin) return <Login onDone={() => setNeedLogin(false)} />;
  const [page, arg] = route;
  let body;
  if (page === 'functions' && arg) body = <FunctionPage name={arg} overview={overview} />;
  else if (page === 'flow') body = <FlowPage overview={overview} />;
  else if (page === 'dlq' && arg) body = <DlqRecordPage id={arg} overview={overview} />;
  else if (page === 'dlq') body = <DlqPage overview={overview} />;
  else if (page === 'sources') body = <SourcesPage />;
  else body = <OverviewPage overview={overview} />;
  const current = page === 'functions' ? '' : (page ?? '');
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <a class="brand" href="#/">triggerhub</a>
        <nav aria-label="Console pages">
          {NAV.map(([path, label]) => (
            <a key={path} href={`#/${path}`} aria-current={current === path ? 'page' : undefined}>{label}</a>
          ))}
        </nav>
        <span class={`live ${live ? 'on' : 'off'}`} role="status" aria-live="polite">{live ? 'live' : 'reconnecting…'}</span>
        {auth.token() ? <button type="button" class="link" onClick={() => { auth.clear(); location.reload(); }}>Sign out</button> : null}
      </header>
      <main id="main" tabIndex={-1}>
        {failure ? <p class="banner bad" role="alert">The hub cannot read its data right now: {failure}. The figures below are from before.</p> : null}
        <PageBoundary key={address}>{body}</PageBoundary>
      </main>
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
