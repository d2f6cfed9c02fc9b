-- Issue 11, closing the loop: Intake follows each of a case's referrals as Referral reports them, keeping per referral
-- only the newest state (the highest Sequence seen: Referral is the single writer of a referral and numbers each of its
-- changes), so that an older event arriving late can never overwrite a newer one — an accept is never undone by its
-- request. The case's current referral, the station that may read it and whether it is closed follow from these rows.
create table case_referrals (
    referral_id    uuid        primary key,
    case_id        uuid        not null references cases (id),
    sequence       integer     not null,
    status         text        not null,
    station_county char(6)     not null,
    -- when the referral reached this state (the event's time, not its arrival)
    at             timestamptz not null
);
create index case_referrals_case on case_referrals (case_id, at desc);

-- Timeline rows of a referral carry its id and the event's sequence: a late older event is still written (it happened)
-- and placed by its time; a start and a reopen both say in_progress, and the sequence tells them apart (a step to
-- in_progress after the referral was completed or cancelled is a reopening).
alter table case_history
    add column referral_id uuid,
    add column sequence    integer;
create index case_history_referral on case_history (referral_id, sequence) where referral_id is not null;

-- Who closed the case and how it ended: 'referral' with the referral's outcome, or the point's staff member with the
-- coded outcome they chose (a case helped at the point, never referred).
alter table cases
    add column closed_by       text,
    add column closing_outcome text;
