-- Candidates: a notice and a report that scored above the proposal threshold, for staff to confirm or reject. A
-- re-scoring updates a proposed candidate's score (or removes it when it no longer scores); a decided one keeps its
-- status and score as they were when staff decided.
create table match_candidates (
    id           uuid primary key,
    notice_id    uuid not null,
    report_id    uuid not null references reports (id),
    score        real not null,
    -- The scorer's reason codes (sex, age, height, features, clothing, accent, region, dates, name).
    reasons      text[] not null,
    status       text not null check (status in ('proposed', 'confirmed', 'rejected')),
    scored_at    timestamptz not null,
    decided_at   timestamptz,
    decided_by   text,
    decided_by_name text,
    -- Staff's comment on the decision may name people: sealed (owner = the candidate's id).
    comment_key_id  text,
    comment_sealed  bytea,
    unique (notice_id, report_id)
);

create index match_candidates_by_notice on match_candidates (notice_id, score desc);
create index match_candidates_by_report on match_candidates (report_id, score desc);
