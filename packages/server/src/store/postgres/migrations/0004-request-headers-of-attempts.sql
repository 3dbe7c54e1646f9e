-- What was sent, not only what came back (the dashboard shows each try's webhook-id, timestamp and signature).

ALTER TABLE attempts ADD COLUMN request_headers TEXT;
