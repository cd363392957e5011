#!/usr/bin/python3
"""Writes the golden corpus: what Ceilometer's own code makes of every notification Altimeter understands.

The oracle is Ceilometer itself (Zed, Debian's python3-ceilometer: `apt-get install python3-ceilometer`,
run with /usr/bin/python3), with the meters.yaml and event_definitions.yaml Altimeter ships, so the
expectations come from Ceilometer's code, not from Altimeter's. Run once when an input is added:

    /usr/bin/python3 collector/src/test/resources/notifications/golden/generate.py

For each input (../legacy, ../nova, ../services) it writes <folder>/<name>.json with:
  message   the inner oslo message as it goes on the wire (GoldenCorpusTest wraps it in the envelope)
  exchange  the control exchange it is published to
  samples   Ceilometer's samples (every sample endpoint whose filter matches, as the agent runs them)
  samples_error / event_error   what Ceilometer logged instead (the part it could not convert)
  event     Ceilometer's event (traits in definition order) or null
  note      how Altimeter handles this notification where Ceilometer only logs (NOTES below)
  deviations  sample fields where Altimeter differs from Ceilometer on purpose, with both values and why
            (DEVIATIONS below; docs/notifications.md)
Sample ids are left out: Ceilometer's are random (uuid1), Altimeter's derive from the message id.
"""
import copy
import datetime
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import uuid

from unittest import mock

from ceilometer import service
from ceilometer.event import converter
from ceilometer.event import models
from ceilometer import middleware
from ceilometer.ipmi.notifications import ironic
from ceilometer.meter import notifications as meter_notifications
from stevedore import extension

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.path.dirname(HERE)
DEFINITIONS = os.path.join(HERE, '..', '..', '..', '..', 'main', 'resources', 'ceilometer')
# the oslo notifier adds these to nova's versioned samples (as Fixtures.novaWire does)
NOVA_TIMESTAMP = '2026-08-21 12:00:00.123456'
# the file name says the service; designate publishes on the control exchange Ceilometer listens to as 'dns'
EXCHANGES = {'designate': 'dns'}

NOTES = {
    'legacy/swift-objectstore.http.request': (
        'The event fails (eventTime "2015-01-30T16: 38: 43.233621" is no datetime): Ceilometer logs it and '
        'acknowledges; Altimeter stores the samples, acknowledges and counts the failed event '
        '(altimeter_notification_conversion_failures_total{part="event"}).'),
    'services/ironic-hardware.ipmi.bad-sensor': (
        'The sensor reading "some bad stuff" makes no sample; Ceilometer logs a warning per sensor, Altimeter '
        'skips it silently (the per-sample path logs nothing). The catch-all event is stored.'),
}

# Fields where Altimeter gives another value than Ceilometer on purpose: (meter, field) -> (Altimeter's
# value, why). The golden file keeps Ceilometer's value in the sample and records both under 'deviations'.
FALLBACK_USER = (
    'meters.yaml\'s fallback user "ctxt.user_id|ctxt.user" finds nothing in Ceilometer (jsonpath-rw binds "|" '
    'tighter than ".", so it reads ctxt.(user_id|ctxt).user); Altimeter reads it as documented, the whole paths '
    'ctxt.user_id or ctxt.user, so a meter without its own user_id gets the request\'s user.')
DEVIATIONS = {
    'legacy/nova-compute.instance.create.end': {
        ('compute.instance.booting.time', 'user_id'): ('1e3ce043029547f1a61c1996d1a531a2', FALLBACK_USER),
    },
}


def message_id(name):
    """Java's UUID.nameUUIDFromBytes: an MD5 name-based (v3) UUID."""
    return str(uuid.UUID(bytes=hashlib.md5(name.encode()).digest(), version=3))


def inputs():
    for folder in ('legacy', 'nova', 'services'):
        for f in sorted(os.listdir(os.path.join(INPUTS, folder))):
            if not f.endswith('.json'):
                continue
            name = f[:-len('.json')]
            with open(os.path.join(INPUTS, folder, f)) as fh:
                msg = json.load(fh)
            if folder == 'nova':
                msg['message_id'] = message_id(name)
                msg['timestamp'] = NOVA_TIMESTAMP
                exchange = 'nova'
            else:
                # the reference files share message ids (they come from unit tests); one id is one message
                msg['message_id'] = message_id(folder + '/' + name)
                service = name[:name.index('-')]
                exchange = EXCHANGES.get(service, service)
            yield folder + '/' + name, exchange, msg


