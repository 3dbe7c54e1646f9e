-- A claim finds the applications with due work by a loose scan of this index and reads each one's earliest due
-- deliveries through it, so one application's fan-out or backlog never hides another's (issue 16 item 2). The
-- twin of PostgreSQL's 0012-claim-function-bounded-and-fair.sql.

CREATE INDEX deliveries_due_app ON deliveries (app_id, next_attempt_at) WHERE status = 'pending';
