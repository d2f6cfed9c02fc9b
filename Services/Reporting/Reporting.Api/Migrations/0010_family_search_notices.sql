-- Family search (issue 13) in the statistics: one row per notice from Family search's events — when the person
-- arrived, the 24-hour limit, whether and when the notice was published, withdrawn (and why: a reunion is a
-- withdrawal with reason 'reunited') and how far it went overdue. Ids, codes and times only.
create table report_notices (
    notice_id        uuid primary key,
    case_id          uuid not null,
    -- The case's county (the statistics' county) and the county of the station that works the notice.
    county_code      text not null,
    station_county   text not null,
    arrived_at       timestamptz,
    due_at           timestamptz,
    published_at     timestamptz,
    withdrawn_at     timestamptz,
    withdrawn_reason text,
    overdue_level    int not null default 0
);

create index report_notices_by_county on report_notices (county_code, arrived_at);
create index report_notices_withdrawn on report_notices (withdrawn_at) where withdrawn_at is not null;
-- The dashboard's notices still to publish, by their limit.
create index report_notices_unpublished on report_notices (due_at) where published_at is null and withdrawn_at is null;