def dispatched(msg):
    """The dictionary oslo.messaging hands Ceilometer's endpoints for a wire message."""
    return {
        'ctxt': {k[len('_context_'):]: v for k, v in msg.items() if k.startswith('_context_')},
        'publisher_id': msg.get('publisher_id'),
        'event_type': msg['event_type'],
        'payload': msg['payload'],
        'metadata': {'message_id': msg['message_id'], 'timestamp': msg['timestamp']},
    }


def iso(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.isoformat(timespec='microseconds') + 'Z'
    return value


def main():
    conf = service.prepare_service([], [])
    meters_dir = tempfile.mkdtemp()
    shutil.copy(os.path.join(DEFINITIONS, 'meters.yaml'), meters_dir)
    conf.set_override('meter_definitions_dirs', [meters_dir], group='meter')
    conf.set_override('definitions_cfg_file', os.path.abspath(os.path.join(DEFINITIONS, 'event_definitions.yaml')),
                      group='event')
    publisher = mock.MagicMock()
    endpoints = [meter_notifications.ProcessMeterNotifications(conf, publisher),
                 middleware.HTTPRequest(conf, publisher), middleware.HTTPResponse(conf, publisher),
                 ironic.CurrentSensorNotification(conf, publisher), ironic.FanSensorNotification(conf, publisher),
                 ironic.TemperatureSensorNotification(conf, publisher),
                 ironic.VoltageSensorNotification(conf, publisher)]
    events = converter.setup_events(conf, extension.ExtensionManager(namespace='ceilometer.event.trait_plugin'))

    written = 0
    for key, exchange, msg in inputs():
        priority = msg['priority'].lower()
        body = dispatched(msg)
        samples, samples_error = [], None
        if priority in ('info', 'sample'):  # SampleEndpoint.info / .sample
            for e in endpoints:
                # oslo's NotificationFilter: re.match of the endpoint's event types joined with '|'
                if e.event_types and not re.match('|'.join(e.event_types), msg['event_type']):
                    continue
                try:
                    samples.extend(e.build_sample(copy.deepcopy(body)))
                except Exception as err:  # SampleEndpoint.process_notifications logs and drops them
                    samples_error = '%s: %s' % (type(err).__name__, err)
        event, event_error = None, None
        if priority in ('info', 'error'):  # EventEndpoint.info / .error
            try:
                ev = events.to_event(priority, copy.deepcopy(body))
            except Exception as err:  # logged, acknowledged (ack_on_event_error)
                event_error = '%s: %s' % (type(err).__name__, err)
            else:
                if ev is not None:
                    event = {
                        'event_type': ev.event_type,
                        'message_id': ev.message_id,
                        'generated': iso(ev.generated),
                        'traits': [[t.name, models.Trait.type_names[t.dtype], iso(t.value)] for t in ev.traits],
                    }
        golden = {
            'message': msg,
            'exchange': exchange,
            'samples': [{
                'name': s.name, 'type': s.type, 'unit': s.unit, 'volume': s.volume,
                'user_id': s.user_id, 'project_id': s.project_id, 'resource_id': s.resource_id,
                'timestamp': iso(datetime.datetime.fromisoformat(s.timestamp)), 'source': s.source,
                'resource_metadata': s.resource_metadata,
            } for s in samples],
            'samples_error': samples_error,
            'event': event,
            'event_error': event_error,
            'note': NOTES.get(key),
            'deviations': [
                {'meter': meter, 'field': field, 'ceilometer': getattr(next(x for x in samples if x.name == meter), field),
                 'altimeter': value, 'why': why}
                for (meter, field), (value, why) in DEVIATIONS.get(key, {}).items()],
        }
        out = os.path.join(HERE, key + '.json')
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, 'w') as fh:
            json.dump(golden, fh, indent=2, sort_keys=True, default=str)
            fh.write('\n')
        written += 1
    print('%d golden files written' % written, file=sys.stderr)


if __name__ == '__main__':
    main()
