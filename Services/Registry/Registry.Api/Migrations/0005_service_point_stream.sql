-- Issue 14, the sources' history: Reporting copies every service point's current state, read in the order of their last
-- change, a thousand at a time from a position.
create index service_points_stream on service_points (updated_at, code);
