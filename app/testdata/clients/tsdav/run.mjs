// Drive tsdav (the exact version in package.json) against Veileder.
//
// Run by app/clients_test.go as
//
//     node run.mjs BASE_URL USERNAME PASSWORD
//
// after `npm ci`. It prints one JSON object on stdout with what the library
// saw; the Go test checks it. Each step names itself on stderr first, so
// that a failure shows where the conversation broke. Nothing here works
// around the server: this is how an application uses the library.

import { createDAVClient } from 'tsdav';

const [base, username, password] = process.argv.slice(2);

const step = (name) => process.stderr.write(`step: ${name}\n`);

const ics = (component, uid, lines) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Veileder tests//tsdav//EN',
    `BEGIN:${component}`,
    `UID:${uid}`,
    'DTSTAMP:20261001T120000Z',
    ...lines,
    `END:${component}`,
    'END:VCALENDAR',
    '',
  ].join('\r\n');

// uids lists the UID of every component in some iCalendar text.
const uids = (data) => [...String(data ?? '').matchAll(/^UID:(.*?)\r?$/gm)].map((m) => m[1]);
const summaries = (data) =>
  [...String(data ?? '').matchAll(/^SUMMARY:(.*?)\r?$/gm)].map((m) => m[1]);
// path is a URL's decoded path, for comparing with what the server was sent.
const path = (url) => decodeURIComponent(new URL(url).pathname);
const status = async (res) => ({ status: res.status, etag: res.headers.get('etag') });

const out = {};

step('createDAVClient (discovery from the bare base URL)');
const client = await createDAVClient({
  serverUrl: `${base}/`,
  credentials: { username, password },
  authMethod: 'Basic',
  defaultAccountType: 'caldav',
});
// The client keeps its account to itself; discover it once more to see it.
step('createAccount');
const account = await client.createAccount({ account: { accountType: 'caldav' } });
out.account = {
  rootUrl: path(account.rootUrl),
  principalUrl: path(account.principalUrl),
  homeUrl: path(account.homeUrl),
};

step('fetchCalendarUserAddresses');
out.userAddresses = await client.fetchCalendarUserAddresses({ account });

step('fetchCalendars');
let calendars = await client.fetchCalendars();
out.calendars = calendars
  .map((c) => ({
    url: path(c.url),
    displayName: c.displayName,
    components: c.components,
    reports: c.reports,
    hasCtag: c.ctag != null && `${c.ctag}` !== '',
    hasSyncToken: c.syncToken != null && `${c.syncToken}` !== '',
  }))
  .sort((a, b) => a.url.localeCompare(b.url));

const personal = calendars.find((c) => path(c.url).endsWith('/personal/'));
if (!personal) throw new Error('no personal calendar among ' + calendars.map((c) => c.url));

step('makeCalendar');
const madeUrl = new URL('tsdav-made/', account.homeUrl).href;
const made = await client.makeCalendar({
  url: madeUrl,
  props: { 'd:displayname': 'Lånekø', 'ca:calendar-color': '#336699FF' },
});
out.makeCalendar = made.map((r) => ({ status: r.status, ok: r.ok }));

step('createCalendarObject');
const created = [];
created.push(
  await status(
    await client.createCalendarObject({
      calendar: personal,
      filename: 'ts-single.ics',
      iCalString: ics('VEVENT', 'ts-single', [
        'DTSTART:20261104T090000Z',
        'DTEND:20261104T100000Z',
        'SUMMARY:Søknadsveiledning',
      ]),
    }),
  ),
);
created.push(
  await status(
    await client.createCalendarObject({
      calendar: personal,
      filename: 'ts-weekly.ics',
      iCalString: ics('VEVENT', 'ts-weekly', [
        'DTSTART;TZID=Europe/Oslo:20261019T140000',
        'DTEND;TZID=Europe/Oslo:20261019T150000',
        'RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=8',
        'SUMMARY:Skrivestue',
      ]),
    }),
  ),
);
created.push(
  await status(
    await client.createCalendarObject({
      calendar: personal,
      filename: 'ts-later.ics',
      iCalString: ics('VEVENT', 'ts-later', [
        'DTSTART:20261201T090000Z',
        'DTEND:20261201T100000Z',
        'SUMMARY:Later',
      ]),
    }),
  ),
);
// A resource name with a space and a non-ASCII letter, as tsdav sends it
// (percent-encoded UTF-8).
created.push(
  await status(
    await client.createCalendarObject({
      calendar: personal,
      filename: 'møte 1.ics',
      iCalString: ics('VEVENT', 'ts-møte', [
        'DTSTART:20261202T090000Z',
        'DTEND:20261202T100000Z',
        'SUMMARY:Møte',
      ]),
    }),
  ),
);
out.created = created;

step('createCalendarObject again (If-None-Match: *)');
out.createAgain = await status(
  await client.createCalendarObject({
    calendar: personal,
    filename: 'ts-single.ics',
    iCalString: ics('VEVENT', 'ts-single', [
      'DTSTART:20261104T090000Z',
      'DTEND:20261104T100000Z',
      'SUMMARY:Overwritten',
    ]),
  }),
);

