-- 身份确认 as a step of its own: how the identity was established (or that it could not be), by whom and when. The
-- case's history keeps every such step after registration.
alter table cases
    add column identity_confirmed_by text,
    add column identity_confirmed_at timestamptz;

create table case_history (
    id          bigint generated always as identity primary key,
    case_id     uuid        not null references cases (id),
    at          timestamptz not null,
    by          text        not null,
    action      text        not null,
    -- what changed, by field name and code; never a name, a number or a note in clear
    detail      jsonb       not null default '{}'
);
create index case_history_case on case_history (case_id, at);
