-- The signer refuses more than 16 secrets (MAX_SECRETS in @hookline/signatures): an endpoint rotated more often
-- than that within one grace period could no longer be signed for. Rotation now keeps the 16 newest; this
-- trims endpoints that already hold more, the oldest rotated-out ones first.

DELETE FROM endpoint_secrets WHERE rowid IN (
  SELECT rowid FROM (
    SELECT rowid, ROW_NUMBER() OVER (PARTITION BY endpoint_id ORDER BY created_at DESC, rowid DESC) AS n
      FROM endpoint_secrets)
   WHERE n > 16);
