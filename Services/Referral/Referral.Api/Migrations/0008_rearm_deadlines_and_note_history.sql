-- Issue 11, the lifecycle's own needs beyond 0005.

-- A care deadline is armed again when a stay extension is approved or a referral is reopened: a new round, whose
-- levels escalate afresh. Each (round, level) fires once; the round keeps the earlier ones' rows as they were.
alter table deadlines add column round int not null default 1;
alter table deadlines drop constraint deadlines_referral_id_kind_level_key;
alter table deadlines add constraint deadlines_one_per_round_and_level unique (referral_id, kind, round, level);
-- Accepting, completing, cancelling … end a referral's open deadlines by its id.
create index deadlines_open_of_referral on deadlines (referral_id) where fired_at is null and cancelled_at is null;

-- The history also notes what happens to a referral without changing its state — a deadline passed, an extension
-- asked for or decided — at the version it then had. Each change of state still has a version of its own.
alter table referral_history drop constraint referral_history_referral_id_version_key;
create unique index referral_history_one_change_per_version on referral_history (referral_id, version)
    where action not in ('overdue', 'extension_requested', 'extension_approved', 'extension_refused');
create index referral_history_of_referral on referral_history (referral_id, id);

-- One extension waits for a decision at a time; a second request is refused until the first is decided.
create unique index stay_extensions_one_pending on stay_extensions (referral_id) where status = 'pending';
create index stay_extensions_of_referral on stay_extensions (referral_id, requested_at);
