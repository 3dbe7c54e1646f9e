-- A lone surrogate ("\ud800") was accepted in filterTypes, channels and tags and stored as a JSON escape; the
-- text column held it, but every `::jsonb` cast of the row failed, so each publish to the application (and each
-- list filtered by channel or tag) answered 500. The API refuses such strings now (issue 16). Rows whose JSON no
-- longer casts have each lone surrogate replaced by U+FFFD, which is what it would have become as UTF-8: a
-- filter that named one matched no real event type before and matches none after. The regex only preselects.

CREATE FUNCTION pg_temp.casts_to_jsonb(t TEXT) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
BEGIN
  PERFORM t::jsonb;
  RETURN true;
EXCEPTION WHEN others THEN
  RETURN false;
END $$;
CREATE FUNCTION pg_temp.without_lone_surrogates(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(t,
    '\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}',
    '\\ufffd', 'g')
$$;
UPDATE endpoints SET event_types = pg_temp.without_lone_surrogates(event_types)
  WHERE event_types ~* '\\ud[89a-f]' AND NOT pg_temp.casts_to_jsonb(event_types);
UPDATE endpoints SET channels = pg_temp.without_lone_surrogates(channels)
  WHERE channels ~* '\\ud[89a-f]' AND NOT pg_temp.casts_to_jsonb(channels);
UPDATE messages SET channels = pg_temp.without_lone_surrogates(channels)
  WHERE channels ~* '\\ud[89a-f]' AND NOT pg_temp.casts_to_jsonb(channels);
UPDATE messages SET tags = pg_temp.without_lone_surrogates(tags)
  WHERE tags ~* '\\ud[89a-f]' AND NOT pg_temp.casts_to_jsonb(tags);
DROP FUNCTION pg_temp.without_lone_surrogates(TEXT);
DROP FUNCTION pg_temp.casts_to_jsonb(TEXT);
