-- A desk is addressed by what it is — the relief station of a county — not by a naming convention of office codes.
drop index notifications_recipient_created;
alter table notifications drop column recipient;
alter table notifications
    add column recipient_kind   text    not null default 'relief_station',
    add column recipient_county char(6) not null default '000000';
alter table notifications alter column recipient_kind drop default, alter column recipient_county drop default;
create index notifications_recipient_created on notifications (recipient_kind, recipient_county, created_at desc);
