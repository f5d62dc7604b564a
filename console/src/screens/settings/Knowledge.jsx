// Knowledge: the documents the assistant answers from. Add one by uploading a file (PDF, Word, HTML, Markdown, text,
// or an FAQ as CSV or JSON), from a URL, by pasting text, or writing an FAQ; open one to see its content and chunks;
// try a search (hits name their document and section); delete.
import { useState } from 'preact/hooks';
import { allPages, del, get, post } from '../../api.js';
import { t } from '../../i18n/index.js';
import { Field, Loading, Problem, Status, Time, useAsync, useSubmit } from '../../ui/common.jsx';
import { errorFor } from '../../ui/SchemaForm.jsx';
import { Confirm, SettingsPage } from '../../ui/settings.jsx';

const enc = encodeURIComponent;
const MAX_FILE = 512 * 1024;
const MAX_UPLOAD = 10 * 1024 * 1024; // the hub's clawless.knowledge.max-file-size default; the hub has the last word
const PARSED = ['.pdf', '.docx', '.doc', '.html', '.htm'];

/** Parses CSV (RFC 4180: quotes, doubled quotes, commas and newlines inside quotes) into rows of cells. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === ';') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((x) => x.trim()));
}

/**
 * An uploaded file as a document: {title, format, content}; {title, upload: true} for a file the hub reads itself
 * (PDF, Word, HTML), sent as multipart/form-data; or an error key.
 */
export function fileToDocument(name, text) {
  const title = name.replace(/\.[^.]+$/, '');
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) {
    let rows = parseCsv(text);
    if (rows.length && /^(q|question|pregunta|pergunta)$/i.test(rows[0][0].trim())) rows = rows.slice(1);
    const content = rows.filter((r) => r.length >= 2).map((r) => ({ q: r[0].trim(), a: r[1].trim() }));
    return content.length ? { title, format: 'faq', content } : { error: 'knowledge.csvEmpty' };
  }
  if (lower.endsWith('.json')) {
    try {
      const data = JSON.parse(text);
      const list = Array.isArray(data) ? data : data && data.faq;
      if (Array.isArray(list) && list.every((e) => e && typeof e.q === 'string' && typeof e.a === 'string')) {
        return { title, format: 'faq', content: list.map((e) => ({ q: e.q, a: e.a })) };
      }
    } catch (e) { /* below */ }
    return { error: 'knowledge.jsonNotFaq' };
  }
  if (lower.endsWith('.md') || lower.endsWith('.markdown')) return { title, format: 'markdown', content: text };
  if (lower.endsWith('.txt')) return { title, format: 'text', content: text };
  if (PARSED.some((ext) => lower.endsWith(ext))) return { title, upload: true };
  return { error: 'knowledge.unsupported' };
}

export function Knowledge({ id }) {
  if (id) return <DocumentPage id={id} key={id} />;
  return <KnowledgeList />;
}

