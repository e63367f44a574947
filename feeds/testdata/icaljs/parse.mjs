// Reads an iCalendar feed on standard input with ical.js and prints what it
// understood as JSON, in the shape feeds/parsers_test.go compares:
//
//   node parse.mjs WINDOW_START WINDOW_END   (UTC, 2026-09-01T00:00:00Z)
//
// Time zones come from the feed's own VTIMEZONEs, registered before any
// time is read, so that this checks them (ical.js has no zone table).
import fs from 'node:fs';
import ICAL from 'ical.js';

// RFC 5545 §3.8.8.2: a non-standard property is TEXT unless it says
// otherwise; ical.js reads unknown ones raw (escapes and all).
for (const name of ['x-wr-calname', 'x-wr-caldesc', 'x-wr-timezone', 'x-published-ttl']) {
  ICAL.design.icalendar.property[name] = { defaultType: 'text' };
}

const [from, to] = process.argv.slice(2).map((s) => ICAL.Time.fromJSDate(new Date(s), true));
const root = new ICAL.Component(ICAL.parse(fs.readFileSync(0, 'utf8')));
for (const tz of root.getAllSubcomponents('vtimezone')) {
  ICAL.TimezoneService.register(new ICAL.Timezone(tz));
}

const calendar = {};
for (const name of ['x-wr-calname', 'x-wr-caldesc', 'name', 'refresh-interval', 'x-published-ttl', 'x-wr-timezone']) {
  const v = root.getFirstPropertyValue(name);
  if (v !== null) calendar[name] = String(v);
}

const iso = (t) => (t.isDate ? t.toString() : t.toJSDate().toISOString().replace('.000Z', 'Z'));
const text = (c, name) => {
  const v = c.getFirstPropertyValue(name);
  return v === null ? '' : String(v);
};

const vevents = root.getAllSubcomponents('vevent');
const events = vevents.map((c) => {
  const loc = c.getFirstProperty('location');
  const apple = c.getFirstProperty('x-apple-structured-location');
  const rid = c.getFirstPropertyValue('recurrence-id');
  return {
    uid: text(c, 'uid'),
    recurrence_id: rid ? iso(rid) : '',
    summary: text(c, 'summary'),
    description: text(c, 'description'),
    location: text(c, 'location'),
    altrep: loc ? loc.getParameter('altrep') || '' : '',
    x_title: apple ? apple.getParameter('x-title') || '' : '',
    x_address: apple ? apple.getParameter('x-address') || '' : '',
    status: text(c, 'status'),
    sequence: Number(text(c, 'sequence')),
    categories: c.getAllProperties('categories').flatMap((p) => p.getValues().map(String)),
    properties: [...new Set(c.getAllProperties().map((p) => p.name.toUpperCase()))].sort(),
    components: c.getAllSubcomponents().map((s) => s.name.toUpperCase()),
  };
});

// Occurrences in [from, to): each master with the overrides of its UID.
const byUID = new Map();
for (const c of vevents) {
  const uid = text(c, 'uid');
  if (!byUID.has(uid)) byUID.set(uid, { master: null, exceptions: [] });
  const g = byUID.get(uid);
  if (c.hasProperty('recurrence-id')) g.exceptions.push(c);
  else g.master = c;
}
const occurrences = [];
const add = (uid, start, end, item) => {
  if (start.compare(to) >= 0 || end.compare(from) <= 0) return;
  occurrences.push({
    uid, start: iso(start), end: iso(end), summary: item.summary,
    status: text(item.component, 'status'),
  });
};
for (const [uid, g] of byUID) {
  if (!g.master) {
    for (const ex of g.exceptions) {
      const e = new ICAL.Event(ex);
      add(uid, e.startDate, e.endDate, e);
    }
    continue;
  }
  const ev = new ICAL.Event(g.master);
  for (const ex of g.exceptions) ev.relateException(ex);
  if (!ev.isRecurring()) {
    add(uid, ev.startDate, ev.endDate, ev);
    continue;
  }
  const it = ev.iterator();
  for (let next = it.next(), n = 0; next && n < 10000; next = it.next(), n++) {
    const d = ev.getOccurrenceDetails(next);
    if (d.startDate.compare(to) >= 0 && d.recurrenceId.compare(to) >= 0) break;
    add(uid, d.startDate, d.endDate, d.item);
  }
}
occurrences.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.uid < b.uid ? -1 : 1));

process.stdout.write(JSON.stringify({ calendar, events, occurrences }));
