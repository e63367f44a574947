"""Reads an iCalendar feed on standard input with Debian's python3-icalendar
and prints what it understood as JSON, in the shape feeds/parsers_test.go
compares:

    /usr/bin/python3 parse_icalendar.py WINDOW_START WINDOW_END

(UTC, 2026-09-01T00:00:00Z). Recurrences are expanded with dateutil, on
the wall clock of the TZID's zone from Python's own zone data (zoneinfo),
so this checks the TZIDs, RRULEs, EXDATEs and RECURRENCE-IDs independently
of the feed's VTIMEZONE, which ical.js checks.

python3-icalendar 4 predates RFC 6868, so the caret escapes in parameter
values (^' for a double quote, ^n, ^^) are decoded here.
"""

import datetime
import json
import sys
from zoneinfo import ZoneInfo

from dateutil.rrule import rruleset, rrulestr
from icalendar import Calendar

UTC = datetime.timezone.utc


def rfc6868(v):
    out, i = [], 0
    while i < len(v):
        if v[i] == "^" and i + 1 < len(v) and v[i + 1] in "'n^":
            out.append({"'": '"', "n": "\n", "^": "^"}[v[i + 1]])
            i += 2
            continue
        out.append(v[i])
        i += 1
    return "".join(out)


def when(prop, tzid=None):
    """A DATE stays a date; a DATE-TIME becomes aware, in its TZID's zone."""
    d = prop.dt if hasattr(prop, "dt") else prop
    if not isinstance(d, datetime.datetime):
        return d
    tzid = tzid or (prop.params.get("TZID") if hasattr(prop, "params") else None)
    if tzid:
        return d.replace(tzinfo=ZoneInfo(str(tzid)))
    if d.tzinfo is None:
        raise ValueError("floating time in a feed: %r" % d)
    return d.astimezone(UTC)


def iso(d):
    if isinstance(d, datetime.datetime):
        return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return d.isoformat()


def key(d):
    """Compares occurrence starts: instants, or dates."""
    if isinstance(d, datetime.datetime):
        return d.astimezone(UTC)
    return datetime.datetime(d.year, d.month, d.day, tzinfo=UTC)


def text(c, name):
    v = c.get(name)
    return "" if v is None else str(v)


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def date_list(c, name):
    out = []
    for p in as_list(c.get(name)):
        tzid = p.params.get("TZID")
        for d in p.dts:
            out.append(when(d, tzid))
    return out


def main():
    start, end = (datetime.datetime.strptime(a, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) for a in sys.argv[1:3])
    cal = Calendar.from_ical(sys.stdin.buffer.read())
    calendar = {}
    for name in ("X-WR-CALNAME", "X-WR-CALDESC", "NAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL", "X-WR-TIMEZONE"):
        v = cal.get(name)
        if v is not None:
            calendar[name.lower()] = v.to_ical().decode() if hasattr(v, "to_ical") and not isinstance(v, str) else str(v)

    vevents = [c for c in cal.walk("VEVENT")]
    events = []
    for c in vevents:
        loc = c.get("LOCATION")
        apple = c.get("X-APPLE-STRUCTURED-LOCATION")
        rid = c.get("RECURRENCE-ID")
        cats = []
        for p in as_list(c.get("CATEGORIES")):
            cats.extend(str(x) for x in (p.cats if hasattr(p, "cats") else [p]))
        events.append({
            "uid": text(c, "UID"),
            "recurrence_id": iso(when(rid)) if rid is not None else "",
            "summary": text(c, "SUMMARY"),
            "description": text(c, "DESCRIPTION"),
            "location": text(c, "LOCATION"),
            "altrep": rfc6868(loc.params.get("ALTREP", "")) if loc is not None else "",
            "x_title": rfc6868(apple.params.get("X-TITLE", "")) if apple is not None else "",
            "x_address": rfc6868(apple.params.get("X-ADDRESS", "")) if apple is not None else "",
            "status": text(c, "STATUS"),
            "sequence": int(text(c, "SEQUENCE") or 0),
            "categories": cats,
            "properties": sorted(set(k.upper() for k in c.keys())),
            "components": [s.name.upper() for s in c.subcomponents],
        })

    groups = {}
    for c in vevents:
        g = groups.setdefault(text(c, "UID"), {"master": None, "exceptions": []})
        if c.get("RECURRENCE-ID") is not None:
            g["exceptions"].append(c)
        else:
            g["master"] = c

    occurrences = []

    def add(uid, s, e, c):
        if key(s) >= end or key(e) <= start:
            return
        occurrences.append({"uid": uid, "start": iso(s), "end": iso(e),
                            "summary": text(c, "SUMMARY"), "status": text(c, "STATUS")})

    def span(c, s):
        if c.get("DTEND") is not None:
            e = when(c.get("DTEND"))
            if isinstance(s, datetime.datetime):
                return key(e) - key(s)
            return e - s
        if c.get("DURATION") is not None:
            return c.get("DURATION").dt
        return datetime.timedelta(days=1) if not isinstance(s, datetime.datetime) else datetime.timedelta(0)

    for uid, g in groups.items():
        overridden = {}
        for ex in g["exceptions"]:
            overridden[key(when(ex.get("RECURRENCE-ID")))] = ex
            s = when(ex.get("DTSTART")) if ex.get("DTSTART") is not None else when(ex.get("RECURRENCE-ID"))
            d = span(ex, s)
            add(uid, s, (key(s) + d) if isinstance(s, datetime.datetime) else s + d, ex)
        m = g["master"]
        if m is None:
            continue
        s0 = when(m.get("DTSTART"))
        d = span(m, s0)
        rules = as_list(m.get("RRULE"))
        if not rules and m.get("RDATE") is None:
            add(uid, s0, (key(s0) + d) if isinstance(s0, datetime.datetime) else s0 + d, m)
            continue
        is_dt = isinstance(s0, datetime.datetime)
        base = s0 if is_dt else datetime.datetime(s0.year, s0.month, s0.day)
        rs = rruleset()
        for r in rules:
            rs.rrule(rrulestr(r.to_ical().decode(), dtstart=base))
        rs.rdate(base)
        for x in date_list(m, "RDATE"):
            rs.rdate(x if is_dt else datetime.datetime(x.year, x.month, x.day))
        for x in date_list(m, "EXDATE"):
            rs.exdate(x if is_dt else datetime.datetime(x.year, x.month, x.day))
        for occ in rs:
            k = occ.astimezone(UTC) if is_dt else datetime.datetime(occ.year, occ.month, occ.day, tzinfo=UTC)
            if k >= end and (not is_dt or k >= end):
                break
            if k in overridden:
                continue
            if is_dt:
                # dateutil keeps the wall clock; the zone gives each its offset.
                add(uid, occ, occ.astimezone(UTC) + d, m)
            else:
                add(uid, occ.date(), occ.date() + d, m)

    occurrences.sort(key=lambda o: (o["start"], o["uid"]))
    json.dump({"calendar": calendar, "events": events, "occurrences": occurrences}, sys.stdout, ensure_ascii=False)


main()
