-- Photos of the people family search seeks families for (issue 13). What is kept is never the upload: it is decoded and
-- re-encoded to JPEG (so no EXIF, GPS, XMP or comment of the camera's survives), and sealed with the service's key
-- (AES-256-GCM, owner = the photo's id) — a face is personal data until a notice publishes it.
create table photos (
    id               uuid primary key,
    case_id          uuid not null,
    content_key_id   text not null,
    content_sealed   bytea not null,
    width            int not null,
    height           int not null,
    uploaded_at      timestamptz not null,
    uploaded_by      text not null,
    uploaded_by_name text
);

-- A notice shows its case's newest photo.
create index photos_by_case on photos (case_id, uploaded_at desc, id desc);
