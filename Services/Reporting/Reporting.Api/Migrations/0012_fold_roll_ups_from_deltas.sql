-- The roll-ups (0002, 0003) were upserted by triggers in every consumer's transaction: every case of a point and month
-- updates the same counter rows, so under load 16 consumers queued on one row lock each held through its commit
-- (pg_stat_statements: 2-4.5 ms per insert into report_cases / report_referrals, most of it waiting), and each update
-- left another dead version of the hot row behind. Now the triggers append the change to a table of deltas — no key, no
-- lock, no conflict — and one fold at a time moves the deltas into the roll-ups (report_roll_ups_fold): the Reporting
-- service folds a second after consumers wrote, and before every summary it reads, so the summary is as exact as before.

create table report_case_count_deltas (like report_case_counts);
create table report_relief_count_deltas (like report_relief_counts);
create table report_referral_count_deltas (like report_referral_counts);
create table report_referral_accept_minute_deltas (like report_referral_accept_minutes);
create table report_referred_month_deltas (like report_referred_months);

create or replace function report_case_counts_follow() returns trigger language plpgsql as $$
begin
    insert into report_case_count_deltas (month, county_code, service_point_code, point_kind, dimension, value, cases)
    select d.month, d.county_code, d.service_point_code, d.point_kind, d.dimension, d.value, sum(d.delta)::int
    from (
        select (old).month, (old).county_code, (old).service_point_code, (old).point_kind, b.dimension, b.value, -1 as delta
        from report_case_buckets((old).channel, (old).identity_status, (old).outcome, (old).closed_at, (old).situations) b where tg_op <> 'INSERT' and (old).month is not null
        union all
        select (new).month, (new).county_code, (new).service_point_code, (new).point_kind, b.dimension, b.value, 1
        from report_case_buckets((new).channel, (new).identity_status, (new).outcome, (new).closed_at, (new).situations) b where tg_op <> 'DELETE' and (new).month is not null
    ) d
    group by 1, 2, 3, 4, 5, 6
    having sum(d.delta) <> 0;
    return null;
end
$$;

create or replace function report_relief_counts_follow() returns trigger language plpgsql as $$
begin
    insert into report_relief_count_deltas (month, county_code, kind, destination_province, actions, amount)
    select d.month, d.county_code, d.kind, d.destination_province, sum(d.delta)::int, sum(d.amount)
    from (
        select report_relief_month((old).recorded_at) as month, (old).county_code, (old).kind, (old).destination_province,
               -1 as delta, -coalesce((old).amount, 0) as amount
        where tg_op <> 'INSERT' and (old).recorded_at is not null and (old).voided_at is null
        union all
        select report_relief_month((new).recorded_at), (new).county_code, (new).kind, (new).destination_province,
               1, coalesce((new).amount, 0)
        where tg_op <> 'DELETE' and (new).recorded_at is not null and (new).voided_at is null
    ) d
    group by 1, 2, 3, 4
    having sum(d.delta) <> 0 or sum(d.amount) <> 0;
    return null;
end
$$;

create or replace function report_referral_counts_follow() returns trigger language plpgsql as $$
declare
    old_months date[];
    new_months date[];
    the_case uuid := coalesce((new).case_id, (old).case_id);
    the_county text := coalesce((new).county_code, (old).county_code);
