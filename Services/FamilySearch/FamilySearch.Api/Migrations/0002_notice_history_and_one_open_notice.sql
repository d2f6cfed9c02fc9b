-- A notice's history: who drafted, edited, submitted, approved, returned or withdrew it, and when it went overdue. detail
-- keeps staff's comment on a return or withdrawal (for the drafter to act on, like a referral's history) and the reason;
-- never the notice's content.
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
