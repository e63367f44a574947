#!/usr/bin/python3
"""Find the principal the way a python-caldav application does when it is
given only the server's address: through /.well-known/caldav.

Run by app/wellknown_test.go as

    /usr/bin/python3 python_caldav_wellknown.py BASE_URL USERNAME PASSWORD

The library's HTTP layer (requests) follows the 301 of .well-known and
drops the PROPFIND body on the way, so the server sees an empty PROPFIND
(allprop) of its root. It prints one JSON object with the principal's URL
and the calendars found from it.
"""

import json
import sys

import caldav

BASE, USER, PASSWORD = sys.argv[1:4]

client = caldav.DAVClient(url=BASE + "/.well-known/caldav", username=USER, password=PASSWORD)
principal = client.principal()
calendars = principal.calendars()
print(json.dumps({
    "principal": str(principal.url),
    "calendars": sorted(str(c.url) for c in calendars),
}))