begin
    insert into report_referral_count_deltas (month, county_code, station, reject_reason, referrals, accepted, rejected, overdue, completed)
    select d.month, d.county_code, d.station, d.reject_reason, sum(d.referrals)::int, sum(d.accepted)::int, sum(d.rejected)::int,
           sum(d.overdue)::int, sum(d.completed)::int
    from (
        select report_relief_month((old).requested_at) as month, (old).county_code, (old).receiving_station_county as station,
               case when (old).rejected_at is not null then (old).reject_reason end as reject_reason, -1 as referrals,
               -((old).accepted_at is not null)::int as accepted, -((old).rejected_at is not null)::int as rejected,
               -((old).overdue_at is not null)::int as overdue, -((old).completed_at is not null)::int as completed
        where tg_op <> 'INSERT' and (old).requested_at is not null
        union all
        select report_relief_month((new).requested_at), (new).county_code, (new).receiving_station_county,
               case when (new).rejected_at is not null then (new).reject_reason end, 1,
               ((new).accepted_at is not null)::int, ((new).rejected_at is not null)::int,
               ((new).overdue_at is not null)::int, ((new).completed_at is not null)::int
        where tg_op <> 'DELETE' and (new).requested_at is not null
    ) d
    group by 1, 2, 3, 4
    having sum(d.referrals) <> 0 or sum(d.accepted) <> 0 or sum(d.rejected) <> 0 or sum(d.overdue) <> 0 or sum(d.completed) <> 0;

    insert into report_referral_accept_minute_deltas (month, county_code, station, minute, referrals)
    select d.month, d.county_code, d.station, d.minute, sum(d.delta)::int
    from (
        select report_relief_month((old).requested_at) as month, (old).county_code, (old).receiving_station_county as station,
               floor(extract(epoch from (old).accepted_at - (old).requested_at) / 60)::int as minute, -1 as delta
        where tg_op <> 'INSERT' and (old).requested_at is not null and (old).accepted_at is not null
        union all
        select report_relief_month((new).requested_at), (new).county_code, (new).receiving_station_county,
               floor(extract(epoch from (new).accepted_at - (new).requested_at) / 60)::int, 1
        where tg_op <> 'DELETE' and (new).requested_at is not null and (new).accepted_at is not null
    ) d
    group by 1, 2, 3, 4
    having sum(d.delta) <> 0;

    -- The case's months of referral before this row's change and after it (the table holds the new rows already). One
    -- transaction at a time per case: two referrals of a case written side by side would each miss the other's month.
    if (tg_op = 'UPDATE' and (old).requested_at is not distinct from (new).requested_at and (old).county_code = (new).county_code) then
        return null;
    end if;
    perform pg_advisory_xact_lock(hashtextextended('report_referred_months ' || the_case::text, 0));
    select coalesce(array_agg(distinct report_relief_month(r.requested_at)), '{}') into new_months
    from report_referrals r where r.case_id = the_case and r.requested_at is not null;
    select coalesce(array_agg(distinct m), '{}') into old_months
    from (select report_relief_month(r.requested_at) as m from report_referrals r
          where r.case_id = the_case and r.requested_at is not null and r.referral_id <> coalesce((new).referral_id, (old).referral_id)
          union all
          select report_relief_month((old).requested_at) where tg_op <> 'INSERT' and (old).requested_at is not null) o;
    if old_months = new_months and tg_op = 'UPDATE' and (old).county_code = (new).county_code then
        return null;
    end if;

    insert into report_referred_month_deltas (month, prior_month, county_code, cases)
    select d.month, d.prior_month, d.county_code, sum(d.delta)::int
    from (
        select m as month, lag(m) over (order by m) as prior_month, coalesce((old).county_code, the_county) as county_code, -1 as delta
        from unnest(old_months) m
        union all
        select m, lag(m) over (order by m), the_county, 1 from unnest(new_months) m
    ) d
    group by 1, 2, 3
    having sum(d.delta) <> 0;
    return null;
end
$$;

