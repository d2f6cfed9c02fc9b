-- A notice's history: who drafted, edited, submitted, approved, returned or withdrew it, and when it went overdue. The
-- comment of a return or withdrawal may name the person, so it is not kept here (the notice's audit trail is enough).
create table notice_history (
    id         bigint generated always as identity primary key,
    notice_id  uuid not null references notices (id),
    version    int not null,
    at         timestamptz not null,
    action     text not null,
    by         text not null,
    by_name    text,
    detail     jsonb
);

create index notice_history_by_notice on notice_history (notice_id, id);

-- One open notice per case: a second referral accepted for a case whose notice is still out adds none.
create unique index notices_one_open_per_case on notices (case_id) where status <> 'withdrawn';
