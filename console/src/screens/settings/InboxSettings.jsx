// Inbox settings: business hours (a time zone and opening intervals per weekday), the texts the contact gets at a
// hand-off (in and out of hours) and the satisfaction question after a resolution.
import { useState } from 'preact/hooks';
import { get, patch } from '../../api.js';
import { t } from '../../i18n/index.js';
import { Field, Loading, Problem, Status, useAsync, useSubmit } from '../../ui/common.jsx';
import { errorFor } from '../../ui/SchemaForm.jsx';
import { SettingsPage } from '../../ui/settings.jsx';

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function zones() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch (e) {
    return null;
  }
}

/** The form's hours ⇄ the API's business_hours. */
export function hoursToForm(bh) {
  const days = {};
  for (const d of DAYS) {
    const list = bh && bh.days && bh.days[d];
    days[d] = { open: !!(list && list.length), text: list && list.length ? list.join(', ') : '09:00-17:00' };
  }
  return { enabled: !!bh, timezone: (bh && bh.timezone) || guessZone(), days };
}

export function formToHours(f) {
  if (!f.enabled) return null;
  const days = {};
  for (const d of DAYS) {
    if (f.days[d].open) days[d] = f.days[d].text.split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean);
  }
  return { timezone: f.timezone.trim(), days };
}

function guessZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch (e) {
    return 'UTC';
  }
}

export function InboxSettings() {
  const settings = useAsync(() => get('/v1/inbox/settings'), []);
  return (
    <SettingsPage section="inbox" title={t('settings.inbox')}>
      <Problem error={settings.error} />
      {!settings.data ? <Loading /> : <InboxForm s={settings.data} onSaved={settings.setData} />}
    </SettingsPage>
  );
}

function InboxForm({ s, onSaved }) {
  const [hours, setHours] = useState(() => hoursToForm(s.business_hours));
  const [texts, setTexts] = useState({ handoff_message: s.handoff_message, away_message: s.away_message,
    csat_enabled: !!(s.csat && s.csat.enabled), csat_question: (s.csat && s.csat.question) || '' });
  const [status, setStatus] = useState('');
  const { busy, error, run } = useSubmit();
  const tz = zones();
  const setDay = (d, patchDay) => setHours({ ...hours, days: { ...hours.days, [d]: { ...hours.days[d], ...patchDay } } });
  const submit = (e) => {
    e.preventDefault();
    setStatus('');
    run(async () => {
      const saved = await patch('/v1/inbox/settings', {
        business_hours: formToHours(hours), handoff_message: texts.handoff_message, away_message: texts.away_message,
        csat: { enabled: texts.csat_enabled, question: texts.csat_question },
      });
      onSaved(saved);
      setStatus(t('common.saved'));
    });
  };
  return (
    <form onSubmit={submit} data-test="inbox-settings-form" noValidate>
      <fieldset class="panel">
        <legend>{t('inboxSettings.hours')}</legend>
        <Field type="checkbox" class="checkbox" label={t('inboxSettings.hoursOn')} checked={hours.enabled}
          onChange={(e) => setHours({ ...hours, enabled: e.currentTarget.checked })} test="hours-enabled" />
        {hours.enabled && (
          <>
            {tz ? (
              <Field as="select" label={t('inboxSettings.timezone')} value={hours.timezone} test="hours-timezone"
                error={errorFor(error, 'business_hours.timezone')}
                onChange={(e) => setHours({ ...hours, timezone: e.currentTarget.value })}>
                {!tz.includes(hours.timezone) && <option value={hours.timezone}>{hours.timezone}</option>}
                {tz.map((z) => <option key={z} value={z}>{z}</option>)}
              </Field>
            ) : (
              <Field label={t('inboxSettings.timezone')} value={hours.timezone} test="hours-timezone"
                error={errorFor(error, 'business_hours.timezone')}
                onInput={(e) => setHours({ ...hours, timezone: e.currentTarget.value })} />
            )}
            <table class="hours-table" data-test="hours-table">
              <thead><tr><th scope="col">{t('inboxSettings.day')}</th><th scope="col">{t('inboxSettings.open')}</th>
                <th scope="col">{t('inboxSettings.intervals')}</th></tr></thead>
              <tbody>
                {DAYS.map((d) => (
                  <tr key={d}>
                    <th scope="row">{t(`day.${d}`)}</th>
                    <td>
                      <input type="checkbox" id={`hours-${d}-open`} checked={hours.days[d].open}
                        aria-label={t('inboxSettings.openOn', { day: t(`day.${d}`) })} data-test={`hours-${d}-open`}
                        onChange={(e) => setDay(d, { open: e.currentTarget.checked })} />
                    </td>
                    <td>
                      <Field label={t('inboxSettings.intervalsOn', { day: t(`day.${d}`) })} class="compact sr-label"
                        value={hours.days[d].text} disabled={!hours.days[d].open} test={`hours-${d}-text`}
                        error={errorFor(error, `business_hours.days.${d}`)} placeholder="09:00-13:00, 14:00-18:00"
                        onInput={(e) => setDay(d, { text: e.currentTarget.value })} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p class="hint">{t('inboxSettings.intervalsHint')}</p>
          </>
        )}
      </fieldset>
      <fieldset class="panel">
        <legend>{t('inboxSettings.handoff')}</legend>
        <Field as="textarea" rows={2} label={t('inboxSettings.handoffMessage')} value={texts.handoff_message}
          maxLength={1000} test="handoff-message" error={errorFor(error, 'handoff_message')}
          onInput={(e) => setTexts({ ...texts, handoff_message: e.currentTarget.value })} />
        <Field as="textarea" rows={2} label={t('inboxSettings.awayMessage')} value={texts.away_message}
          maxLength={1000} test="away-message" error={errorFor(error, 'away_message')}
          hint={t('inboxSettings.awayHint')}
          onInput={(e) => setTexts({ ...texts, away_message: e.currentTarget.value })} />
      </fieldset>
      <fieldset class="panel">
        <legend>{t('inboxSettings.csat')}</legend>
        <Field type="checkbox" class="checkbox" label={t('inboxSettings.csatOn')} checked={texts.csat_enabled}
          onChange={(e) => setTexts({ ...texts, csat_enabled: e.currentTarget.checked })} test="csat-enabled" />
        <Field label={t('inboxSettings.csatQuestion')} value={texts.csat_question} maxLength={1000}
          test="csat-question" error={errorFor(error, 'csat.question')}
          onInput={(e) => setTexts({ ...texts, csat_question: e.currentTarget.value })} />
      </fieldset>
      <Problem error={error} test="inbox-settings-error" />
      <Status message={status} test="inbox-settings-status" />
      <button type="submit" class="primary" disabled={busy} data-test="inbox-settings-save">{t('common.save')}</button>
    </form>
  );
}