-- Moves every committed delta into the roll-ups, in one transaction: a delta is deleted by exactly one fold, and the
-- roll-up rows are updated in one order. Under the feed lock taken shared, as a consumer does: a rebuild (holding it
-- exclusively) empties deltas and roll-ups together, and no fold runs in between. One fold at a time: a second waits
-- and then folds what came meanwhile.
create function report_roll_ups_fold() returns void language sql as $$
    select pg_advisory_xact_lock_shared(90457653596756); -- ReadModelHandlers.FeedLockKey ("REPORT")
    select pg_advisory_xact_lock(90457653595204);        -- "REPOLD": the fold's own

    with moved as (delete from report_case_count_deltas returning *)
    insert into report_case_counts as t (month, county_code, service_point_code, point_kind, dimension, value, cases)
    select month, county_code, service_point_code, point_kind, dimension, value, sum(cases)::int from moved
    group by 1, 2, 3, 4, 5, 6
    having sum(cases) <> 0
    order by 1, 2, 3, 4, 5, 6
    on conflict (month, county_code, service_point_code, point_kind, dimension, value) do update set cases = t.cases + excluded.cases;

    with moved as (delete from report_relief_count_deltas returning *)
    insert into report_relief_counts as t (month, county_code, kind, destination_province, actions, amount)
    select month, county_code, kind, destination_province, sum(actions)::int, sum(amount) from moved
    group by 1, 2, 3, 4
    having sum(actions) <> 0 or sum(amount) <> 0
    order by 1, 2, 3, 4
    on conflict (month, county_code, kind, destination_province)
        do update set actions = t.actions + excluded.actions, amount = t.amount + excluded.amount;

    with moved as (delete from report_referral_count_deltas returning *)
    insert into report_referral_counts as t (month, county_code, station, reject_reason, referrals, accepted, rejected, overdue, completed)
    select month, county_code, station, reject_reason, sum(referrals)::int, sum(accepted)::int, sum(rejected)::int,
           sum(overdue)::int, sum(completed)::int
    from moved
    group by 1, 2, 3, 4
    having sum(referrals) <> 0 or sum(accepted) <> 0 or sum(rejected) <> 0 or sum(overdue) <> 0 or sum(completed) <> 0
    order by 1, 2, 3, 4
    on conflict (month, county_code, station, reject_reason) do update set
        referrals = t.referrals + excluded.referrals, accepted = t.accepted + excluded.accepted, rejected = t.rejected + excluded.rejected,
        overdue = t.overdue + excluded.overdue, completed = t.completed + excluded.completed;

    with moved as (delete from report_referral_accept_minute_deltas returning *)
    insert into report_referral_accept_minutes as t (month, county_code, station, minute, referrals)
    select month, county_code, station, minute, sum(referrals)::int from moved
    group by 1, 2, 3, 4
    having sum(referrals) <> 0
    order by 1, 2, 3, 4
    on conflict (month, county_code, station, minute) do update set referrals = t.referrals + excluded.referrals;

    with moved as (delete from report_referred_month_deltas returning *)
    insert into report_referred_months as t (month, prior_month, county_code, cases)
    select month, prior_month, county_code, sum(cases)::int from moved
    group by 1, 2, 3
    having sum(cases) <> 0
    order by 1, 2, 3
    on conflict (month, prior_month, county_code) do update set cases = t.cases + excluded.cases;
$$;

-- Counting afresh from the rows replaces whatever deltas were waiting (they are in the rows already).
create or replace function report_roll_ups_refill() returns void language sql as $$
    delete from report_case_count_deltas;
    delete from report_relief_count_deltas;
    delete from report_referral_count_deltas;
    delete from report_referral_accept_minute_deltas;
    delete from report_referred_month_deltas;
    delete from report_case_counts;
    insert into report_case_counts (month, county_code, service_point_code, point_kind, dimension, value, cases)
    select c.month, c.county_code, c.service_point_code, c.point_kind, b.dimension, b.value, count(*)::int
    from report_cases c cross join lateral report_case_buckets(c.channel, c.identity_status, c.outcome, c.closed_at, c.situations) b
    where c.month is not null
    group by 1, 2, 3, 4, 5, 6;
    delete from report_relief_counts;
    insert into report_relief_counts (month, county_code, kind, destination_province, actions, amount)
    select report_relief_month(a.recorded_at), a.county_code, a.kind, a.destination_province, count(*)::int, coalesce(sum(a.amount), 0)
    from report_relief a
    where a.recorded_at is not null and a.voided_at is null
    group by 1, 2, 3, 4;
    delete from report_referral_counts;
    insert into report_referral_counts (month, county_code, station, reject_reason, referrals, accepted, rejected, overdue, completed)
    select report_relief_month(r.requested_at), r.county_code, r.receiving_station_county,
           case when r.rejected_at is not null then r.reject_reason end,
           count(*)::int, count(r.accepted_at)::int, count(r.rejected_at)::int, count(r.overdue_at)::int, count(r.completed_at)::int
    from report_referrals r where r.requested_at is not null
    group by 1, 2, 3, 4;
    delete from report_referral_accept_minutes;
    insert into report_referral_accept_minutes (month, county_code, station, minute, referrals)
    select report_relief_month(r.requested_at), r.county_code, r.receiving_station_county,
           floor(extract(epoch from r.accepted_at - r.requested_at) / 60)::int, count(*)::int
    from report_referrals r where r.requested_at is not null and r.accepted_at is not null
    group by 1, 2, 3, 4;
    delete from report_referred_months;
    insert into report_referred_months (month, prior_month, county_code, cases)
    select m.month, m.prior_month, m.county_code, count(*)::int
    from (select d.month, lag(d.month) over (partition by d.case_id order by d.month) as prior_month, d.county_code
          from (select distinct r.case_id, report_relief_month(r.requested_at) as month, r.county_code
                from report_referrals r where r.requested_at is not null) d) m
    group by 1, 2, 3;
$$;