const week = { start: '2026-11-02T00:00:00Z', end: '2026-11-09T00:00:00Z' };

step('fetchCalendarObjects with a timeRange');
const inWeek = await client.fetchCalendarObjects({ calendar: personal, timeRange: week });
out.inWeek = inWeek
  .map((o) => ({ url: path(o.url), uids: uids(o.data), hasEtag: !!o.etag }))
  .sort((a, b) => a.url.localeCompare(b.url));

step('fetchCalendarObjects with a timeRange and expand');
const expanded = await client.fetchCalendarObjects({
  calendar: personal,
  timeRange: week,
  expand: true,
});
out.expanded = expanded
  .map((o) => ({
    url: path(o.url),
    uids: uids(o.data),
    hasRRule: /^RRULE:/m.test(String(o.data ?? '')),
    recurrenceIds: [...String(o.data ?? '').matchAll(/^RECURRENCE-ID[^:]*:(.*?)\r?$/gm)].map(
      (m) => m[1],
    ),
  }))
  .sort((a, b) => a.url.localeCompare(b.url));

step('fetchCalendarObjects (all)');
const all = await client.fetchCalendarObjects({ calendar: personal });
out.all = all.map((o) => path(o.url)).sort();

step('isCollectionDirty');
// personal was fetched before the objects were created.
out.dirtyAfterCreate = (await client.isCollectionDirty({ collection: personal })).isDirty;

step('syncCalendars');
// The local copy is the calendar list from before the objects were made.
const synced = await client.syncCalendars({ oldCalendars: calendars, detailedResult: true });
out.syncCalendars = {
  created: synced.created.map((c) => path(c.url)).sort(),
  updated: synced.updated.map((c) => path(c.url)).sort(),
  deleted: synced.deleted.map((c) => path(c.url)).sort(),
  updatedPersonalObjects: (synced.updated.find((c) => path(c.url).endsWith('/personal/'))?.objects ?? [])
    .map((o) => path(o.url))
    .sort(),
};

step('fetchCalendars again');
calendars = await client.fetchCalendars();
const fresh = calendars.find((c) => path(c.url).endsWith('/personal/'));
const snapshot = { ...fresh, objects: all };
out.dirtyUnchanged = (await client.isCollectionDirty({ collection: fresh })).isDirty;

step('updateCalendarObject with etag');
const single = all.find((o) => path(o.url).endsWith('/ts-single.ics'));
const edited = (
  await client.fetchCalendarObjects({ calendar: personal, objectUrls: [single.url] })
)[0];
const editedData = String(edited.data).replace('SUMMARY:Søknadsveiledning', 'SUMMARY:Søknadsveiledning (rom 3)');
out.update = await status(
  await client.updateCalendarObject({ calendarObject: { ...edited, data: editedData } }),
);
step('updateCalendarObject with a stale etag');
out.updateStale = await status(
  await client.updateCalendarObject({ calendarObject: { ...edited, data: editedData } }),
);

step('deleteCalendarObject with etag');
const later = all.find((o) => path(o.url).endsWith('/ts-later.ics'));
out.delete = await status(await client.deleteCalendarObject({ calendarObject: later }));

step('smartCollectionSync after edit and delete');
const webdav = await client.smartCollectionSync({
  collection: {
    ...snapshot,
    objectMultiGet: client.calendarMultiGet,
  },
  method: 'webdav',
  detailedResult: true,
});
out.webdavSync = {
  created: webdav.objects.created.map((o) => path(o.url)).sort(),
  updated: webdav.objects.updated.map((o) => path(o.url)).sort(),
  updatedSummaries: webdav.objects.updated.flatMap((o) => summaries(o.data)),
  deleted: webdav.objects.deleted.map((o) => path(o.url)).sort(),
  newToken: webdav.syncToken !== snapshot.syncToken,
};
out.dirtyAfterEdit = (await client.isCollectionDirty({ collection: fresh })).isDirty;

step('smartCollectionSync by ctag');
const basic = await client.smartCollectionSync({
  collection: {
    ...snapshot,
    fetchObjects: ({ collection, ...rest }) =>
      client.fetchCalendarObjects({ ...rest, calendar: collection }),
  },
  method: 'basic',
  detailedResult: true,
});
out.basicSync = {
  created: basic.objects.created.map((o) => path(o.url)).sort(),
  updated: basic.objects.updated.map((o) => path(o.url)).sort(),
  deleted: basic.objects.deleted.map((o) => path(o.url)).sort(),
};

step('fetchCalendars after makeCalendar');
const after = await client.fetchCalendars();
const madeCal = after.find((c) => path(c.url) === path(madeUrl));
out.made = madeCal
  ? { displayName: madeCal.displayName, color: madeCal.calendarColor, components: madeCal.components }
  : null;

process.stdout.write(JSON.stringify(out, null, 1) + '\n');
