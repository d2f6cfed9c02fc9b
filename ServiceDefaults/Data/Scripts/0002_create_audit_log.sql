-- The audit log: who read unmasked personal data and why, who was refused, what changed. Append-only: the
-- trigger refuses every update and delete, so not even the service itself can rewrite history.
create table audit_log (
    id           bigint generated always as identity primary key,
    occurred_at  timestamptz not null default now(),
    actor        text        not null,
    actor_role   text        not null,
    actor_office text        not null,
    action       text        not null,
    outcome      text        not null check (outcome in ('succeeded', 'refused')),
    subject      text,
    purpose      text,
    trace_id     text
);

create index audit_log_occurred on audit_log (occurred_at desc);

create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only';
end $$;

create trigger audit_log_append_only before update or delete on audit_log
    for each statement execute function audit_log_is_append_only();
