"""Django's PostgreSQL backend with a health check that costs no round trip while the connection is healthy.

CONN_HEALTH_CHECKS makes Django run `SELECT 1` before the first query of every request on a persistent
connection: a whole round trip, as much as a small endpoint's own query (measured on /api/health/, README
"Polling, history and the fixed cost of a request"). The check below looks at the connection locally first:
libpq's status, an idle transaction state, and whether the server has sent anything on the idle socket. A server that restarts, fails over or terminates the
backend sends its FATAL notice and closes the socket, which makes it readable; only then (or when the state is not
clean) is the real `SELECT 1` run. A connection silently cut by the network still passes; its first query fails,
the request gets the usual 503 and Django drops the connection for the next one.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        conn = self.connection
        if conn is None:
            return False
        try:
            pgconn = conn.pgconn
            clean = pgconn.status == pq.ConnStatus.OK and pgconn.transaction_status == pq.TransactionStatus.IDLE
            if clean and not select.select([pgconn.socket], [], [], 0)[0]:
                return True  # nothing arrived on an idle socket: the server has not gone away
        except (OSError, ValueError, base.Database.Error):
            return False
        return super().is_usable()  # something to look at: ask the server
