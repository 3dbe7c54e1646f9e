-- Issue 14 section 2, retention: a message whose payload the pruner has removed keeps its row (it still lists, with
-- its deliveries and attempts) with the payload emptied and the time it was pruned here; NULL: the payload is whole.
-- No index: the pruner walks messages by primary key (ids are time-ordered, ids.ts), so publishes write no new
-- B-tree entry. Adding a nullable column with no default rewrites no row. SQLite's twin is its 0017.

ALTER TABLE messages ADD COLUMN payload_pruned_at BIGINT;
