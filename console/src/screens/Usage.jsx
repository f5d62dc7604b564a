// Usage and reports: per day over a chosen range — conversations, messages in and out per channel, resolutions by
// the assistant and by people, first-response and resolution times, CSAT, tokens and estimated cost per model —
// drawn with uPlot, each chart with its figures as a table too, a CSV download, and the month's quotas.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { get, getTenant, query } from '../api.js';
import { t } from '../i18n/index.js';
import { currentRole, useStore } from '../store.js';
import { Field, Loading, PageTitle, Problem } from '../ui/common.jsx';

const PALETTE = ['#0f766e', '#1d4ed8', '#b45309', '#7c3aed', '#be123c', '#4b5563', '#15803d', '#0e7490'];

function isoDay(d) {
  return d.toISOString().slice(0, 10);
}

export function defaultRange(now = new Date()) {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const from = new Date(to.getTime() - 29 * 86400000);
  return { from: isoDay(from), to: isoDay(to) };
}

/** The report's days as uPlot series: {x: [unix seconds], series: {name: [values]}}. */
export function seriesOf(days, pick) {
  const x = days.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000);
  const names = new Set();
  const picked = days.map((d) => {
    const p = pick(d);
    Object.keys(p).forEach((k) => names.add(k));
    return p;
  });
  const series = {};
  for (const n of names) series[n] = picked.map((p) => (p[n] === undefined ? null : p[n]));
  return { x, series };
}

