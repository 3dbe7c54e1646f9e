-- Issue 17's credential class (issue 16 item 14): a broker destination's credentials (amqp://user:pass@…,
-- redis://:pass@…, a NATS token as nats://token@…) were stored in clear in endpoints.url. The URL with them is now
-- kept in sealed_url, encrypted at rest like endpoint secrets and custom headers (the re-encryption pass at start
-- seals what this migration copies in clear), and url keeps the form that may be shown: the password, or a NATS
-- token, replaced by ***. sealed_url is null when the URL holds no credential. SQLite's twin is its 0015.
ALTER TABLE endpoints ADD COLUMN sealed_url TEXT;

UPDATE endpoints
   SET sealed_url = url,
       url = CASE
         WHEN url ~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#@:]*:[^/?#@]+@'
           THEN regexp_replace(url, '^([A-Za-z][A-Za-z0-9+.-]*://[^/?#@:]*):[^/?#@]+@', '\1:***@')
         ELSE regexp_replace(url, '^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@:]+@', '\1***@')
       END
 WHERE url !~* '^https?:'
   AND (url ~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#@:]*:[^/?#@]+@' OR url ~* '^nats://[^/?#@:]+@');
