-- Issue 17's credential class (issue 16 item 14): a broker destination's credentials (amqp://user:pass@…,
-- redis://:pass@…, a NATS token as nats://token@…) were stored in clear in endpoints.url. The URL with them is now
-- kept in sealed_url, encrypted at rest like endpoint secrets and custom headers (the re-encryption pass at start
-- seals what this migration copies in clear), and url keeps the form that may be shown: the password, or a NATS
-- token, replaced by ***. sealed_url is null when the URL holds no credential. PostgreSQL's twin is its 0014.
-- SQLite has no regular expressions: the userinfo is what lies between :// and the first @, when no / ? # is in it.
ALTER TABLE endpoints ADD COLUMN sealed_url TEXT;

WITH split AS (
  SELECT id,
         substr(url, 1, instr(url, '://') + 2) AS head,
         substr(url, instr(url, '://') + 3) AS rest
    FROM endpoints
   WHERE url NOT LIKE 'http%' AND instr(url, '://') > 0
), userinfo AS (
  SELECT id, head, rest, instr(rest, '@') AS at, substr(rest, 1, instr(rest, '@') - 1) AS info
    FROM split
   WHERE instr(rest, '@') > 0
), credentials AS (
  SELECT id, head, rest, at, info, instr(info, ':') AS colon
    FROM userinfo
   WHERE instr(info, '/') = 0 AND instr(info, '?') = 0 AND instr(info, '#') = 0
)
UPDATE endpoints
   SET sealed_url = endpoints.url,
       url = c.head
             || CASE WHEN c.colon > 0 THEN substr(c.info, 1, c.colon) || '***' ELSE '***' END
             || '@' || substr(c.rest, c.at + 1)
  FROM credentials c
 WHERE endpoints.id = c.id
   AND ((c.colon > 0 AND length(c.info) > c.colon) OR (c.colon = 0 AND lower(c.head) = 'nats://' AND c.at > 1));
