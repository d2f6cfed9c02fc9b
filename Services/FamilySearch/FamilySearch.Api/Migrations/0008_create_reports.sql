-- 寻人登记 (missing-person reports, issue 13): a family asking at a point, the hotline or a station for someone they
-- lost. Coarse items in clear — matching pre-selects by them in SQL —, the rest sealed with the service's key
-- (PersonalDataProtector, owner = report id): who is sought (name, place last seen, features, clothing, accent) in one
-- document, who asks (name, relation, phone) in another, so matching opens the first and never the second.
create table reports (
    id                 uuid primary key,
    report_number      text not null unique,
    channel            text not null check (channel in ('point', 'hotline', 'station')),
    service_point_code text,
    -- The county of the office that took the report: its station and county office work it (the scope).
    station_county     text not null,
    status             text not null check (status in ('open', 'matched', 'closed')),
    version            int not null default 1,
    sex                text not null check (sex in ('male', 'female', 'unknown')),
    age_then           int not null,
    -- The age now, from the age then and the years since (± the uncertainty of both): what notices are pre-selected by.
    age_low_now        int not null,
    age_high_now       int not null,
    height_cm          int,
    last_seen_year     int not null,
    last_seen_on       date,
    last_seen_county   text,
    -- Erased (null) once the report is past its retention period (Reports/ReportRetention).
    sought_key_id      text,
    sought_sealed      bytea,
    reporter_key_id    text,
    reporter_sealed    bytea,
    created_by         text not null,
    created_by_name    text,
    created_at         timestamptz not null,
    matched_at         timestamptz,
    matched_notice_id  uuid,
    closed_at          timestamptz,
    anonymised_at      timestamptz,
    updated_at         timestamptz not null
);

create index reports_by_station on reports (station_county, status, created_at desc);
create index reports_by_creator on reports (created_by, created_at desc);
create index reports_open_by_sex_and_age on reports (sex, age_low_now, age_high_now) where status = 'open';

-- Report numbers staff read aloud: XR-<county>-<yyyyMMdd>-<nnnn>, a daily sequence per county (Beijing date), counted in
-- the creating transaction like Intake's case numbers.
create table report_number_counters (
    county_code text    not null,
    day         date    not null,
    last        integer not null,
    primary key (county_code, day)
);

-- A retried submit (the same Idempotency-Key from the same user) gets the first answer instead of a second report.
create table report_idempotency_keys (
    created_by   text        not null,
    key          text        not null,
    request_hash bytea       not null,
    report_id    uuid        not null,
    created_at   timestamptz not null,
    primary key (created_by, key)
);
