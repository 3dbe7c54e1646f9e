-- Issue 14, signing choices: how an endpoint's deliveries are signed (Standard Webhooks, the plain
-- X-Webhook-Signature HMAC, or GitHub's X-Hub-Signature-256) and in what body format (JSON, or a form field).
-- Existing endpoints keep what they had: Standard Webhooks over JSON. SQLite's twin is its 0012.

ALTER TABLE endpoints ADD COLUMN signature_scheme TEXT NOT NULL DEFAULT 'standard-webhooks'
  CHECK (signature_scheme IN ('standard-webhooks', 'hmac-sha256', 'github'));
ALTER TABLE endpoints ADD COLUMN payload_format TEXT NOT NULL DEFAULT 'json' CHECK (payload_format IN ('json', 'form'));
