-- The record the national rules ask for (DOMAIN.md): everything but the point, channel and need may be unknown at first.
-- Contacts (the person's phone, relatives' names, phones and addresses) say where someone can be found, and notes may
-- say how ill someone is: both are sealed like the identity document. Situations and needs are codes, kept plain so an
-- office can filter its cases by them.
alter table cases
    add column birth_date        date,
    add column household_place   text,
    add column benefits          text not null default 'unknown',
    add column situations        text[] not null default '{}',
    add column needs             text[] not null default '{}',
    add column belongings        text,
    add column place             text,
    add column contacts_count    smallint not null default 0,
    add column contacts_sealed   bytea,
    add column contacts_key_id   text,
    add column notes_sealed      bytea,
    add column notes_key_id      text,
    add column identity_status   text not null default 'unconfirmed';

-- The office's list: by county and time (cases_county_registered exists), by point and time, and by name fragments.
create index cases_point_registered on cases (service_point_code, registered_at desc, id desc);
create extension if not exists pg_trgm;
create index cases_person_name_trgm on cases using gin (person_name gin_trgm_ops);
