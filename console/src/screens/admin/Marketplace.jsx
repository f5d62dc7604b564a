// Marketplace review: each uploaded plugin version with its manifest facts, descriptor, declared permissions,
// signature, the inspection of its archive and what changed in its permissions since the previous approved version;
// approve, or reject with a reason the publisher sees.
import { useState } from 'preact/hooks';
import { get, post } from '../../api.js';
import { t } from '../../i18n/index.js';
import { Field, Loading, Problem, Time, useAsync, useSubmit } from '../../ui/common.jsx';
import { errorFor } from '../../ui/SchemaForm.jsx';
import { Permissions } from '../settings/Plugins.jsx';
import { AdminPage } from './AdminNav.jsx';

const STATUSES = ['pending_review', 'approved', 'rejected'];

function kb(bytes) {
  return bytes == null ? '' : `${(bytes / 1024).toFixed(1)} KiB`;
}

export function MarketplaceReview() {
  const [status, setStatus] = useState('pending_review');
  const list = useAsync(() => get(`/admin/marketplace/plugins?status=${status}`).then((r) => r.data), [status]);
  return (
    <AdminPage section="marketplace" title={t('adminNav.marketplace')}>
      <Field as="select" label={t('review.show')} value={status} test="review-status-filter"
        onChange={(e) => setStatus(e.currentTarget.value)}>
        {STATUSES.map((s) => <option key={s} value={s}>{t(`versionStatus.${s}`)}</option>)}
      </Field>
      <Problem error={list.error} />
      {!list.data ? <Loading /> : (
        <ul class="plain-list" data-test="review-list">
          {list.data.map((v) => <ReviewItem key={`${v.plugin_id}@${v.version}`} v={v} onReviewed={list.reload} />)}
          {!list.data.length && <li class="muted" data-test="review-empty">{t('review.none')}</li>}
        </ul>
      )}
    </AdminPage>
  );
}

function Diff({ diff }) {
  if (!diff) return null;
  const kinds = ['hosts', 'secrets', 'mutating_tools'];
  const changes = [];
  for (const k of kinds) {
    for (const x of (diff.added && diff.added[k]) || []) changes.push(['added', k, x]);
    for (const x of (diff.removed && diff.removed[k]) || []) changes.push(['removed', k, x]);
  }
  return (
    <div data-test="review-diff">
      <h4>{diff.previous_version ? t('review.diffSince', { version: diff.previous_version }) : t('review.firstVersion')}</h4>
      {diff.previous_version && !changes.length && <p class="muted">{t('review.noPermissionChanges')}</p>}
      {changes.length > 0 && (
        <ul class="diff">
          {changes.map(([kind, k, x]) => (
            <li key={`${kind}${k}${x}`} class={kind} data-test={`diff-${kind}`}>
              {kind === 'added' ? '+ ' : '− '}{t(`review.${kind}`)} · {t(`plugins.${k === 'mutating_tools' ? 'mutatingTools' : k}`)}: <span class="mono">{x}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ReviewItem({ v, onReviewed }) {
  const [reason, setReason] = useState('');
  const { busy, error, run } = useSubmit();
  const d = v.descriptor || {};
  const perm = { hosts: d.hosts || [], secrets: d.secrets || [], mutating_tools: d.mutating_tools || [] };
  const ins = v.inspection;
  const act = (what) => run(async () => {
    const path = `/admin/marketplace/plugins/${encodeURIComponent(v.plugin_id)}/versions/${encodeURIComponent(v.version)}/${what}`;
    await post(path, reason.trim() ? { reason: reason.trim() } : {});
    onReviewed();
  });
  return (
    <li class="panel" data-test="review-item" data-plugin-id={v.plugin_id} data-version={v.version}>
      <h2>{d.display_name || v.plugin_id} <span class="mono">{v.plugin_id}@{v.version}</span></h2>
      <p>{d.description}</p>
      <dl class="facts">
        <dt>{t('review.status')}</dt><dd>{t(`versionStatus.${v.status}`)}</dd>
        <dt>{t('review.provider')}</dt><dd>{v.provider || '—'}</dd>
        <dt>{t('review.signature')}</dt>
        <dd data-test="review-signature">{v.signed_by ? t('review.signedBy', { name: v.signed_by }) : t('review.unsigned')}</dd>
        <dt>{t('review.requires')}</dt><dd class="mono">{v.requires}</dd>
        <dt>{t('review.size')}</dt><dd>{kb(v.size_bytes)}</dd>
        <dt>SHA-256</dt><dd class="mono small">{v.sha256}</dd>
        <dt>{t('review.extensions')}</dt><dd class="mono">{(v.extensions || []).join(', ')}</dd>
        <dt>{t('review.uploaded')}</dt><dd><Time iso={v.created_at} /></dd>
      </dl>
      <h3>{t('review.permissions')}</h3>
      <Permissions p={perm} test="review-permissions" />
      <Diff diff={v.permissions_diff} />
      {ins && (
        <details data-test="review-inspection">
          <summary>{t('review.inspection', { entries: ins.entries, size: kb(ins.total_uncompressed_bytes) })}</summary>
          <h4>{t('review.packages')}</h4>
          <p class="mono small">{(ins.packages || []).join(', ') || '—'}</p>
          <h4>{t('review.nested')}</h4>
          <ul class="mono small">{(ins.nested_jars || []).map((j) => <li key={j.name}>{j.name} ({kb(j.size_bytes)})</li>)}
            {!(ins.nested_jars || []).length && <li>—</li>}</ul>
          <h4>{t('review.largest')}</h4>
          <ul class="mono small">{(ins.largest || []).map((j) => <li key={j.name}>{j.name} ({kb(j.size_bytes)})</li>)}</ul>
        </details>
      )}
      <details>
        <summary>{t('review.descriptor')}</summary>
        <pre data-test="review-descriptor">{JSON.stringify(d, null, 2)}</pre>
      </details>
      {v.review_reason && <p>{t('review.reason')}: {v.review_reason}</p>}
      {v.status === 'pending_review' && (
        <div class="review-actions">
          <Field as="textarea" rows={2} label={t('review.reasonLabel')} value={reason} maxLength={2000}
            hint={t('review.reasonHint')} error={errorFor(error, 'reason')} test="review-reason"
            onInput={(e) => setReason(e.currentTarget.value)} />
          <div class="actions">
            <button type="button" class="primary" disabled={busy} onClick={() => act('approve')} data-test="review-approve"
              aria-label={t('review.approveNamed', { name: `${v.plugin_id}@${v.version}` })}>{t('review.approve')}</button>
            <button type="button" class="danger" disabled={busy} onClick={() => act('reject')} data-test="review-reject"
              aria-label={t('review.rejectNamed', { name: `${v.plugin_id}@${v.version}` })}>{t('review.reject')}</button>
          </div>
        </div>
      )}
      <Problem error={error} test="review-error" />
    </li>
  );
}
