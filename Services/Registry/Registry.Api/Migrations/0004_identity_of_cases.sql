-- How each case's identity was established (Intake's IdentityConfirmed), kept apart from person_cases: the event may
-- arrive before the case is on the register, and the newest confirmation wins whatever order they arrive in.
create table case_identity (
    case_id      uuid primary key,
    method       text        not null,
    confirmed_at timestamptz not null
);
