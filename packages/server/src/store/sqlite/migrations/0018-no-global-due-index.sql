-- Issue 12 goal 1 (CPU per delivered event): every delivery wrote an entry into deliveries_due at its publish and
-- removed it at its claim, two of the ~23 B-tree entries a delivered event wrote, and one more index page in every
-- commit. The claim never read it: it finds work through deliveries_due_app and deliveries_due_endpoint. Only the
-- engine's sleep when idle (nextDueAt) and the queue-lag gauge (oldestDueDeliveryAt) read its head; they now find the
-- earliest due time by a loose scan of deliveries_due_app, one descent per application with pending work
-- (store/sqlite/earliest-pending.ts). PostgreSQL keeps its deliveries_due: its claim function and its statistics
-- are another matter, measured apart.

DROP INDEX deliveries_due;
