-- What a station asked of the police (民发〔2015〕158号): an identity check, a DNA sample (within a month), a report of a
-- suspected lost, abandoned or trafficked person (at once); with the deadline and the answer. The answer's note may say
-- who the person is: sealed with the service's key (owner = the request's id).
create table police_requests (
    id                uuid primary key,
    case_id           uuid not null,
    case_number       text not null,
    county_code       text not null,
    station_county    text not null,
    kind              text not null check (kind in ('identity_check', 'dna_sample', 'trafficking_report')),
    police_unit       text not null,
    reference         text,
    status            text not null check (status in ('open', 'answered')),
    due_at            timestamptz not null,
    overdue_level     int not null default 0,
    requested_at      timestamptz not null,
    requested_by      text not null,
    requested_by_name text,
    result            text check (result in ('identified', 'not_identified', 'sample_taken', 'no_record', 'other')),
    note_key_id       text,
    note_sealed       bytea,
    answered_at       timestamptz,
    answered_by       text,
    answered_by_name  text
);

create index police_requests_by_station on police_requests (station_county, status, due_at);
create index police_requests_by_case on police_requests (case_id);
