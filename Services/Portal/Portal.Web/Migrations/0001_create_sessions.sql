-- The portal's sessions, kept on the server: the browser holds only the key (in an HttpOnly cookie). The ticket
-- carries the user's tokens and is encrypted with the portal's data-protection keys before it is written here.
create table sessions (
    key uuid primary key,
    user_id text not null,
    ticket bytea not null,
    expires_at timestamptz not null
);
create index sessions_expires_at on sessions (expires_at);
create index sessions_user_id on sessions (user_id);

-- The data-protection key ring (cookies, antiforgery, session tickets), so sessions survive a restart and every
-- instance of the portal reads the others' cookies.
create table data_protection_keys (
    name text primary key,
    xml text not null,
    created_at timestamptz not null default now()
);
