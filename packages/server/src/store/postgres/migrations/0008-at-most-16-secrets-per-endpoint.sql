-- The signer refuses more than 16 secrets: rotation now keeps the 16 newest, and this trims endpoints that
-- already hold more, the oldest rotated-out ones first (SQLite's 10).

DELETE FROM endpoint_secrets WHERE serial IN (
  SELECT serial FROM (
    SELECT serial, ROW_NUMBER() OVER (PARTITION BY endpoint_id ORDER BY created_at DESC, serial DESC) AS n
      FROM endpoint_secrets) numbered
   WHERE n > 16);
