-- ajv coerced "1e400" and "Infinity" to Infinity past maximum, and SQLite kept it (as a REAL in an INTEGER
-- column): every later list of those rows failed to serialize. The API refuses such input now (issue 16); a
-- rate that is not an integer is one of those, and means what null means, no limit.

UPDATE applications SET rate_limit = NULL WHERE rate_limit IS NOT NULL AND typeof(rate_limit) <> 'integer';
UPDATE endpoints SET throttle_rate = NULL WHERE throttle_rate IS NOT NULL AND typeof(throttle_rate) <> 'integer';
