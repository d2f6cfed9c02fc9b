-- 补充登记: a case is completed or corrected later, on the version it was read at (409 when someone changed it since).
alter table cases add column version integer not null default 1;
