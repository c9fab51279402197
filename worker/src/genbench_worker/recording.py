"""An in-memory event stream: the test double for `protocol.EventStream` (tests and in-process runs).

It keeps events instead of writing them, but serialises and validates each one as it arrives, so an event
the wire would reject fails where it is emitted, as it would in a real worker.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, List

from .protocol import Event, EventStream, parse_event


class RecordingStream(EventStream):
    """Keeps events in memory (tests, in-process runs). Thread-safe, like the stream it stands in for."""

    def __init__(self):  # no sink: nothing is written
        self.events: List[Event] = []
        self._lock = threading.Lock()

    def emit(self, event: Event) -> None:
        with self._lock:
            # serialise now so a bad event fails where it is emitted, as it would on the wire
            parse_event(event.to_json())
            self.events.append(event)

    def dicts(self) -> List[Dict[str, Any]]:
        with self._lock:
            return [e.to_dict() for e in self.events]