function KnowledgeList() {
  const docs = useAsync(() => allPages('/v1/knowledge/documents', {}, { maxPages: 20 }).then((r) => r.data), []);
  const [tab, setTab] = useState('upload');
  const tabs = ['upload', 'url', 'faq', 'text'];
  return (
    <SettingsPage section="knowledge" title={t('settings.knowledge')}>
      <p class="muted">{t('knowledge.intro')}</p>
      <section class="panel" aria-labelledby="knowledge-add-title">
        <h2 id="knowledge-add-title">{t('knowledge.add')}</h2>
        <div role="tablist" class="tabs" aria-label={t('knowledge.add')}>
          {tabs.map((k) => (
            <button key={k} type="button" role="tab" id={`kn-tab-${k}`} aria-selected={tab === k ? 'true' : 'false'}
              aria-controls={`kn-panel-${k}`} onClick={() => setTab(k)} data-test={`knowledge-tab-${k}`}>
              {t(`knowledge.tab.${k}`)}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`kn-panel-${tab}`} aria-labelledby={`kn-tab-${tab}`}>
          {tab === 'upload' && <UploadForm onAdded={docs.reload} />}
          {tab === 'url' && <UrlForm onAdded={docs.reload} />}
          {tab === 'faq' && <FaqForm onAdded={docs.reload} />}
          {tab === 'text' && <TextForm onAdded={docs.reload} />}
        </div>
      </section>
      <SearchBox />
      <section aria-labelledby="documents-title">
        <h2 id="documents-title">{t('knowledge.documents')}</h2>
        <Problem error={docs.error} />
        {!docs.data ? <Loading /> : (
          <div class="table-wrap">
            <table data-test="documents-table">
              <thead><tr>
                <th scope="col">{t('knowledge.titleField')}</th><th scope="col">{t('knowledge.format')}</th>
                <th scope="col">{t('knowledge.chunks')}</th><th scope="col">{t('knowledge.added')}</th>
              </tr></thead>
              <tbody>
                {docs.data.map((d) => (
                  <tr key={d.id} data-test="document-row" data-document-id={d.id}>
                    <th scope="row"><a href={`#/settings/knowledge/${enc(d.id)}`} data-test="document-open">{d.title}</a></th>
                    <td>{t(`format.${d.format}`)}</td><td>{d.chunk_count}</td><td><Time iso={d.created_at} /></td>
                  </tr>
                ))}
                {!docs.data.length && <tr><td colSpan={4} class="muted">{t('knowledge.none')}</td></tr>}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </SettingsPage>
  );
}

function AddStatus({ doc }) {
  return <Status message={doc ? t('knowledge.addedDoc', { title: doc.title, count: doc.chunk_count }) : ''}
    test="knowledge-add-status" />;
}

function UploadForm({ onAdded }) {
  const [file, setFile] = useState(null);
  const [added, setAdded] = useState(null);
  const { busy, error, setError, run } = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    setAdded(null);
    if (!file) {
      setError({ detail: t('knowledge.chooseFile'), errors: [] });
      return;
    }
    const parsed = fileToDocument(file.name, '').upload;
    if (file.size > (parsed ? MAX_UPLOAD : MAX_FILE)) {
      setError({ detail: t(parsed ? 'knowledge.tooLargeFile' : 'knowledge.tooLarge'), errors: [] });
      return;
    }
    run(async () => {
      let body;
      if (parsed) {
        body = new FormData();
        body.append('file', file, file.name);
      } else {
        body = fileToDocument(file.name, await file.text());
        if (body.error) throw Object.assign(new Error(t(body.error)), { detail: t(body.error), errors: [] });
      }
      const created = await post('/v1/knowledge/documents', body);
      setAdded(created);
      setFile(null);
      e.target.reset();
      onAdded();
    });
  };
  return (
    <form onSubmit={submit} data-test="knowledge-upload-form">
      <Field type="file" label={t('knowledge.file')} accept=".pdf,.docx,.doc,.html,.htm,.md,.markdown,.txt,.csv,.json"
        test="knowledge-file"
        hint={t('knowledge.fileHint')} onChange={(e) => setFile(e.currentTarget.files[0] || null)} />
      <Problem error={error} test="knowledge-upload-error" />
      <AddStatus doc={added} />
      <button type="submit" class="primary" disabled={busy} data-test="knowledge-upload">{t('knowledge.upload')}</button>
    </form>
  );
}

function UrlForm({ onAdded }) {
  const [form, setForm] = useState({ url: '', title: '' });
  const [added, setAdded] = useState(null);
  const { busy, error, run } = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    setAdded(null);
    run(async () => {
      const body = { url: form.url.trim() };
      if (form.title.trim()) body.title = form.title.trim();
      const created = await post('/v1/knowledge/documents', body);
      setAdded(created);
      setForm({ url: '', title: '' });
      onAdded();
    });
  };
  return (
    <form onSubmit={submit} data-test="knowledge-url-form" noValidate>
      <Field type="url" label={t('knowledge.url')} value={form.url} required maxLength={2048} test="knowledge-url"
        hint={t('knowledge.urlHint')} error={errorFor(error, 'url')}
        onInput={(e) => setForm({ ...form, url: e.currentTarget.value })} />
      <Field label={t('knowledge.titleOptional')} value={form.title} maxLength={300} test="knowledge-url-title"
        error={errorFor(error, 'title')} onInput={(e) => setForm({ ...form, title: e.currentTarget.value })} />
      <Problem error={error} test="knowledge-url-error" />
      <AddStatus doc={added} />
      <button type="submit" class="primary" disabled={busy} data-test="knowledge-fetch">{t('knowledge.fetch')}</button>
    </form>
  );
}

function FaqForm({ onAdded }) {
  const [title, setTitle] = useState('');
  const [rows, setRows] = useState([{ q: '', a: '' }]);
  const [sent, setSent] = useState([]); // the rows sent, by their position on screen: content[i] is rows[sent[i]]
  const [added, setAdded] = useState(null);
  const { busy, error, run } = useSubmit();
  const rowError = (i) => (sent.indexOf(i) >= 0 ? errorFor(error, `content[${sent.indexOf(i)}]`) : null);
  const set = (i, k, v) => setRows(rows.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  const submit = (e) => {
    e.preventDefault();
    setAdded(null);
    run(async () => {
      const kept = rows.map((r, i) => i).filter((i) => rows[i].q.trim() || rows[i].a.trim());
      setSent(kept);
      const content = kept.map((i) => ({ q: rows[i].q.trim(), a: rows[i].a.trim() }));
      const created = await post('/v1/knowledge/documents', { title: title.trim(), format: 'faq', content });
      setAdded(created);
      setTitle('');
      setRows([{ q: '', a: '' }]);
      onAdded();
    });
  };
  return (
    <form onSubmit={submit} data-test="knowledge-faq-form" noValidate>
      <Field label={t('knowledge.titleField')} value={title} required maxLength={300} test="faq-title"
        error={errorFor(error, 'title')} onInput={(e) => setTitle(e.currentTarget.value)} />
      {rows.map((r, i) => (
        <fieldset key={i} class="faq-row" data-test="faq-row">
          <legend>{t('knowledge.entry', { n: i + 1 })}</legend>
          <Field label={t('knowledge.question')} value={r.q} test={`faq-q-${i}`} error={rowError(i)}
            onInput={(e) => set(i, 'q', e.currentTarget.value)} />
          <Field as="textarea" rows={2} label={t('knowledge.answer')} value={r.a} test={`faq-a-${i}`} error={rowError(i)}
            onInput={(e) => set(i, 'a', e.currentTarget.value)} />
          {rows.length > 1 && (
            <button type="button" class="link-button" data-test={`faq-remove-${i}`}
              onClick={() => setRows(rows.filter((_, j) => j !== i))}>{t('knowledge.removeEntry', { n: i + 1 })}</button>
          )}
        </fieldset>
      ))}
      <button type="button" onClick={() => setRows([...rows, { q: '', a: '' }])} data-test="faq-add-row">
        {t('knowledge.addEntry')}
      </button>
      <Problem error={error} test="knowledge-faq-error" />
      <AddStatus doc={added} />
      <button type="submit" class="primary" disabled={busy} data-test="faq-save">{t('knowledge.saveFaq')}</button>
    </form>
  );
}

function TextForm({ onAdded }) {
  const [form, setForm] = useState({ title: '', format: 'markdown', content: '' });
  const [added, setAdded] = useState(null);
  const { busy, error, run } = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    setAdded(null);
    run(async () => {
      const created = await post('/v1/knowledge/documents', { ...form, title: form.title.trim() });
      setAdded(created);
      setForm({ title: '', format: form.format, content: '' });
      onAdded();
    });
  };
  return (
    <form onSubmit={submit} data-test="knowledge-text-form" noValidate>
      <Field label={t('knowledge.titleField')} value={form.title} required maxLength={300} test="text-title"
        error={errorFor(error, 'title')} onInput={(e) => setForm({ ...form, title: e.currentTarget.value })} />
      <Field as="select" label={t('knowledge.format')} value={form.format} test="text-format"
        onChange={(e) => setForm({ ...form, format: e.currentTarget.value })}>
        <option value="markdown">{t('format.markdown')}</option>
        <option value="text">{t('format.text')}</option>
      </Field>
      <Field as="textarea" rows={8} label={t('knowledge.content')} value={form.content} test="text-content"
        error={errorFor(error, 'content')} onInput={(e) => setForm({ ...form, content: e.currentTarget.value })} />
      <Problem error={error} test="knowledge-text-error" />
      <AddStatus doc={added} />
      <button type="submit" class="primary" disabled={busy} data-test="text-save">{t('knowledge.saveText')}</button>
    </form>
  );
}

function SearchBox() {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState(null);
  const { busy, error, run } = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      const res = await post('/v1/knowledge/search', { query: q.trim(), k: 5 });
      setHits((res && res.data) || []);
    });
  };
  return (
    <section class="panel" aria-labelledby="knowledge-search-title">
      <h2 id="knowledge-search-title">{t('knowledge.try')}</h2>
      <form onSubmit={submit} class="inline-form" data-test="knowledge-search-form">
        <Field label={t('knowledge.query')} value={q} required maxLength={2000} test="knowledge-query"
          onInput={(e) => setQ(e.currentTarget.value)} />
        <button type="submit" disabled={busy} data-test="knowledge-search">{t('common.search')}</button>
      </form>
      <Problem error={error} />
      {hits && (
        <ol class="hits" data-test="knowledge-hits">
          {hits.map((h) => (
            <li key={h.chunk_id} data-test="knowledge-hit">
              <strong>{h.document_title}</strong>
              {h.section && <span data-test="knowledge-hit-section"> › {h.section}</span>} <span class="muted">{t('knowledge.score', { score: h.score.toFixed(2) })}</span>
              <div>{h.answer || h.text}</div>
            </li>
          ))}
          {!hits.length && <li class="muted">{t('knowledge.noHits')}</li>}
        </ol>
      )}
    </section>
  );
}

