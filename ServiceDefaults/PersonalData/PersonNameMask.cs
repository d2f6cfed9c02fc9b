namespace Relief.ServiceDefaults.PersonalData;

/// <summary>Masks a name for display: the first character stays, the rest become '*' (张三丰 → 张**).</summary>
public static class PersonNameMask
{
    public static string? Mask(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return name;
        }

        var characters = System.Globalization.StringInfo.GetTextElementEnumerator(name);
        characters.MoveNext();
        var first = (string)characters.Current;
        var rest = new System.Globalization.StringInfo(name).LengthInTextElements - 1;
        return first + new string('*', Math.Max(rest, 1));
    }
}
