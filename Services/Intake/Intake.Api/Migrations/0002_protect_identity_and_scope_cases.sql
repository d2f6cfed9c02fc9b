-- Identity documents are sealed (AES-256-GCM, key id beside the ciphertext) with a keyed hash for exact lookup;
-- the masked form is kept for display so listing never decrypts.
alter table cases
    add column id_number_sealed   bytea,
    add column id_number_key_id   text,
    add column id_number_hash     bytea,
    add column id_number_masked   text,
    -- Set when Referral sends the case to a relief station: that station's staff may then read it in full.
    add column referred_to_station text,
    add column closed_at          timestamptz,
    add column anonymised_at      timestamptz;

create index cases_id_number_hash on cases (id_number_hash) where id_number_hash is not null;
create index cases_referred_to_station on cases (referred_to_station) where referred_to_station is not null;
create index cases_closed_not_anonymised on cases (closed_at) where anonymised_at is null and closed_at is not null;
