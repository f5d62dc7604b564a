// The sales mode's lead of a conversation, for operators: what the form has collected, the score, whether it
// qualified, where it stands with the CRM (retries and their reason included) and the contact's CRM records.
import { post } from '../api.js';
import { t } from '../i18n/index.js';
import { Problem, SafeLink, Time, useSubmit } from '../ui/common.jsx';

export function LeadPanel({ lead, labels = {}, onChanged }) {
  const action = useSubmit();
  if (!lead) return null;
  const push = lead.push || {};
  const answers = Object.entries(lead.answers || {});
  const canPush = push.status === 'failed' || push.status === 'none' || push.status === 'pushed';
  const again = () => action.run(async () => {
    const updated = await post(`/v1/leads/${encodeURIComponent(lead.id)}/push`);
    onChanged(updated);
  });
  return (
    <section class="lead panel" aria-labelledby="lead-title" data-test="lead" data-qualified={String(!!lead.qualified)}>
      <h3 id="lead-title">
        {t('lead.title')}{' '}
        <span class={`status-badge ${lead.qualified ? 'status-bot' : ''}`} data-test="lead-state">
          {lead.qualified ? t('lead.qualified') : t('lead.collecting')}
        </span>{' '}
        <span data-test="lead-score">{t('lead.score', { score: lead.score })}</span>
      </h3>
      {answers.length > 0 ? (
        <dl class="lead-answers" data-test="lead-answers">
          {answers.map(([k, v]) => <div key={k}><dt>{labels[k] || k}</dt><dd>{v}</dd></div>)}
        </dl>
      ) : <p class="muted">{t('lead.nothingYet')}</p>}
      {lead.asking && (
        <p class="muted" data-test="lead-asking">
          {lead.asking === 'whatsapp_offer' ? t('lead.offered')
            : t('lead.asking', { field: labels[lead.asking] || lead.asking })}
        </p>
      )}
      {lead.transferred_at && <p data-test="lead-transferred">{t('lead.transferred')} <Time iso={lead.transferred_at} /></p>}
      <p data-test="lead-push" data-status={push.status}>
        {t(`lead.push.${push.status || 'none'}`)}
        {push.attempts > 0 && push.status !== 'pushed' ? ` · ${t('lead.attempts', { n: push.attempts })}` : ''}
        {push.pushed_at && <> <Time iso={push.pushed_at} /></>}
      </p>
      {push.error && push.status !== 'pushed' && (
        <p class={push.status === 'failed' ? 'field-error' : 'warning'} role="status" data-test="lead-push-error">
          {push.error}
        </p>
      )}
      {(lead.crm_records || []).length > 0 && (
        <ul class="crm-records" data-test="crm-records">
          {lead.crm_records.map((r) => (
            <li key={`${r.crm}-${r.object_type}-${r.id}`}>
              <SafeLink url={r.url} test="crm-record">{t('lead.record', { crm: r.crm, type: r.object_type, id: r.id })}</SafeLink>
            </li>
          ))}
        </ul>
      )}
      {canPush && (
        <button type="button" disabled={action.busy} data-test="lead-push-again" onClick={again}>
          {push.status === 'none' ? t('lead.pushNow') : t('lead.pushAgain')}
        </button>
      )}
      <Problem error={action.error} test="lead-error" />
    </section>
  );
}
