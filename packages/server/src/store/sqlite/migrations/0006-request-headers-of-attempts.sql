-- What was sent, not only what came back: the operator answering "we never got the webhook" needs the
-- webhook-id, timestamp and signature of each try. JSON object text; NULL for attempts recorded before.

ALTER TABLE attempts ADD COLUMN request_headers TEXT;
