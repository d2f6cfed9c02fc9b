-- The statistics read model (issue 14). Fed only by events (and Intake's facts endpoint after a case's events); a
-- rebuild empties these tables and replays the sources' history through the same handlers. No name and no ID number:
-- codes, counts, times.

-- One row per case. Columns stay null until the event that knows them arrives (events may come in any order).
create table report_cases (
    case_id            uuid primary key,
    case_number        text,
    county_code        text,
    service_point_code text,
    -- Copied from report_points when the case or the point arrives: the filter "kind of point" needs no join.
    point_kind         text,
    channel            text,
    registered_at      timestamptz,
    -- The first day of the month of registered_at in Beijing time: monthly reports are Beijing months.
    month              date,
    sex                text,
    -- minor (under 18), adult (18–59), elderly (60 and over) or unknown: coarse on purpose, never the age itself.
    age_band           text,
    need               text,
    situations         text[] not null default '{}',
    identity_status    text,
    -- The latest classification: relief_at_point or referral, and its priority.
    decision           text,
    priority           text,
    classified_at      timestamptz,
    -- The close: a completed referral's outcome (a point's close has no event yet).
    closed_at          timestamptz,
    outcome            text,
    -- When Intake read the facts kept here: an older read never overwrites a newer one.
    facts_as_of        timestamptz,
    updated_at         timestamptz not null default now()
);

-- The summary's filters: a period (registered_at), then a county or a point, or a kind of point.
create index report_cases_registered on report_cases (registered_at);
create index report_cases_county_registered on report_cases (county_code, registered_at);
create index report_cases_point_registered on report_cases (service_point_code, registered_at);
create index report_cases_kind_registered on report_cases (point_kind, registered_at);
create index report_cases_month_county on report_cases (month, county_code);
create index report_cases_situations on report_cases using gin (situations);

-- One row per referral; every lifecycle event sets its own column, and status follows the newest sequence.
create table report_referrals (
    referral_id              uuid primary key,
    case_id                  uuid not null,
    county_code              text not null,
    receiving_station_county text not null,
    requested_at             timestamptz,
    accepted_at              timestamptz,
    rejected_at              timestamptz,
    reject_reason            text,
    completed_at             timestamptz,
    outcome                  text,
    -- The first deadline that passed (acceptance or care days); later levels of the same referral keep it.
    overdue_at               timestamptz,
    overdue_kind             text,
    status                   text not null,
    last_sequence            int not null
);

create index report_referrals_requested on report_referrals (requested_at);
create index report_referrals_case on report_referrals (case_id);
create index report_referrals_county_requested on report_referrals (county_code, requested_at);
create index report_referrals_open on report_referrals (status) where status in ('requested', 'accepted', 'in_progress');

-- The relief ledger, one row per action; a void marks it, never removes it.
create table report_relief (
    action_id            uuid primary key,
    case_id              uuid not null,
    county_code          text not null,
    kind                 text not null,
    amount               numeric(10, 2),
    -- 2-digit GB/T 2260 province of a voucher's destination: coarse on purpose.
    destination_province text,
    recorded_at          timestamptz,
    voided_at            timestamptz
);

create index report_relief_recorded on report_relief (recorded_at);
create index report_relief_case on report_relief (case_id);
create index report_relief_county_recorded on report_relief (county_code, recorded_at);

-- Service points as Registry announces them (coverage), newest version wins.
create table report_points (
    code        text primary key,
    kind        text not null,
    county_code text not null,
    status      text not null,
    version     int not null,
    changed_at  timestamptz not null
);

create index report_points_county on report_points (county_code, kind, status);