function Chart({ title, data, test, unit }) {
  const el = useRef(null);
  useEffect(() => {
    if (!el.current || typeof globalThis.ResizeObserver === 'undefined' || !el.current.getContext) {
      // no canvas here (tests without a browser): the table below carries the figures
    }
    const names = Object.keys(data.series);
    const width = Math.max(280, (el.current && el.current.clientWidth) || 600);
    let plot = null;
    try {
      plot = new uPlot({
        width, height: 220, title: undefined,
        // the report's days are UTC days: draw them so, whatever the browser's time zone
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: { x: { time: true } },
        axes: [{}, { label: unit || '' }],
        series: [{}, ...names.map((n, i) => ({ label: n, stroke: PALETTE[i % PALETTE.length], width: 2,
          points: { show: data.x.length < 40 }, spanGaps: false }))],
      }, [data.x, ...names.map((n) => data.series[n])], el.current);
    } catch (e) {
      plot = null; // a DOM without canvas: the table is still there
    }
    return () => plot && plot.destroy();
  }, [data]);
  const names = Object.keys(data.series);
  return (
    <figure class="chart panel" data-test={test} aria-labelledby={`${test}-title`}>
      <figcaption id={`${test}-title`}><h2>{title}</h2></figcaption>
      <div ref={el} class="chart-canvas" aria-hidden="true" />
      <details>
        <summary>{t('usage.showFigures')}</summary>
        <div class="table-wrap">
          <table data-test={`${test}-table`}>
            <thead><tr><th scope="col">{t('usage.date')}</th>{names.map((n) => <th key={n} scope="col">{n}</th>)}</tr></thead>
            <tbody>
              {data.x.map((x, i) => (
                <tr key={x}>
                  <th scope="row">{new Date(x * 1000).toISOString().slice(0, 10)}</th>
                  {names.map((n) => <td key={n}>{data.series[n][i] == null ? '—' : data.series[n][i]}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

async function downloadCsv(path) {
  const res = await globalThis.fetch(path, { headers: { Accept: 'text/csv', 'X-Clawless-Tenant': getTenant() || '' },
    credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = globalThis.document.createElement('a');
  a.href = url;
  a.download = 'clawless-usage.csv';
  globalThis.document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Quotas({ quotas }) {
  if (!quotas) return null;
  const rows = [['messages', 'messages_per_month', t('usage.quotaMessages')],
    ['tokens', 'tokens_per_month', t('usage.quotaTokens')]];
  return (
    <section class="panel" aria-labelledby="quotas-title" data-test="quotas">
      <h2 id="quotas-title">{t('usage.quotas')}{quotas.period ? ` (${quotas.period})` : ''}</h2>
      {rows.map(([k, limitKey, label]) => {
        const limit = quotas.limits ? quotas.limits[limitKey] : null;
        const used = quotas.used ? quotas.used[k] : null;
        if (limit == null || limit < 0) {
          return <p key={k} data-test={`quota-${k}`}>{label}: {used == null ? '' : used.toLocaleString()} · {t('usage.unlimited')}</p>;
        }
        const pct = limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : 100;
        return (
          <div key={k} class="quota" data-test={`quota-${k}`}>
            <label for={`quota-${k}`}>{label}: {t('usage.usedOf', { used: used.toLocaleString(), limit: limit.toLocaleString(), pct })}</label>
            <meter id={`quota-${k}`} min={0} max={limit} low={limit * 0.8} high={limit * 0.95} optimum={0} value={used} />
          </div>
        );
      })}
    </section>
  );
}

/**
 * The sales funnel of the month the range ends in (GET /v1/usage): conversations → leads → qualified → moved to
 * WhatsApp, each with its share of the step before. Shown once the tenant has a lead.
 */
export function Funnel({ month }) {
  const [usage, setUsage] = useState(null);
  useEffect(() => {
    get(`/v1/usage${query({ period: month })}`).then(setUsage, () => setUsage(null));
  }, [month]);
  const f = usage && usage.funnel;
  if (!f || !f.leads) return null;
  const steps = [['conversations', t('funnel.conversations')], ['leads', t('funnel.leads')],
    ['qualified', t('funnel.qualified')], ['transferred', t('funnel.transferred')]];
  return (
    <section class="panel" aria-labelledby="funnel-title" data-test="funnel">
      <h2 id="funnel-title">{t('funnel.title', { month })}</h2>
      <ol class="funnel">
        {steps.map(([k, label], i) => {
          const before = i === 0 ? null : f[steps[i - 1][0]];
          const pct = before ? Math.round((f[k] / before) * 100) : null;
          return (
            <li key={k} data-test={`funnel-${k}`}>
              <span class="funnel-count">{f[k]}</span> {label}{pct == null ? '' : ` · ${pct} %`}
            </li>
          );
        })}
      </ol>
      <p class="muted" data-test="funnel-pushed">{t('funnel.pushed', { n: f.pushed })}</p>
    </section>
  );
}

const minutes = (secs) => (secs == null ? null : Math.round(secs / 6) / 10);

/** The six charts of a report, computed once per report (uPlot rebuilds a chart whenever its data changes). */
export function chartsOf(report) {
  const days = (report && report.days) || [];
  const channels = new Set();
  days.forEach((d) => Object.keys(d.by_channel || {}).forEach((c) => channels.add(c)));
  const modelNames = [...new Set(((report && report.models) || []).map((m) => `${m.provider}/${m.model}`))];
  const byDay = new Map();
  for (const m of (report && report.models) || []) {
    const day = byDay.get(m.date) || {};
    day[`${m.provider}/${m.model}`] = m;
    byDay.set(m.date, day);
  }
  /** Tokens (in + out) or cost of each model on a day, 0 where the model was not used. */
  const perModel = (date, what) => {
    const o = {};
    for (const name of modelNames) {
      const m = (byDay.get(date) || {})[name];
      o[name] = !m ? 0 : what === 'tokens' ? m.tokens_in + m.tokens_out : Math.round(m.cost_usd * 1e6) / 1e6;
    }
    return o;
  };
  return [
    { test: 'chart-activity', title: t('usage.chartActivity'), data: seriesOf(days, (d) => ({
      [t('usage.conversations')]: d.conversations, [t('usage.messagesIn')]: d.messages_in,
      [t('usage.messagesOut')]: d.messages_out })) },
    { test: 'chart-channels', title: t('usage.chartChannels'), data: seriesOf(days, (d) => {
      const o = {};
      for (const c of channels) {
        const v = (d.by_channel || {})[c];
        o[t('usage.channelIn', { channel: c })] = v ? v.in : 0;
        o[t('usage.channelOut', { channel: c })] = v ? v.out : 0;
      }
      return o;
    }) },
    { test: 'chart-resolutions', title: t('usage.chartResolutions'), data: seriesOf(days, (d) => ({
      [t('usage.resolvedAi')]: d.resolved_ai, [t('usage.resolvedHuman')]: d.resolved_human })) },
    { test: 'chart-times', title: t('usage.chartTimes'), unit: t('usage.minutes'), data: seriesOf(days, (d) => ({
      [t('usage.firstResponse')]: minutes(d.first_response_seconds_median),
      [t('usage.resolution')]: minutes(d.resolution_seconds_median) })) },
    { test: 'chart-csat', title: t('usage.chartCsat'), data: seriesOf(days, (d) => ({
      [t('usage.csatAverage')]: d.csat_average, [t('usage.csatCount')]: d.csat_count })) },
    { test: 'chart-tokens', title: t('usage.chartTokens'), data: seriesOf(days, (d) => perModel(d.date, 'tokens')) },
    { test: 'chart-cost', title: t('usage.chartCost'), unit: 'USD', data: seriesOf(days, (d) => perModel(d.date, 'cost')) },
  ];
}

export function Usage() {
  const s = useStore();
  const [range, setRange] = useState(defaultRange);
  const [applied, setApplied] = useState(range);
  const [report, setReport] = useState(null);
  const [error, setError] = useState(null);
  const [csvError, setCsvError] = useState('');
  const role = currentRole(s);
  const allowed = role === 'admin' || role === 'owner';
  const seq = useRef(0);
  useEffect(() => {
    if (!allowed) return;
    const n = ++seq.current; // only the newest request may fill the screen
    setError(null);
    get(`/v1/reports/usage${query(applied)}`).then((r) => { if (n === seq.current) setReport(r); },
      (e) => { if (n === seq.current) setError(e); });
  }, [applied.from, applied.to, s.tenantId]);
  const charts = useMemo(() => chartsOf(report), [report]);
  if (!allowed) {
    return <div class="page" data-test="usage-forbidden"><PageTitle>{t('usage.title')}</PageTitle><p>{t('settings.adminsOnly')}</p></div>;
  }
  const days = (report && report.days) || [];
  const models = {};
  for (const m of (report && report.models) || []) {
    const key = `${m.provider}/${m.model}`;
    models[key] = models[key] || { messages: 0, tokens_in: 0, tokens_out: 0, cost_usd: 0 };
    models[key].messages += m.messages;
    models[key].tokens_in += m.tokens_in;
    models[key].tokens_out += m.tokens_out;
    models[key].cost_usd += m.cost_usd;
  }
  const totals = days.reduce((a, d) => ({ conversations: a.conversations + d.conversations,
    messages_in: a.messages_in + d.messages_in, messages_out: a.messages_out + d.messages_out,
    resolved_ai: a.resolved_ai + d.resolved_ai, resolved_human: a.resolved_human + d.resolved_human,
    cost: a.cost + d.cost_usd }), { conversations: 0, messages_in: 0, messages_out: 0, resolved_ai: 0, resolved_human: 0, cost: 0 });
  return (
    <div class="page usage-page">
      <PageTitle>{t('usage.title')}</PageTitle>
      <form class="inline-form panel" data-test="usage-range" onSubmit={(e) => {
        e.preventDefault();
        setApplied(range);
      }}>
        <Field type="date" label={t('usage.from')} value={range.from} required test="usage-from"
          onInput={(e) => setRange({ ...range, from: e.currentTarget.value })} />
        <Field type="date" label={t('usage.to')} value={range.to} required test="usage-to"
          onInput={(e) => setRange({ ...range, to: e.currentTarget.value })} />
        <button type="submit" class="primary" data-test="usage-apply">{t('usage.show')}</button>
        <button type="button" data-test="usage-csv" onClick={() => {
          setCsvError('');
          downloadCsv(`/v1/reports/usage${query({ ...applied, format: 'csv' })}`).catch(() => setCsvError(t('usage.csvFailed')));
        }}>{t('usage.csv')}</button>
      </form>
      <Problem error={error} message={csvError} test="usage-error" />
      {!report ? (!error && <Loading />) : (
        <>
          <dl class="totals" data-test="usage-totals">
            <div><dt>{t('usage.conversations')}</dt><dd data-test="total-conversations">{totals.conversations}</dd></div>
            <div><dt>{t('usage.messagesIn')}</dt><dd data-test="total-in">{totals.messages_in}</dd></div>
            <div><dt>{t('usage.messagesOut')}</dt><dd data-test="total-out">{totals.messages_out}</dd></div>
            <div><dt>{t('usage.resolvedAi')}</dt><dd>{totals.resolved_ai}</dd></div>
            <div><dt>{t('usage.resolvedHuman')}</dt><dd>{totals.resolved_human}</dd></div>
            <div><dt>{t('usage.cost')}</dt><dd>${totals.cost.toFixed(4)}</dd></div>
          </dl>
          <Quotas quotas={report.quotas} />
          <Funnel month={(applied.to || '').slice(0, 7)} />
          <div class="charts">
            {charts.map((c) => <Chart key={c.test} title={c.title} test={c.test} unit={c.unit} data={c.data} />)}
          </div>
          <section class="panel" aria-labelledby="models-title">
            <h2 id="models-title">{t('usage.models')}</h2>
            <div class="table-wrap">
              <table data-test="usage-models">
                <thead><tr><th scope="col">{t('usage.model')}</th><th scope="col">{t('usage.answers')}</th>
                  <th scope="col">{t('usage.tokensIn')}</th><th scope="col">{t('usage.tokensOut')}</th>
                  <th scope="col">{t('usage.cost')}</th></tr></thead>
                <tbody>
                  {Object.entries(models).map(([k, m]) => (
                    <tr key={k}><th scope="row" class="mono">{k}</th><td>{m.messages}</td><td>{m.tokens_in}</td>
                      <td>{m.tokens_out}</td><td>${m.cost_usd.toFixed(4)}</td></tr>
                  ))}
                  {!Object.keys(models).length && <tr><td colSpan={5} class="muted">{t('usage.noModels')}</td></tr>}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </div>
  );
}
