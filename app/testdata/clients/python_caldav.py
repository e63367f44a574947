#!/usr/bin/python3
"""Drive python3-caldav 0.11 (Debian's python3-caldav) against Veileder.

Run by app/clients_test.go as

    /usr/bin/python3 python_caldav.py BASE_URL USERNAME PASSWORD

It prints one JSON object on stdout with what the library saw; the Go test
checks it. Every step names itself on stderr first, so that a traceback
shows where the conversation broke. Nothing here works around the server:
this is how an application uses the library.
"""

import datetime
import json
import sys

import caldav
from caldav.lib import error

BASE, USER, PASSWORD = sys.argv[1:4]

# A week in November 2026 (no DST change in it).
WEEK_START = datetime.datetime(2026, 11, 2, 0, 0, tzinfo=datetime.timezone.utc)
WEEK_END = datetime.datetime(2026, 11, 9, 0, 0, tzinfo=datetime.timezone.utc)


def step(name):
    print("step: " + name, file=sys.stderr, flush=True)


def ics(component, uid, lines):
    body = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Veileder tests//python-caldav//EN",
        "BEGIN:" + component,
        "UID:" + uid,
        "DTSTAMP:20261001T120000Z",
    ]
    body += lines
    body += ["END:" + component, "END:VCALENDAR", ""]
    return "\r\n".join(body)


def first_component(obj):
    """The first VEVENT or VTODO; an expanded object holds several, where
    the library's icalendar_component would complain."""
    for comp in obj.icalendar_instance.walk():
        if comp.name in ("VEVENT", "VTODO", "VJOURNAL"):
            return comp
    raise ValueError("no component in %s" % obj.url)


def summary_of(obj):
    return str(first_component(obj).get("SUMMARY", ""))


def uid_of(obj):
    return str(first_component(obj).get("UID", ""))


def instance_key(obj):
    """UID and start of one (expanded) instance."""
    comp = first_component(obj)
    start = comp.get("RECURRENCE-ID") or comp.get("DTSTART")
    value = start.dt if start is not None else None
    if isinstance(value, datetime.datetime):
        value = value.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    elif value is not None:
        value = value.strftime("%Y%m%d")
    return {"uid": uid_of(obj), "summary": summary_of(obj), "start": value}


def urls(objs):
    return sorted(str(o.url) for o in objs)


out = {}

step("discover from the bare base URL")
client = caldav.DAVClient(url=BASE + "/", username=USER, password=PASSWORD)
principal = client.principal()
out["principal_url"] = str(principal.url)
out["home_url"] = str(principal.calendar_home_set.url)

step("OPTIONS: DAV classes")
out["dav_support"] = bool(client.check_dav_support())
out["caldav_support"] = bool(client.check_cdav_support())

step("list calendars")
out["calendars"] = sorted(
    ({"url": str(c.url), "name": c.name} for c in principal.calendars()),
    key=lambda c: c["url"],
)

step("make_calendar")
cal = principal.make_calendar(name="Lesesal æøå")
out["made_calendar_url"] = str(cal.url)
out["made_calendar_name"] = cal.get_display_name()
out["made_calendar_components"] = sorted(cal.get_supported_components())
out["calendars_after_make"] = sorted(str(c.url) for c in principal.calendars())

step("save_event: single")
single = cal.save_event(ics("VEVENT", "py-single", [
    "DTSTART:20261104T090000Z",
    "DTEND:20261104T100000Z",
    "SUMMARY:Veiledning i kildebruk – Ærlig talt",
]))
step("save_event: recurring")
# Daily 08:00-08:30 UTC from Monday, five days, Wednesday left out.
recurring = cal.save_event(ics("VEVENT", "py-daily", [
    "DTSTART:20261102T080000Z",
    "DTEND:20261102T083000Z",
    "RRULE:FREQ=DAILY;COUNT=5",
    "EXDATE:20261104T080000Z",
    "SUMMARY:Morgenvakt",
]))
step("save_event: next week")
cal.save_event(ics("VEVENT", "py-later", [
    "DTSTART:20261116T090000Z",
    "DTEND:20261116T100000Z",
    "SUMMARY:Outside the week",
]))
step("save_event: across the DST change, with its VTIMEZONE")
# Daily 09:00 in Oslo from Thursday 22 October 2026; summer time ends on
# Sunday 25 October, so the instances move from 07:00Z to 08:00Z.
cal.save_event("\r\n".join([
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Veileder tests//python-caldav//EN",
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Oslo",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
    "BEGIN:VEVENT",
    "UID:py-dst",
    "DTSTAMP:20261001T120000Z",
    "DTSTART;TZID=Europe/Oslo:20261022T090000",
    "DTEND;TZID=Europe/Oslo:20261022T100000",
    "RRULE:FREQ=DAILY;COUNT=7",
    "SUMMARY:Kurs i kildebruk",
    "END:VEVENT",
    "END:VCALENDAR",
    "",
]))
step("save_todo")
cal.save_todo(ics("VTODO", "py-todo", [
    "DUE:20261105T120000Z",
    "STATUS:NEEDS-ACTION",
    "SUMMARY:Bestill bøker",
]))
out["saved_urls"] = sorted([str(single.url), str(recurring.url)])

