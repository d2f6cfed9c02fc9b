-- Issue 14, the sources' history: Reporting rebuilds its read model from the events Intake published, and
-- CaseRegistered carries the sex, estimated age and need as registered — which a later update (补充登记) or the
-- retention's anonymising (which fills the age in from the birth date) may change on the case. Kept as registered, so the
-- history says what the bus said. Cases registered before this migration take today's values: exact unless an update
-- changed one of the three fields (case_history names which fields changed, not their old values).
alter table cases
    add column registered_sex           text,
    add column registered_estimated_age smallint,
    add column registered_need          text;

update cases set registered_sex = sex, registered_estimated_age = estimated_age, registered_need = need;

alter table cases
    alter column registered_sex set not null,
    alter column registered_need set not null;

-- The cases stream is read in the order of registration, a thousand at a time.
create index cases_registered_at on cases (registered_at, id);
create index case_history_stream on case_history (at, id) where action in ('identity_confirmed', 'updated', 'case_closed') and by <> 'referral';
