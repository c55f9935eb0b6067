import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onUnauthorized, savedToken } from './api.js';
import { html } from './html.js';
import { LoginPage } from './pages/login.js';
import { OverviewPage } from './pages/overview.js';
import { PublishPage } from './pages/publish.js';
import { SubjectPage } from './pages/subject.js';
import { SubjectsPage } from './pages/subjects.js';
import { TailPage } from './pages/tail.js';

/** `#/subjects`, `#/subject/<subject, URI-encoded>`, …: the page and its argument. */
function route(): { page: string; argument: string } {
  const [, page = '', ...rest] = location.hash.split('/');
  return { page, argument: decodeURIComponent(rest.join('/')) };
}

const PAGES = [
  { page: '', title: 'Overview' },
  { page: 'subjects', title: 'Subjects' },
  { page: 'publish', title: 'Publish' },
  { page: 'tail', title: 'Tail' },
];

function App() {
  const [where, setWhere] = useState(route());
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    const onHash = () => setWhere(route());
    addEventListener('hashchange', onHash);
    const off = onUnauthorized(() => setAsking(true));
    return () => {
      removeEventListener('hashchange', onHash);
      off();
    };
  }, []);
  const current = PAGES.find((p) => p.page === where.page || (where.page === 'subject' && p.page === 'subjects'));
  return html`
    <header>
      <a class="brand" href="#/">GopherMQ</a>
      <nav aria-label="Pages">
        ${PAGES.map((p) => html`<a href=${'#/' + p.page} aria-current=${current === p ? 'page' : undefined}>${p.title}</a>`)}
      </nav>
      <button type="button" class="token" onClick=${() => setAsking(true)}>${savedToken() === '' ? 'Token' : 'Token ✓'}</button>
    </header>
    <main>
      ${asking ? html`<${LoginPage} onDone=${() => setAsking(false)} />` : page(where)}
    </main>
  `;
}

function page({ page, argument }: { page: string; argument: string }) {
  switch (page) {
    case 'subjects':
      return html`<${SubjectsPage} />`;
    case 'subject':
      return html`<${SubjectPage} subject=${argument} key=${argument} />`;
    case 'publish':
      return html`<${PublishPage} subject=${argument} />`;
    case 'tail':
      return html`<${TailPage} subject=${argument} key=${argument} />`;
    default:
      return html`<${OverviewPage} />`;
  }
}

render(html`<${App} />`, document.getElementById('app')!);