step("search with expand")
expanded = cal.search(start=WEEK_START, end=WEEK_END, event=True, expand=True)
out["search_expanded"] = sorted(
    (instance_key(o) for o in expanded), key=lambda k: (k["uid"], k["start"] or "")
)
# Whether the server expanded: the library expands client-side when the
# answer still holds RRULE, so look at the raw data too.
out["search_expanded_raw_has_rrule"] = any("RRULE" in o.data for o in expanded)

step("search with expand across the DST change")
dst = cal.search(
    start=datetime.datetime(2026, 10, 24, tzinfo=datetime.timezone.utc),
    end=datetime.datetime(2026, 10, 27, tzinfo=datetime.timezone.utc),
    event=True,
    expand=True,
)
out["search_dst"] = sorted(instance_key(o)["start"] for o in dst)

step("search by summary (text-match, i;octet)")
out["search_summary"] = sorted(uid_of(o) for o in cal.search(summary="kildebruk", event=True))
# i;octet is case-sensitive (RFC 4790 §9.3), so this finds nothing.
out["search_summary_upper"] = sorted(uid_of(o) for o in cal.search(summary="KILDEBRUK", event=True))

step("freebusy_request")
fb = cal.freebusy_request(WEEK_START, WEEK_END)
# The periods as sent, read from the raw text, and whether the library
# (python3-icalendar) can parse the answer: an application reads
# fb.icalendar_instance or fb.vobject_instance.
unfolded = fb.data.replace("\r\n", "\n").replace("\n ", "").replace("\n\t", "")
out["freebusy_periods"] = sorted(
    period
    for line in unfolded.split("\n")
    if line.split(":", 1)[0].split(";", 1)[0] == "FREEBUSY"
    for period in line.split(":", 1)[1].split(",")
)
try:
    fb.icalendar_instance
    out["freebusy_parse_error"] = ""
except ValueError as e:
    out["freebusy_parse_error"] = "icalendar.Calendar.from_ical: %s" % e

step("calendar_user_address_set")
out["calendar_user_addresses"] = principal.calendar_user_address_set()

step("search without expand")
plain = cal.search(start=WEEK_START, end=WEEK_END, event=True)
out["search_plain"] = sorted(uid_of(o) for o in plain)

step("date_search")
# date_search expands but does not split: one object per UID, holding
# every instance in the week.
ds = cal.date_search(start=WEEK_START, end=WEEK_END)
out["date_search"] = sorted(uid_of(o) for o in ds)
out["date_search_instances"] = sum(
    1 for o in ds for c in o.icalendar_instance.walk() if c.name == "VEVENT"
)

step("todos")
out["todos"] = sorted(uid_of(o) for o in cal.todos())

step("event_by_uid")
found = cal.event_by_uid("py-single")
out["event_by_uid_summary"] = summary_of(found)

step("objects_by_sync_token: initial")
initial = cal.objects_by_sync_token(load_objects=True)
out["sync_initial_token"] = initial.sync_token
out["sync_initial"] = sorted(uid_of(o) for o in initial)

step("edit and save")
found.icalendar_component["SUMMARY"] = "Veiledning – flyttet til rom 2"
found.save()
reloaded = cal.event_by_url(found.url)
reloaded.load()
out["edited_summary"] = summary_of(reloaded)

step("objects_by_sync_token: after edit")
changed = cal.objects_by_sync_token(sync_token=initial.sync_token, load_objects=True)
out["sync_after_edit"] = sorted(uid_of(o) for o in changed)
out["sync_after_edit_token"] = changed.sync_token

step("delete")
recurring.delete()
try:
    cal.event_by_url(recurring.url).load()
    out["deleted_still_loads"] = True
except error.NotFoundError:
    out["deleted_still_loads"] = False

step("collection.sync after delete")
updated, deleted = initial.sync()
out["sync_updated"] = sorted(str(o.url) for o in updated)
out["sync_deleted"] = sorted(str(o.url) for o in deleted)
out["sync_final_token"] = initial.sync_token

step("events after delete")
out["events_after_delete"] = sorted(uid_of(o) for o in cal.events())

step("delete calendar")
cal.delete()
out["calendars_after_delete"] = sorted(str(c.url) for c in principal.calendars())

json.dump(out, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
print()
