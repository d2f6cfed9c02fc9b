-- A referral (转介) of a case to a relief station: sent → accepted or rejected → in progress → completed.
create table referrals (
    id                 uuid primary key,
    case_id            uuid        not null unique,
    person_id          uuid        not null,
    county_code        char(6)     not null,
    receiving_station  text        not null,
    status             text        not null check (status in ('sent', 'accepted', 'rejected', 'in_progress', 'completed')),
    sent_at            timestamptz not null,
    trace_id           text
);

create index referrals_station_status on referrals (receiving_station, status);
