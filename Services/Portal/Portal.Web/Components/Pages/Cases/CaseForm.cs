namespace Relief.Portal.Components.Pages.Cases;

/// <summary>The fields of <see cref="CaseRecordFields"/> as Intake's API takes them, from what the form posted.</summary>
public static class CaseForm
{
    public static Dictionary<string, object?> Record(Func<string, string, string> value, Func<string, string[]> values)
    {
        string? Text(string name) => string.IsNullOrWhiteSpace(value(name, "")) ? null : value(name, "").Trim();
        var relatives = Enumerable.Range(0, 2)
            .Select(i => new { name = Text($"relatives[{i}].name"), relation = Text($"relatives[{i}].relation"), phone = Text($"relatives[{i}].phone") })
            .Where(r => r.name is not null || r.relation is not null || r.phone is not null)
            .ToArray();
        var record = new Dictionary<string, object?>
        {
            ["personName"] = value("nameUnknown", "") == "true" ? null : Text("personName"),
            ["sex"] = Text("sex") ?? "Unknown",
            ["idNumber"] = Text("idNumber"),
            ["birthDate"] = Text("birthDate"),
            ["householdPlace"] = Text("householdPlace"),
            ["phone"] = Text("phone"),
            ["benefits"] = Text("benefits"),
            ["situations"] = values("situations"),
            ["needs"] = values("needs"),
            ["need"] = Text("need"),
            ["place"] = Text("place"),
            ["circumstances"] = Text("circumstances"),
            ["relatives"] = relatives,
            ["belongings"] = Text("belongings"),
            ["notes"] = Text("notes"),
        };
        if (int.TryParse(value("estimatedAge", ""), out var age))
        {
            record["estimatedAge"] = age;
        }

        return record;
    }

    /// <summary>An age that is not a number: the portal says so before asking Intake.</summary>
    public static bool AgeIsNotANumber(Func<string, string, string> value) =>
        value("estimatedAge", "").Length > 0 && !int.TryParse(value("estimatedAge", ""), out _);
}
