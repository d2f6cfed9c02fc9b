-- The roll-ups (0002, 0003) were created empty: on a deployment whose read model already had rows, every whole month
-- read from them undercounted until a rebuild. Count them afresh from the rows once, under the feed lock taken
-- exclusively (as a rebuild does: consumers of another instance wait and apply on top). On a new database this
-- counts nothing.
-- ReadModelHandlers.FeedLockKey ("REPORT"):
select pg_advisory_xact_lock(90457653596756);
select report_roll_ups_refill();
