using System.Text.Json;
using Relief.ServiceDefaults.PersonalData;

namespace Relief.Intake.Cases;

/// <summary>
/// A case's record as its columns hold it: trimmed, the identity document sealed, hashed and masked, the contacts and
/// notes sealed to the case. The same at registration and when the record is completed later. The statement parameters
/// are its public properties (<c>@PersonName</c> …); registration fills in where and how the case came in.
/// </summary>
public sealed record CaseRecordValues
{
    public Guid Id { get; init; }
    public string? PersonName { get; init; }
    public string Sex { get; init; } = "Unknown";
    public int? EstimatedAge { get; init; }
    public string Need { get; init; } = "";
    public string? Circumstances { get; init; }
    public byte[]? IdNumberSealed { get; init; }
    public string? IdNumberKeyId { get; init; }
    public byte[]? IdNumberHash { get; init; }
    public string? IdNumberHashKeyId { get; init; }
    public string? IdNumberMasked { get; init; }
    public DateOnly? BirthDate { get; init; }
    public string? HouseholdPlace { get; init; }
    public string Benefits { get; init; } = "unknown";
    public string[] Situations { get; init; } = [];
    public string[] Needs { get; init; } = [];
    public string? Belongings { get; init; }
    public string? Place { get; init; }
    public short ContactsCount { get; init; }
    public byte[]? ContactsSealed { get; init; }
    public string? ContactsKeyId { get; init; }
    public byte[]? NotesSealed { get; init; }
    public string? NotesKeyId { get; init; }

    // Where and how the case came in: registration only.
    public DateOnly Day { get; init; }
    public string? CountyCode { get; init; }
    public string? ServicePointCode { get; init; }
    public string? Channel { get; init; }
    public string? RegisteredBy { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
    public string? TraceId { get; init; }

    // The version a later change was read at.
    public int Version { get; init; }

    // The sealed fields opened, to tell which changed: not public, so never a statement parameter, never on the wire.
    internal CaseContacts? Contacts { get; private init; }
    internal string? IdNumber { get; private init; }
    internal string? Notes { get; private init; }

    public static CaseRecordValues From(ICaseRecord record, Guid caseId, PersonalDataProtector protector)
    {
        var idNumber = ResidentIdNumber.Normalize(record.IdNumber);
        var sealedIdNumber = idNumber is null ? null : protector.Seal(idNumber, caseId);
        var lookupHash = idNumber is null ? null : protector.LookupHash(idNumber);
        var contacts = CaseContacts.From(record);
        var sealedContacts = contacts is null ? null : protector.Seal(JsonSerializer.Serialize(contacts), caseId);
        var notes = Trimmed(record.Notes);
        var sealedNotes = notes is null ? null : protector.Seal(notes, caseId);
        return new CaseRecordValues
        {
            Id = caseId,
            PersonName = Trimmed(record.PersonName),
            Sex = (record.Sex ?? Contracts.Sex.Unknown).ToString(),
            EstimatedAge = record.EstimatedAge,
            Need = record.Need!.Value.ToString(),
            Circumstances = Trimmed(record.Circumstances),
            IdNumberSealed = sealedIdNumber?.Ciphertext,
            IdNumberKeyId = sealedIdNumber?.KeyId,
            IdNumberHash = lookupHash?.Hash,
            IdNumberHashKeyId = lookupHash?.KeyId,
            IdNumberMasked = idNumber is null ? null : ResidentIdNumber.Mask(idNumber),
            // The ID number's birth date when there is one; staff type it only for people without.
            BirthDate = CaseRecordValidator.BirthDateOf(idNumber) ?? record.BirthDate,
            HouseholdPlace = Trimmed(record.HouseholdPlace),
            Benefits = record.Benefits ?? "unknown",
            Situations = record.Situations?.Distinct().Order().ToArray() ?? [],
            Needs = record.Needs?.Distinct().Order().ToArray() ?? [],
            Belongings = Trimmed(record.Belongings),
            Place = Trimmed(record.Place),
            ContactsCount = (short)((contacts?.Phone is null ? 0 : 1) + (contacts?.Relatives.Count ?? 0)),
            ContactsSealed = sealedContacts?.Ciphertext,
            ContactsKeyId = sealedContacts?.KeyId,
            NotesSealed = sealedNotes?.Ciphertext,
            NotesKeyId = sealedNotes?.KeyId,
            Contacts = contacts,
            IdNumber = idNumber,
            Notes = notes,
        };
    }

    /// <summary>The names of the fields in which <paramref name="now"/> differs from this record (the values stay out).</summary>
    public IReadOnlyList<string> ChangedFields(CaseRecordValues now)
    {
        var changed = new List<string>();
        void Compare(string field, object? before, object? after)
        {
            if (!Equals(before, after))
            {
                changed.Add(field);
            }
        }

        Compare("personName", PersonName, now.PersonName);
        Compare("sex", Sex, now.Sex);
        Compare("estimatedAge", EstimatedAge, now.EstimatedAge);
        Compare("need", Need, now.Need);
        Compare("circumstances", Circumstances, now.Circumstances);
        Compare("idNumber", IdNumber, now.IdNumber);
        Compare("birthDate", BirthDate, now.BirthDate);
        Compare("householdPlace", HouseholdPlace, now.HouseholdPlace);
        Compare("benefits", Benefits, now.Benefits);
        Compare("situations", string.Join(',', Situations), string.Join(',', now.Situations));
        Compare("needs", string.Join(',', Needs), string.Join(',', now.Needs));
        Compare("contacts", Contacts is null ? null : JsonSerializer.Serialize(Contacts), now.Contacts is null ? null : JsonSerializer.Serialize(now.Contacts));
        Compare("belongings", Belongings, now.Belongings);
        Compare("place", Place, now.Place);
        Compare("notes", Notes, now.Notes);
        return changed;
    }

    /// <summary>This record as stored, opened for comparing (<see cref="ChangedFields"/>).</summary>
    public static CaseRecordValues Opened(CaseReading.CaseRow stored, PersonalDataProtector protector) => new()
    {
        Id = stored.Id,
        PersonName = stored.PersonName,
        Sex = stored.Sex,
        EstimatedAge = stored.EstimatedAge,
        Need = stored.Need,
        Circumstances = stored.Circumstances,
        BirthDate = stored.BirthDate is { } birth ? DateOnly.FromDateTime(birth) : null,
        HouseholdPlace = stored.HouseholdPlace,
        Benefits = stored.Benefits,
        Situations = stored.Situations.Order().ToArray(),
        Needs = stored.Needs.Order().ToArray(),
        Belongings = stored.Belongings,
        Place = stored.Place,
        Version = stored.Version,
        IdNumber = stored.IdNumberSealed is null ? null : protector.Open(new SealedValue(stored.IdNumberKeyId!, stored.IdNumberSealed), stored.Id),
        Contacts = stored.ContactsSealed is null ? null
            : JsonSerializer.Deserialize<CaseContacts>(protector.Open(new SealedValue(stored.ContactsKeyId!, stored.ContactsSealed), stored.Id)),
        Notes = stored.NotesSealed is null ? null : protector.Open(new SealedValue(stored.NotesKeyId!, stored.NotesSealed), stored.Id),
    };

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
