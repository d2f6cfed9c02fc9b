-- The register of persons: one record per person however often and wherever they were helped. A case's person is read
-- from Intake after CaseRegistered (never from the bus); each case keeps the person as registered then (person_cases),
-- so a wrong link can be split off again. The identity document is kept only as its keyed hash and masked: the number
-- itself stays in Intake's sealed column.
alter table persons
    add column name text,
    add column birth_date date,
    add column household_region char(6),
    add column id_number_hash bytea,
    add column id_number_hash_key_id text,
    add column id_number_masked text,
    add column relatives text,
    add column features text,
    add column merged_into uuid references persons (id),
    add column merged_at timestamptz;
alter table persons drop constraint persons_first_case_id_key;

-- One open record per identity document: exact de-duplication, and the lock two concurrent cases of one person meet on.
create unique index persons_id_number_hash on persons (id_number_hash) where merged_into is null;
-- Candidates are looked up by name.
create index persons_name on persons (name) where merged_into is null and name is not null;

create table person_cases (
    case_id             uuid primary key,
    person_id           uuid        not null references persons (id),
    county_code         char(6)     not null,
    service_point_code  text        not null,
    channel             text        not null,
    need                text        not null,
    registered_at       timestamptz not null,
    name                text,
    sex                 text        not null,
    birth_date          date,
    estimated_age       smallint,
    household_region    char(6),
    id_number_hash      bytea,
    id_number_masked    text,
    -- new: the case made the record; id_number: linked on the identity document; confirmed: staff confirmed a
    -- candidate; split: staff split it off a wrong record.
    linked_by           text        not null,
    linked_at           timestamptz not null
);
create index person_cases_person on person_cases (person_id, registered_at);

insert into person_cases (case_id, person_id, county_code, service_point_code, channel, need, registered_at, sex,
                          estimated_age, linked_by, linked_at)
select first_case_id, id, county_code, service_point_code, 'unknown', 'unknown', recorded_at, sex, estimated_age, 'new', recorded_at
from persons;

-- Pairs of records that may be one person (candidate), and what staff decided: confirmed (merged), rejected or split.
-- A rejected or split pair is never proposed again, so a split is never re-merged automatically.
create table person_links (
    person_id   uuid        not null references persons (id),
    other_id    uuid        not null references persons (id),
    score       numeric(3,2) not null,
    reasons     text[]      not null,
    status      text        not null,
    created_at  timestamptz not null,
    decided_by  text,
    decided_at  timestamptz,
    primary key (person_id, other_id),
    check (person_id < other_id)
);
create index person_links_other on person_links (other_id);
