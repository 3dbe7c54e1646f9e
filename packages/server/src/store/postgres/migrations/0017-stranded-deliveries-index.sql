-- Issue 14, "enable vs release": the repair of deliveries parked on an enabled endpoint (store/postgres/stranded.ts)
-- probes each enabled endpoint for its parked deliveries outside any ordered line. deliveries_paused_endpoint also
-- holds every delivery waiting in an ordered line, which a probe of an ordered endpoint would read one by one; this
-- index holds only the parked unordered ones: rows of disabled endpoints, so it costs nothing on the delivery path.
CREATE INDEX deliveries_paused_unordered ON deliveries (endpoint_id) WHERE status = 'paused' AND ordering_key IS NULL;
