"""Writes isotime-golden.tsv: what oslo's timeutils.parse_isotime (then normalize_time) makes of each input.

Ceilometer reads a received meter message's timestamp and a notification's timestamps this way
(ceilometer/dispatcher/database.py up to Ocata, ceilometer/notification.py). TimestampsTest holds
Timestamps.parseIsotime to this file, and re-runs this script to check the file when oslo_utils is
installed (Debian: python3-oslo.utils). Run: /usr/bin/python3 isotime-oracle.py > isotime-golden.tsv
"""
import random

from oslo_utils import timeutils

FIXED = [
    "2012-05-08 20:23:48.028195", "2012-05-08T20:23:47Z", "2012-05-08T20:23:47.985999+00:00",
    "2012-05-08T20:23:47+02:00", "2012-05-08T20:23:47-02:00", "20120508T202347", "20120508",
    "2012-05-08", "2012-5-8", "2012-05-08T20:23", "2012-05-08T20", "2012-05-08T20:23:47.1234567",
    "2012-05-08 20:23:48,5", "2012-05-08T20:23:47+0130", "2012-05-08T20:23:47+01", "2012-05-08T20:23:47z",
    "2012-05-08T20:23:47 ", " 2012-05-08T20:23:47", "2012-W01", "2012-05-08T24:00:00", "2012-02-29T00:00:00Z",
    "2013-02-29T00:00:00Z", "2012-05-08T20:23:60", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z",
    "2012-05-08T20:23:47.Z", "2012-05-08T20:23:47+00:00:00", "2012/05/08 20:23:48", "yesterday", "",
    "2012-05-08T20:23:47-00:00", "2012-05-08T20:23:47+14:00", "2012-05-08T20:23:47+2400", "2012-05-08T1:2:3",
    "2012-05-08 20:23:48.0281959999", "2012-05-08T20:23:47.5+05:30", "2012-13-08 20:23:48", "2012-05-08T20:23:47Zjunk",
]


def render(text):
    try:
        value = timeutils.normalize_time(timeutils.parse_isotime(text))
    except Exception:  # what Ceilometer treats as not a time
        return "-"
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (value.year, value.month, value.day, value.hour, value.minute,
                                                  value.second, value.microsecond)


def inputs():
    yield from FIXED
    rnd = random.Random(7)
    for _ in range(400):
        t = "%04d-%02d-%02d%s%02d:%02d:%02d" % (rnd.randrange(1, 3000), rnd.randrange(0, 14), rnd.randrange(0, 33),
                                             rnd.choice("T "), rnd.randrange(0, 26), rnd.randrange(0, 61),
                                             rnd.randrange(0, 61))
        if rnd.random() < 0.5:
            t += rnd.choice(".,") + "".join(rnd.choice("0123456789") for _ in range(rnd.randrange(0, 10)))
        t += rnd.choice(["", "Z", "+00:00", "-05:30", "+14:00", "+0200", "z", "+01", "-0000"])
        yield t


for text in inputs():
    print("%s\t%s" % (text, render(text)))