function DocumentPage({ id }) {
  const doc = useAsync(() => get(`/v1/knowledge/documents/${enc(id)}`), [id]);
  const chunks = useAsync(() => get(`/v1/knowledge/documents/${enc(id)}/chunks`).then((r) => r.data).catch(() => null), [id]);
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useSubmit();
  const d = doc.data;
  return (
    <SettingsPage section="knowledge" title={d ? d.title : t('settings.knowledge')}>
      <p><a href="#/settings/knowledge">{t('knowledge.back')}</a></p>
      <Problem error={doc.error || error} />
      {!d ? <Loading /> : (
        <>
          <p class="muted">{t(`format.${d.format}`)} · {t('knowledge.chunkCount', { count: d.chunk_count })} · <Time iso={d.created_at} /></p>
          {chunks.data ? (
            <section aria-labelledby="chunks-title">
              <h2 id="chunks-title">{t('knowledge.chunks')}</h2>
              <ol class="chunks" data-test="document-chunks">
                {chunks.data.map((c) => (
                  <li key={c.id} data-test="document-chunk"><pre>{c.text}</pre>
                    {c.answer && <p class="muted">{t('knowledge.chunkAnswer', { answer: c.answer })}</p>}</li>
                ))}
              </ol>
            </section>
          ) : (
            <section aria-labelledby="content-title">
              <h2 id="content-title">{t('knowledge.content')}</h2>
              {d.format === 'faq' ? (
                <dl class="faq-view" data-test="document-faq">
                  {(d.content || []).map((e, i) => [<dt key={`q${i}`}>{e.q}</dt>, <dd key={`a${i}`}>{e.a}</dd>])}
                </dl>
              ) : <pre data-test="document-content">{d.content}</pre>}
            </section>
          )}
          <button type="button" class="danger" onClick={() => setConfirming(true)} data-test="document-delete">
            {t('knowledge.delete')}
          </button>
          {confirming && (
            <Confirm test="document-delete-confirm" busy={busy} confirmLabel={t('knowledge.deleteYes')}
              text={t('knowledge.deleteText', { title: d.title })} onCancel={() => setConfirming(false)}
              onConfirm={() => run(async () => {
                await del(`/v1/knowledge/documents/${enc(id)}`);
                globalThis.location.hash = '#/settings/knowledge';
              })} />
          )}
        </>
      )}
    </SettingsPage>
  );
}
