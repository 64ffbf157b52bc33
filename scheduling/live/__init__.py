"""The live channel (CONTRACT.md section 3): PostgreSQL triggers notify, one LISTEN per server process fans
the events out to that process's WebSocket connections, filtered by the REST selectors."""
