-- A summary folds the roll-ups' deltas before it reads (0012), and the fold takes the feed lock shared — which a rebuild
-- holds exclusively for as long as its replay takes (minutes for a large history). A summary asked meanwhile would wait
-- for the whole rebuild. It does not fold then: it reads the roll-ups as they were before the rebuild began (as it
-- always did during a rebuild), and the rebuild's commit replaces them whole. The background fold still waits.
create function report_roll_ups_fold_unless_rebuilding() returns boolean language plpgsql as $$
begin
    -- Also false while a rebuild waits for the lock: it is about to begin.
    if not pg_try_advisory_xact_lock_shared(90457653596756) then -- ReadModelHandlers.FeedLockKey ("REPORT")
        return false;
    end if;
    perform report_roll_ups_fold();
    return true;
end
$$;
