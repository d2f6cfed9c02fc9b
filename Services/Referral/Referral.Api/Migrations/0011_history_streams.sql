-- Issue 14, the sources' history: Reporting rebuilds its read model by reading Referral's events back in the order they
-- happened (classifications, the referrals' history, the relief ledger), a thousand at a time from a position.
create index classifications_stream on classifications (at, id);
create index referral_history_stream on referral_history (at, id)
    where action in ('request', 'accept', 'reject', 'start', 'complete', 'cancel', 'transfer', 'reopen', 'overdue');
create index relief_actions_recorded_stream on relief_actions (recorded_at, id);
create index relief_actions_voided_stream on relief_actions (voided_at, id) where voided_at is not null;
