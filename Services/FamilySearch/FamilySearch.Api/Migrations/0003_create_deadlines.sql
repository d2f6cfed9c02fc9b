-- Deadlines of family search as rows (the broker has no delayed delivery): a notice to be published within 24 hours of
-- arrival, a police request to be answered within its span. Each row fires once (fired_at), or is ended by what it
-- watched for (cancelled_at); a fired level arms the next. subject_id is the notice's or the request's id, by kind.
create table deadlines (
    id           uuid primary key,
    kind         text not null check (kind in ('notice', 'police_request')),
    subject_id   uuid not null,
    level        int not null,
    due_at       timestamptz not null,
    fired_at     timestamptz,
    cancelled_at timestamptz,
    unique (kind, subject_id, level)
);

create index deadlines_due on deadlines (due_at) where fired_at is null and cancelled_at is null;
